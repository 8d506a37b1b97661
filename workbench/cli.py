"""The ``workbench`` command line: the same functions the pages use.

Errors print one line on stderr and exit with code 2; no tracebacks.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer

from workbench import __version__, cli_audit, cli_registry, cli_report, engine
from workbench.builds import BuildService, BuildSpec, build_service
from workbench.errors import WorkbenchError
from workbench.project import load_project
from workbench.store import BuildRecord, Store
from workbench.units import human_bytes

app = typer.Typer(
    help="The Docker image optimization workbench: build Dockerfile variants and see, "
    "byte for byte, where each image's size goes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
engine_app = typer.Typer(help="The Docker engine the workbench uses.", no_args_is_help=True)
app.add_typer(engine_app, name="engine")


def fail(message: str, code: int = 2) -> None:
    """Print one line on stderr and exit."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def friendly(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn workbench errors into one line and exit code 2."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except WorkbenchError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            fail("interrupted", code=130)

    return wrapper


def _echo_err(line: str) -> None:
    typer.echo(line, err=True)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


@engine_app.command("status")
@friendly
def engine_status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Say whether the engine answers, its version, and the stand-in base images."""
    current = engine.status()
    if as_json:
        print_json(asdict(current))
    elif current.reachable:
        typer.echo(
            f"engine {current.version} (API {current.api_version}) at {current.host}, "
            f"{current.os}, {current.storage_driver}"
        )
        typer.echo(f"stand-in base images: {', '.join(current.stand_ins) or 'none'}")
    if not current.reachable:
        fail(current.error)


@engine_app.command("ensure")
@friendly
def engine_ensure(
    timeout: Annotated[float, typer.Option(help="Seconds to wait for a started engine.")] = 60,
) -> None:
    """Start Debian's dockerd in the background if no engine answers (as root)."""
    current = engine.ensure(timeout_s=timeout, log=_echo_err)
    typer.echo(f"engine {current.version} answers at {current.host}")


@app.command("bootstrap")
@friendly
def bootstrap_command(
    reference: Annotated[
        list[str] | None,
        typer.Argument(help="References to ensure (default: every known stand-in)."),
    ] = None,
    no_pull: Annotated[bool, typer.Option("--no-pull", help="Do not try to pull first.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Make local stand-ins for base images that cannot be pulled."""
    from workbench import bootstrap

    client = engine.connect()
    results = bootstrap.ensure_base_images(
        client, reference or None, pull=not no_pull, log=_echo_err
    )
    if as_json:
        print_json([asdict(result) for result in results])
        return
    for result in results:
        badge = " (local stand-in)" if result.stand_in else ""
        typer.echo(f"{result.reference}: {result.action}{badge} in {result.seconds:.1f} s")


def _progress_printer(service: BuildService, build_ids: list[int]) -> None:
    """Print one line per build whenever its step changes, until all finish."""
    seen: dict[int, tuple[str, int]] = {}
    while True:
        records = service.wait(build_ids, timeout=0.5)
        for record in records:
            state = (record.status, record.steps_done)
            if seen.get(record.id) != state:
                seen[record.id] = state
                steps = f"step {record.steps_done}/{record.steps_total}"
                _echo_err(
                    f"[{record.variant}] {record.status} {steps if record.steps_total else ''}"
                )
        if all(record.finished for record in records):
            return


@app.command("variants")
@friendly
def variants_command(
    project: Annotated[Path, typer.Argument(help="The project folder.")],
    show: Annotated[str | None, typer.Option(help="Print this variant's Dockerfile.")] = None,
    diff: Annotated[str | None, typer.Option(help="Print this variant's diff.")] = None,
    drop: Annotated[
        list[str] | None, typer.Option(help="Dependency to drop in pruned-deps (repeat).")
    ] = None,
) -> None:
    """List the Dockerfile variants of a project, or show one."""
    from workbench import variants

    loaded = load_project(project)
    if show or diff:
        variant = variants.derive_variant(loaded.path, show or diff, drop=drop or ())
        if variant.error:
            fail(f"variant {variant.name}: {variant.error}")
        typer.echo(variant.dockerfile if show else variant.diff or "(no change)")
        return
    for variant in variants.derive_variants(loaded.path, drop=drop or ()):
        state = f"cannot be made: {variant.error}" if variant.error else variant.summary
        typer.echo(f"{variant.name:12} {state}")


@app.command("build")
@friendly
def build_command(
    project: Annotated[Path, typer.Argument(help="The project folder.")],
    variant: Annotated[
        list[str] | None, typer.Option("--variant", "-v", help="Variant to build (repeat).")
    ] = None,
    builder: Annotated[
        str | None, typer.Option(help="buildkit or classic (default: the best available).")
    ] = None,
    drop: Annotated[
        list[str] | None, typer.Option(help="Dependency to drop in pruned-deps (repeat).")
    ] = None,
    no_build_cache: Annotated[
        bool, typer.Option("--no-build-cache", help="Ignore the engine's layer cache.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Build variants of a project; exit 0 only if every build succeeded."""
    from workbench import variants

    loaded = load_project(project)
    names = variant or ["baseline"]
    specs = []
    for name in names:
        derived = variants.derive_variant(loaded.path, name, drop=drop or ())
        if derived.error:
            fail(f"variant {name} cannot be built: {derived.error}")
        specs.append(
            BuildSpec(
                loaded,
                name,
                derived.dockerfile,
                dict(derived.extra_files),
                builder,
                no_cache=no_build_cache,
            )
        )
    engine.connect()
    service = build_service()
    ids = [service.submit(spec) for spec in specs]
    try:
        _progress_printer(service, ids)
    except KeyboardInterrupt:
        for build_id in ids:
            service.cancel(build_id)
        service.wait(ids, timeout=30)
        fail("interrupted; builds cancelled", code=130)
    records = service.wait(ids)
    if as_json:
        print_json([_build_json(record) for record in records])
    else:
        for record in records:
            typer.echo(
                f"{record.variant:12} {record.status:10} {record.tag} "
                f"{(record.image_id or '')[:19]} {record.duration_s or 0:.1f} s"
            )
    failed = [record for record in records if record.status != "succeeded"]
    for record in failed:
        typer.echo(f"error: build of {record.variant} {record.status}: {record.error}", err=True)
    if failed:
        raise typer.Exit(1)


def _build_json(record: BuildRecord) -> dict[str, Any]:
    keys = ("variant", "tag", "image_id", "status", "duration_s", "cache_hits", "error")
    return {key: record.summary()[key] for key in keys}


@app.command("rebuild-cost")
@friendly
def rebuild_cost_command(
    project: Annotated[Path, typer.Argument(help="The project folder.")],
    variant: Annotated[
        list[str] | None, typer.Option("--variant", "-v", help="Variant to time (repeat).")
    ] = None,
    builder: Annotated[str | None, typer.Option(help="buildkit or classic.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Time each variant's rebuild after a source change and after a lock change."""
    from workbench import rebuild

    loaded = load_project(project)
    client = engine.connect()
    results = []
    for name in variant or ["baseline", "no-cache", "cache-mount"]:
        _echo_err(f"[{name}] timing rebuilds on a scratch copy")
        cost = rebuild.measure_variant(client, loaded, name, builder_name=builder)
        results.append(cost)
        if not as_json:
            lock = f"{cost.lock_change_s:.1f} s" if cost.lock_change_s is not None else "n/a"
            typer.echo(
                f"{name:12} source change {cost.source_change_s:6.1f} s   lock change {lock}"
            )
    if as_json:
        print_json([cost.to_dict() for cost in results])


@app.command("analyze")
@friendly
def analyze_command(
    image: Annotated[str, typer.Argument(help="An image: tag or id.")],
    no_compress: Annotated[
        bool, typer.Option("--no-compress", help="Skip the compressed-size estimate.")
    ] = False,
    rules: Annotated[
        Path | None, typer.Option(help="A component rules file (TOML) instead of the shipped one.")
    ] = None,
    dockerfile: Annotated[
        Path | None,
        typer.Option(help="The Dockerfile the image came from (for the application paths)."),
    ] = None,
    fresh: Annotated[bool, typer.Option("--fresh", help="Ignore a stored analysis.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Break an image's size down by component, layer and package, to the byte."""
    from workbench import analyses
    from workbench.analysis import COMPONENT_LABELS, load_rules

    text = None
    if dockerfile is not None:
        try:
            text = dockerfile.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            fail(f"cannot read {dockerfile}: {reason}; pass the Dockerfile the image came from")
    if rules is not None:
        load_rules(rules)  # a malformed rules file is named before the engine is asked
    client = engine.connect()
    result = analyses.analyze(
        client,
        image,
        compress=not no_compress,
        rules=rules,
        dockerfile_text=text,
        use_cache=not fresh,
    )
    if as_json:
        print_json(result.to_dict())
        return
    typer.echo(
        f"{image} ({result.image_id[:19]}): {human_bytes(result.size_bytes)} "
        f"({result.size_bytes:,} bytes); a container sees {human_bytes(result.final_bytes)}"
    )
    if result.stand_in_base:
        typer.echo(f"built on a local stand-in of {result.stand_in_base}")
    for name, size in sorted(result.components.items(), key=lambda item: -item[1]):
        share = size / result.size_bytes * 100 if result.size_bytes else 0
        typer.echo(
            f"  {COMPONENT_LABELS.get(name, name):28} {human_bytes(size):>10} {share:5.1f} %"
        )
    if result.compressed.gzip_bytes is not None:
        typer.echo(f"compressed (estimate): {human_bytes(result.compressed.gzip_bytes)}")
    typer.echo(f"efficiency {result.efficiency:.4f}, wasted {human_bytes(result.wasted_bytes)}")
    if result.engine_size_note:
        typer.echo(result.engine_size_note)


@app.command("history")
@friendly
def history_command(
    limit: Annotated[int, typer.Option(help="How many builds, newest first.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The builds kept in the store (works with the engine down)."""
    store = Store()
    store.mark_interrupted()  # builds a dead process left running show as interrupted
    records = store.builds(limit=limit)
    if as_json:
        print_json([record.summary() for record in records])
        return
    if not records:
        typer.echo("no builds yet")
    for record in records:
        when = datetime.fromtimestamp(record.requested_at).strftime("%Y-%m-%d %H:%M:%S")
        detail = f" ({record.error})" if record.error else ""
        typer.echo(
            f"#{record.id:<4} {when} {record.variant:12} {record.status:11} "
            f"{record.duration_s or 0:6.1f} s  {Path(record.project_path).name}{detail}"
        )


cli_registry.register(app)
cli_audit.register(app)
cli_report.register(app)


def main() -> None:
    """Entry point of the ``workbench`` console script."""
    try:
        app()
    except WorkbenchError as exc:  # raised outside a command body
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()

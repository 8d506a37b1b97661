"""``workbench variants``, ``build``, ``history``, ``rebuild-cost``: variants and their builds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from workbench.cli.common import EXIT_FOUND, EXIT_INTERRUPTED, echo_err, fail, friendly, print_json

if TYPE_CHECKING:  # the build service, docker and the variants load only when a command runs
    from workbench.build.service import BuildService, BuildSpec
    from workbench.project import Project
    from workbench.store import BuildRecord


def register(app: typer.Typer) -> None:
    """Add the variant and build commands to the `workbench` app."""
    app.command("variants")(friendly(variants_command))
    app.command("build")(friendly(build_command))
    app.command("rebuild-cost")(friendly(rebuild_cost_command))
    app.command("history")(friendly(history_command))


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
                echo_err(
                    f"[{record.variant}] {record.status} {steps if record.steps_total else ''}"
                )
        if all(record.finished for record in records):
            return


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
    from workbench.project import load_project

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
    smoke: Annotated[
        bool,
        typer.Option(
            "--smoke", help="Smoke-test each image once built (the project's smoke settings)."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Build variants of a project; exit 0 only if every build (and smoke test) succeeded."""
    from workbench import engine
    from workbench.build.service import build_service
    from workbench.project import load_project

    loaded = load_project(project)
    specs = _specs(loaded, variant or ["baseline"], builder, drop or (), no_build_cache, smoke)
    engine.connect()
    service = build_service()
    records = _run_builds(service, [service.submit(spec) for spec in specs])
    smoked = {r.id: o for r in records if (o := service.smoke_outcome(r.id)) is not None}
    if as_json:
        print_json([{**_build_json(r), **_smoke_json(smoked, r)} for r in records])
    else:
        for record in records:
            typer.echo(
                f"{record.variant:12} {record.status:10} {record.tag} "
                f"{(record.image_id or '')[:19]} {record.duration_s or 0:.1f} s"
                + (f"  {smoked[record.id][1]}" if record.id in smoked else "")
            )
    failed = [record for record in records if record.status != "succeeded"]
    for record in failed:
        typer.echo(f"error: build of {record.variant} {record.status}: {record.error}", err=True)
    broken = [r for r in records if r.id in smoked and not smoked[r.id][0]]
    for record in broken:
        typer.echo(f"error: {record.variant}: {smoked[record.id][1]}", err=True)
    if failed or broken:
        raise typer.Exit(EXIT_FOUND)


def _specs(
    project: Project,
    names: list[str],
    builder: str | None,
    drop: Sequence[str],
    no_cache: bool,
    smoke: bool,
) -> list[BuildSpec]:
    """The build of each variant asked for; a variant that cannot be made stops here."""
    from workbench import variants
    from workbench.build.service import BuildSpec

    specs = []
    for name in names:
        derived = variants.derive_variant(project.path, name, drop=drop)
        if derived.error:
            fail(f"variant {name} cannot be built: {derived.error}")
        extra = dict(derived.extra_files)
        specs.append(
            BuildSpec(
                project, name, derived.dockerfile, extra, builder, no_cache=no_cache, smoke=smoke
            )
        )
    return specs


def _run_builds(service: BuildService, ids: list[int]) -> list[BuildRecord]:
    """Wait for the builds (and their smoke tests), printing progress; Ctrl-C cancels."""
    try:
        _progress_printer(service, ids)
    except KeyboardInterrupt:
        for build_id in ids:
            service.cancel(build_id)
        service.wait(ids, timeout=30)
        fail("interrupted; builds cancelled", code=EXIT_INTERRUPTED)
    return service.wait(ids)


def _smoke_json(smoked: dict[int, tuple[bool, str]], record: BuildRecord) -> dict[str, Any]:
    """The smoke test after a build, for ``--json``: passed and its one line."""
    if record.id not in smoked:
        return {}
    passed, line = smoked[record.id]
    return {"smoke": {"passed": passed, "summary": line}}


def _build_json(record: BuildRecord) -> dict[str, Any]:
    keys = ("variant", "tag", "image_id", "status", "duration_s", "cache_hits", "error")
    return {key: record.summary()[key] for key in keys}


def rebuild_cost_command(
    project: Annotated[Path, typer.Argument(help="The project folder.")],
    variant: Annotated[
        list[str] | None, typer.Option("--variant", "-v", help="Variant to time (repeat).")
    ] = None,
    builder: Annotated[str | None, typer.Option(help="buildkit or classic.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Time each variant's rebuild after a source change and after a lock change."""
    from workbench import engine
    from workbench.build import rebuild
    from workbench.project import load_project

    loaded = load_project(project)
    client = engine.connect()
    results = []
    for name in variant or ["baseline", "no-cache", "cache-mount"]:
        echo_err(f"[{name}] timing rebuilds on a scratch copy")
        cost = rebuild.measure_variant(client, loaded, name, builder_name=builder)
        results.append(cost)
        if not as_json:
            lock = f"{cost.lock_change_s:.1f} s" if cost.lock_change_s is not None else "n/a"
            typer.echo(
                f"{name:12} source change {cost.source_change_s:6.1f} s   lock change {lock}"
            )
    if as_json:
        print_json([cost.to_dict() for cost in results])


def history_command(
    limit: Annotated[int, typer.Option(help="How many builds, newest first.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The builds kept in the store (works with the engine down)."""
    from workbench.store import Store

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

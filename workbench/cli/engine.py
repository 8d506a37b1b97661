"""``workbench engine status|ensure`` and ``workbench bootstrap``: the engine, its base images."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from workbench.cli.common import echo_err, fail, friendly, print_json


def register(app: typer.Typer) -> None:
    """Add the engine commands to the `workbench` app."""
    engine_app = typer.Typer(help="The Docker engine the workbench uses.", no_args_is_help=True)
    app.add_typer(engine_app, name="engine")
    engine_app.command("status")(friendly(engine_status))
    engine_app.command("ensure")(friendly(engine_ensure))
    app.command("bootstrap")(friendly(bootstrap_command))


def engine_status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Say whether the engine answers, its version, and the stand-in base images."""
    from workbench import engine

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


def engine_ensure(
    timeout: Annotated[float, typer.Option(help="Seconds to wait for a started engine.")] = 60,
) -> None:
    """Start Debian's dockerd in the background if no engine answers (as root)."""
    from workbench import engine

    current = engine.ensure(timeout_s=timeout, log=echo_err)
    typer.echo(f"engine {current.version} answers at {current.host}")


def bootstrap_command(
    reference: Annotated[
        list[str] | None,
        typer.Argument(help="References to ensure (default: every known stand-in)."),
    ] = None,
    no_pull: Annotated[bool, typer.Option("--no-pull", help="Do not try to pull first.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Make local stand-ins for base images that cannot be pulled."""
    from workbench import engine
    from workbench.engine import bootstrap

    client = engine.connect()
    results = bootstrap.ensure_base_images(
        client, reference or None, pull=not no_pull, log=echo_err
    )
    if as_json:
        print_json([asdict(result) for result in results])
        return
    for result in results:
        badge = " (local stand-in)" if result.stand_in else ""
        typer.echo(f"{result.reference}: {result.action}{badge} in {result.seconds:.1f} s")

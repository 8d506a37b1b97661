"""The ``workbench`` command line: the same functions the pages use.

Errors print one line on stderr and exit with code 2; no tracebacks.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from functools import wraps
from typing import Annotated, Any

import typer

from workbench import __version__, bootstrap, engine
from workbench.errors import WorkbenchError

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


def main() -> None:
    """Entry point of the ``workbench`` console script."""
    try:
        app()
    except WorkbenchError as exc:  # raised outside a command body
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()

"""The ``workbench`` command line: the same functions the pages use.

The app is made here from the command modules, one per group, each with a
``register(app)``; they import :mod:`workbench.cli.common`, never this module.
Errors print one line on stderr and exit with code 2; no tracebacks.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from workbench import __version__
from workbench.cli import (
    analysis,
    audit,
    builds,
    checks,
    diff,
    engine,
    findings,
    optimize,
    registry,
    report,
)
from workbench.cli.common import EXIT_ERROR
from workbench.errors import WorkbenchError

COMMAND_GROUPS = (
    engine,
    builds,
    analysis,
    findings,
    optimize,
    audit,
    diff,
    checks,
    registry,
    report,
)

app = typer.Typer(
    help="The Docker image optimization workbench: build Dockerfile variants and see, "
    "byte for byte, where each image's size goes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


for group in COMMAND_GROUPS:
    group.register(app)


def main() -> None:
    """Entry point of the ``workbench`` console script."""
    try:
        app()
    except WorkbenchError as exc:  # raised outside a command body
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)


if __name__ == "__main__":
    main()

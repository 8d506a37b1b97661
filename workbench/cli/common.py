"""What every command module shares: one-line errors, exit codes, JSON output.

Command modules import this module; it imports none of them (as pip's ``cli/``
package serves its ``commands/``).  The one place that maps exceptions to exit codes
is :func:`friendly`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any

import typer

from workbench.errors import WorkbenchError

EXIT_OK = 0
EXIT_FOUND = 1  # over budget, candidates found, a smoke test or a build failed
EXIT_ERROR = 2  # the command could not do its work
EXIT_INTERRUPTED = 130

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def fail(message: str, code: int = EXIT_ERROR) -> None:
    """Print one line on stderr and exit."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def friendly(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn workbench errors into one line and exit code 2; Ctrl-C into 130."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except WorkbenchError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            fail("interrupted", code=EXIT_INTERRUPTED)

    return wrapper


def echo_err(line: str) -> None:
    """Print a progress line on stderr."""
    typer.echo(line, err=True)


def print_json(data: Any) -> None:
    """Print data as indented JSON on stdout."""
    typer.echo(json.dumps(data, indent=2, default=str))

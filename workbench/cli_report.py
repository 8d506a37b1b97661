"""CLI command for the stakeholder report; `register` adds it to the main app.

``workbench.cli`` imports this module, so this module imports ``workbench.cli``
only inside functions (at call time), never at import time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer


def _friendly(command: Callable[..., Any]) -> Callable[..., Any]:
    """The main app's `friendly` (workbench errors as one line, exit code 2), looked up late."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from workbench.cli import friendly

        return friendly(command)(*args, **kwargs)

    return wrapper


@_friendly
def report_command(
    project: Annotated[Path, typer.Argument(help="The project folder (holds a Dockerfile).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The folder to write the report into.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the headline and the files written as JSON.")
    ] = False,
) -> None:
    """Write the stakeholder report: HTML, Markdown, CSV, JSON and a PNG per chart.

    It reads the stored analyses (the engine may be down): build and analyse the
    baseline and at least one variant first.
    """
    from workbench.cli import print_json
    from workbench.project import load_project
    from workbench.report import build_report, write_report
    from workbench.units import human_bytes

    report = build_report(load_project(project))
    written = write_report(report, out)
    if as_json:
        print_json(
            {
                "headline": report.headline.to_dict(),
                "files": [str(path) for path in written],
            }
        )
        return
    h = report.headline
    typer.echo(
        f"{report.project_name}: {h.baseline} {human_bytes(h.baseline_bytes)} -> "
        f"{h.best} {human_bytes(h.best_bytes)}, saves {human_bytes(h.saved_bytes)} "
        f"({h.saved_pct:.1f} %)"
    )
    for path in written:
        typer.echo(f"  wrote {path}")
    typer.echo(f"open {written[0]} in a browser (it needs no network)")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `workbench` app."""
    app.command("report")(report_command)

"""``workbench report``: the stakeholder report as files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbench.cli.common import friendly, print_json


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
    """Add the report command to the `workbench` app."""
    app.command("report")(friendly(report_command))

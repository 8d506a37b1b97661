"""``workbench findings``: every waste in an image, with its bytes, its line and a fix.

``workbench findings IMAGE|PROJECT`` answers from the store for an image already
analysed (a project stands for its newest baseline build); it exits 0 when nothing has
a fix, 1 when some finding has one, 2 on an error.
"""

from __future__ import annotations

from typing import Annotated

import typer

from workbench.cli.common import EXIT_FOUND, JsonOption, friendly, print_json
from workbench.units import human_bytes


def register(app: typer.Typer) -> None:
    """Add the findings command to the `workbench` app."""
    app.command("findings")(friendly(findings_command))


def findings_command(
    image: Annotated[str, typer.Argument(help="An image (tag or id), or a project folder.")],
    variant: Annotated[
        str, typer.Option(help="For a project: the variant whose newest build to read.")
    ] = "baseline",
    as_json: JsonOption = False,
) -> None:
    """Name every waste in an image: its bytes, the Dockerfile line and the fix."""
    from workbench.findings import image_findings

    result = image_findings(image, variant=variant)
    if as_json:
        print_json(result.to_list())
    else:
        where = f" of {result.project_path} ({result.variant})" if result.variant else ""
        typer.echo(
            f"{image}{where}: {human_bytes(result.size_bytes)}, "
            f"{len(result.findings)} findings, largest first"
        )
        if result.dockerfile is None:
            typer.echo("(no Dockerfile recorded for this image: layers are named, not lines)")
        if result.project_path and not result.audited:
            typer.echo(
                f"(no dependency audit stored: `workbench audit {result.project_path}` adds "
                "the unused dependencies)"
            )
        for finding in result.findings:
            line = f"line {finding.line}" if finding.line else f"layer {finding.layer}"
            fix = (
                f"fix: {finding.fix}"
                if finding.fix
                else "no fix" + (" (a trade-off)" if finding.trade_off else "")
            )
            guess = f" [guess: {finding.reason}]" if finding.certainty != "certain" else ""
            typer.echo(
                f"  {human_bytes(finding.bytes):>9}  {finding.rule:18} {line:9} "
                f"{finding.title}; {fix}{guess}"
            )
    if any(finding.fix for finding in result.findings):
        raise typer.Exit(EXIT_FOUND)

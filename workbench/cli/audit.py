"""``workbench audit``: the dependency audit (plan priority 2).

``workbench audit PROJECT`` exits 0 when it finds nothing, 1 when it finds candidates,
2 on an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from workbench.cli.common import fail, friendly, print_json
from workbench.units import human_bytes

if TYPE_CHECKING:  # the audit's imports cost ~0.1 s; only its commands pay them
    from workbench.audit import Audit


def _mb(value: int | None) -> str:
    return human_bytes(value) if value is not None else "unknown"


def render_audit(audit: Audit) -> list[str]:
    """The audit as lines of text (the CLI's output)."""
    from workbench.engine.images import short_id

    lines = []
    where = (
        f"image {audit.image} ({short_id(audit.image_id or '')})"
        if audit.image
        else "no image (names and sizes guessed)"
    )
    lines.append(
        f"Audit of {Path(audit.project_path).name}: {audit.python_files} Python files in "
        f"{', '.join(audit.sources)}; {where}"
    )
    if audit.candidates:
        lines.append("Candidates (ticked: in the total):")
        for c in audit.candidates:
            tick = "x" if c.selected else " "
            kept = f"; still needed by {', '.join(c.needed_by)}" if c.needed_by else ""
            lines.append(
                f"  [{tick}] {c.name:24} {_mb(c.bytes):>9}  {c.kind:8} {c.certainty:7} "
                f"{c.action} ({len(c.packages)} distributions{kept})"
            )
            lines.append(f"        {c.reason}")
    else:
        lines.append("No dependency to drop.")
    for overlap in audit.overlaps:
        lines.append(f"Overlap: {overlap.group} ({overlap.certainty}): {overlap.advice}")
        for m in overlap.members:
            files = ", ".join(m.files) or "no copied file"
            needed = f"; needed by {', '.join(m.needed_by)}" if m.needed_by else ""
            lines.append(
                f"  {m.name:24} own {_mb(m.own_bytes):>9}, dropping it frees "
                f"{_mb(m.frees_bytes)}; imported by {files}{needed}"
            )
    for use in audit.script_uses:
        lines.append(
            f"Used by the start command: {use.name} (runs `{use.command}` at {use.where}; "
            f"{use.certainty})"
        )
    for warning in audit.warnings:
        where_ = f" at {', '.join(warning.files[:3])}" if warning.files else ""
        lines.append(f"Warning {warning.code} ({warning.certainty}): {warning.message}{where_}")
    if audit.total_bytes is not None:
        verdict = audit.plan_verdict()
        plan = (
            f"; the plan estimated {human_bytes(audit.plan_min_bytes)}-"
            f"{human_bytes(audit.plan_max_bytes)} ({verdict})"
            if verdict
            else ""
        )
        cache = (
            f"; {human_bytes(audit.total_cached_bytes)} of it is uv's cache in the image, so "
            f"{human_bytes(audit.total_bytes - audit.total_cached_bytes)} once installs run "
            "without a cache"
            if audit.total_cached_bytes
            else ""
        )
        lines.append(
            f"Dropping the ticked candidates frees {human_bytes(audit.total_bytes)} "
            f"({audit.total_bytes:,} bytes, {len(audit.total_packages)} distributions){plan}"
            f"{cache}"
        )
    if audit.dev_group:
        lines.append("Keep the development tools for development:")
        lines.extend("  " + line for line in audit.dev_group.splitlines())
    lines.extend(f"Note: {note}" for note in audit.notes)
    return lines


def register(app: typer.Typer) -> None:
    """Add the audit command to the `workbench` app."""
    app.command("audit")(friendly(audit_command))


def audit_command(
    project: Annotated[Path, typer.Argument(help="The project folder.")],
    image: Annotated[
        str | None,
        typer.Option(help="Image to read module names and sizes from (default: baseline)."),
    ] = None,
    no_image: Annotated[
        bool, typer.Option("--no-image", help="Audit from the project and uv.lock alone.")
    ] = False,
    source: Annotated[
        list[str] | None,
        typer.Option(
            help="Folder to scan, relative to the project (repeat; default: "
            "what the Dockerfile copies)."
        ),
    ] = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Read the image again, ignoring a stored audit.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Find dependencies the image installs but the app never uses, with their bytes.

    Exit codes: 0 nothing found, 1 candidates found, 2 error.
    """
    from workbench.audit import run_audit
    from workbench.project import load_project

    if image and no_image:
        fail("--image and --no-image contradict each other; pick one")
    loaded = load_project(project)
    result = run_audit(
        loaded, image=image, sources=source or None, use_image=not no_image, fresh=fresh
    )
    if as_json:
        data = result.to_dict()
        data.pop("image_facts", None)
        data.pop("graph", None)
        print_json(data)
    else:
        for line in render_audit(result):
            typer.echo(line)
    raise typer.Exit(result.exit_code)

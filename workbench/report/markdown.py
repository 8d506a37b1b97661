"""The report as Markdown: the same tables as the HTML, the charts as PNGs beside it."""

from __future__ import annotations

from workbench.compare.story import target_sentence
from workbench.report.model import CHARTS_DIR, Report
from workbench.report.tables import (
    Table,
    cell_text,
    components_table,
    headline_table,
    savings_table,
    targets_table,
    tasks_table,
    variants_table,
    waterfall_table,
)


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_table(table: Table) -> str:
    """A pipe table; numeric columns are right-aligned."""
    columns = table.columns
    lines = [
        "| " + " | ".join(_md_cell(c.header) for c in columns) + " |",
        "|" + "|".join("---:" if c.numeric else "---" for c in columns) + "|",
    ]
    lines += [
        "| " + " | ".join(_md_cell(cell_text(row[c.key])) for c in columns) + " |"
        for row in table.rows
    ]
    return "\n".join(lines)


def _md_image(report: Report, name: str) -> str:
    chart = next((c for c in report.charts if c.name == name), None)
    return f"![{chart.title}]({CHARTS_DIR}/{name}.png)\n" if chart else ""


def _plan_md(report: Report) -> list[str]:
    """Plan vs measured: the tasks, then the targets; or that there is no plan."""
    out = ["## Plan vs measured", ""]
    if report.plan_title is None:
        return [*out, "This project has no plan file (plan.toml).", ""]
    out += [_md_table(tasks_table(report)), ""]
    if report.targets:
        out += ["### Targets", "", _md_table(targets_table(report)), ""]
    return out


def report_markdown(report: Report) -> str:
    """The report as Markdown: the same tables, the charts as PNGs under ``charts/``.

    Args:
        report: the report to write.

    Returns:
        The document; its images link ``charts/<name>.png``, the files
        :func:`workbench.report.files.report_files` renders.
    """
    h = report.headline
    out = [f"# Docker image optimization report: {report.project_name}", ""]
    meta = f"Generated {report.date}"
    if report.plan_title:
        meta += f" · Plan: {report.plan_title}"
        meta += f" ({report.plan_created})" if report.plan_created else ""
    out += [meta, "", f"Project: `{report.project_path}`", ""]
    if report.story is not None:
        out += [f"**{_md_cell(report.story.sentence())}**", ""]
    out += [_md_image(report, "plan_vs_measured"), _md_image(report, "before_after")]
    out += [f"- {target_sentence(t)}" for t in report.targets] + ["", "## Headline", ""]
    out += [_md_table(headline_table(report)), "", f"Compressed figures: {h.compressed_kind}.", ""]
    if report.stand_ins:
        bases = ", ".join(sorted(set(report.stand_ins.values())))
        out += [
            f"> **Local stand-in base**: {', '.join(report.stand_ins)} built on a local stand-in "
            f"for {bases}; sizes measured on a stand-in differ from the real base image.",
            "",
        ]
    out += _plan_md(report)
    out += ["## Where the bytes go", "", _md_image(report, "components")]
    out += [_md_table(components_table(report)), ""]
    out += [f"## Savings against the {report.baseline}", ""]
    out += [_md_table(savings_table(report)), "", _md_image(report, "savings")]
    out += [f"## From the {report.baseline} to the best variant", ""]
    out += [_md_image(report, "waterfall"), _md_table(waterfall_table(report)), ""]
    out += ["## Compressed size and build time", ""]
    out += [_md_image(report, "compressed"), _md_image(report, "durations")]
    out += [_md_table(variants_table(report)), ""]
    out += ["---", "", report.units_note, ""]
    return "\n".join(out)

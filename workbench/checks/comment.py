"""The pull-request comment of ``workbench check --format markdown``.

Reporting only: the verdict, the diff's headline, a table per component, the top
package changes and the limits, from a :class:`~workbench.checks.growth.GrowthResult`
and/or a :class:`~workbench.checks.budget.BudgetResult`.  GitHub and GitLab render it
as is (``gh pr comment --body-file``, a merge-request note).
"""

from __future__ import annotations

from typing import Any

from workbench.checks.budget import WHAT_LABELS, BudgetResult
from workbench.checks.growth import GrowthResult, check_rows
from workbench.compare.diff_report import headline, markdown_sections, md_table
from workbench.units import UNITS_NOTE, human_bytes

PASS = "✅"
FAIL = "❌"
CHECK_COLUMNS = ["Limit on", "Reference", "Image", "Growth", "Allowed", "Verdict"]
BUDGET_COLUMNS = ["Limit on", "Image", "Limit", "Verdict"]


def _budget_figure(what: str, value: float | None) -> str:
    if value is None:
        return "unknown"
    return f"{value:.4f}" if what == "efficiency" else human_bytes(value)


def budget_rows(result: BudgetResult) -> list[dict[str, Any]]:
    """Each budget limit as a row: the figure, the image's value, the limit, the verdict."""
    limits = {
        "size": result.limits.max_size,
        "compressed": result.limits.max_compressed,
        "efficiency": result.limits.min_efficiency,
        "shadowed": result.limits.max_shadowed,
    }
    over = {violation.what: violation for violation in result.violations}
    rows = []
    for what, limit in limits.items():
        if limit is None:
            continue
        source = f" ({result.compressed_source})" if what == "compressed" else ""
        violation = over.get(what)
        if violation is None:
            verdict = "within"
        elif what == "efficiency":
            verdict = f"under by {violation.over_by:.4f}"
        else:
            verdict = f"over by {human_bytes(violation.over_by)}"
        rows.append(
            {
                "Limit on": WHAT_LABELS[what] + source,
                "Image": _budget_figure(what, result.actual(what)),
                "Limit": ("at least " if what == "efficiency" else "")
                + _budget_figure(what, limit),
                "Verdict": verdict,
            }
        )
    return rows


def _verdict(growth: GrowthResult | None, budget: BudgetResult | None) -> str:
    failed = []
    if growth is not None:
        failed += [f"{c.limit.label} grew past {c.limit.text}" for c in growth.violations]
    if budget is not None:
        failed += [f"{v.label} over its limit" for v in budget.violations]
    if not failed:
        return f"{PASS} **Within limits.**"
    return f"{FAIL} **Over limits:** {'; '.join(failed)}."


def render_markdown(
    growth: GrowthResult | None = None,
    budget: BudgetResult | None = None,
    *,
    top_packages: int = 10,
) -> str:
    """The pull-request comment: the verdict, the headline, the tables, the limits.

    Args:
        growth: the image against its reference, with the growth limits checked.
        budget: the image against its size budget.
        top_packages: how many package changes to list.

    Returns:
        The comment, in GitHub-flavoured Markdown.
    """
    image = growth.image if growth is not None else (budget.image if budget else "")
    title = f"### Image size: `{image}`"
    if growth is not None:
        title += f" against `{growth.against}`"
    out = [title, _verdict(growth, budget)]
    if growth is not None:
        out += [f"**{headline(growth.diff)}**", *markdown_sections(growth.diff, top_packages)]
        if growth.checks:
            out += [
                "**Growth limits**",
                md_table(check_rows(growth), CHECK_COLUMNS, CHECK_COLUMNS[1:4]),
            ]
    if budget is not None:
        out += [
            "**Size budget**",
            md_table(budget_rows(budget), BUDGET_COLUMNS, BUDGET_COLUMNS[1:3]),
        ]
    out.append(f"<sub>{UNITS_NOTE}</sub>")
    return "\n\n".join(out) + "\n"

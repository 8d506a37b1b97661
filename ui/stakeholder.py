"""Stakeholder mode: the story first, in large type, without logs or controls.

:func:`first_screen` is what the Overview and the Compare pages show first in stakeholder
mode, laid out as the first screen of the HTML report: one sentence (the best variant
that still works against the baseline, beside the plan's estimate), the plan against
the measured saving per task, the before/after bar by component, and whether the plan's
targets are met.  It fits a 1280×720 screen down to the plan's chart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import streamlit as st

from ui.figures import show_chart
from workbench.compare import BASELINE, TaskComparison, VariantFigures, best_variant
from workbench.compare.story import size_range
from workbench.errors import WorkbenchError
from workbench.project import Project
from workbench.project.plan import Plan
from workbench.units import UNITS_NOTE, human_bytes

LARGE_TYPE = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 3rem; }
[data-testid="stMain"] h1 { font-size: 2.05rem; line-height: 1.3; font-weight: 700; }
[data-testid="stMain"] p, [data-testid="stMain"] li { font-size: 1.25rem; }
[data-testid="stMain"] [data-testid="stMetricLabel"] p { font-size: 1.3rem; }
[data-testid="stMain"] [data-testid="stMetricValue"],
[data-testid="stMain"] [data-testid="stMetricValue"] div,
[data-testid="stMain"] [data-testid="stMetricValue"] p { font-size: 3.4rem; line-height: 1.15; }
[data-testid="stMain"] [data-testid="stMetricDelta"] div,
[data-testid="stMain"] [data-testid="stMetricDelta"] p { font-size: 1.3rem; }
</style>
"""
STAKEHOLDER_VIEW = "stakeholder"  # ?view=stakeholder: a link that opens in stakeholder mode
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>#+!|~$])")


def stakeholder_mode() -> bool:
    """Whether the sidebar's stakeholder toggle is on."""
    return bool(st.session_state.get("stakeholder_mode", False))


def apply_large_type() -> None:
    if stakeholder_mode():
        st.markdown(LARGE_TYPE, unsafe_allow_html=True)


def plain(text: str) -> str:
    """Text shown as is in Markdown (project and variant names may hold ``_`` or ``*``)."""
    return _MARKDOWN.sub(r"\\\1", text)


def project_plan(project: Project) -> Plan | None:
    """The project's plan; ``None`` without one (a malformed one is said on the page)."""
    try:
        return project.plan()
    except WorkbenchError as exc:
        st.error(str(exc))
        return None


def headline_metrics(figures: Sequence[VariantFigures]) -> None:
    """Baseline against the best variant: size, compressed size, savings."""
    base = next((f for f in figures if f.variant == BASELINE), None)
    if base is None or len(figures) < 2:
        return
    best = best_variant(figures)
    if best is None:
        st.metric("Baseline", human_bytes(base.size_bytes))
        st.warning("Every variant failed its smoke test: none of them saves anything yet.")
        return
    saved = base.size_bytes - best.size_bytes
    cols = st.columns(3)
    cols[0].metric("Baseline", human_bytes(base.size_bytes))
    cols[1].metric(
        f"Best: {best.variant}",
        human_bytes(best.size_bytes),
        delta=f"{human_bytes(-saved)} ({-saved / base.size_bytes:.0%})",
        delta_color="inverse",
        help="The smallest variant whose image did not fail its smoke test; its smoke test: "
        f"{best.smoke}.",
    )
    if base.compressed_bytes and best.compressed_bytes:
        kind = "measured" if best.compressed_is_measured else "estimated"
        cols[2].metric(
            f"Compressed ({kind})",
            human_bytes(best.compressed_bytes),
            delta=f"{human_bytes(best.compressed_bytes - base.compressed_bytes)}",
            delta_color="inverse",
            help=f"Baseline compressed: {human_bytes(base.compressed_bytes)}",
        )


def _targets(plan: Plan | None, figures: Sequence[VariantFigures]) -> None:
    from workbench.compare import plan_vs_measured
    from workbench.compare.story import target_sentence

    if plan is None:
        return
    for target in plan_vs_measured(plan, figures)[1]:
        badge = {True: ":green-badge[met]", False: ":red-badge[not met]"}.get(
            target.met, ":gray-badge[not measured]"
        )
        st.markdown(f"{badge} {plain(target_sentence(target))}")


def savings_without_zeros(figures: Sequence[VariantFigures]) -> None:
    """The baseline against the best variant per component: only the components that
    changed (the rows add up to the total); the unchanged ones are named below."""
    from workbench.analysis import COMPONENT_LABELS, COMPONENTS

    base = next((f for f in figures if f.variant == BASELINE), None)
    best = best_variant(figures)
    if base is None or best is None:
        return
    st.subheader(f"Where the bytes went: {best.variant} against the baseline")
    rows, same = [], []
    for c in COMPONENTS:
        before, after = base.analysis.components.get(c, 0), best.analysis.components.get(c, 0)
        if before == after:
            same.append(f"{COMPONENT_LABELS[c]} ({human_bytes(before)})" if before else "")
            continue
        rows.append(
            {
                "Component": COMPONENT_LABELS[c],
                "Baseline": human_bytes(before),
                best.variant: human_bytes(after),
                "Saved": human_bytes(before - after),
                "% of the component": f"{(before - after) / before * 100:.1f} %" if before else "",
            }
        )
    saved = base.size_bytes - best.size_bytes
    rows.append(
        {
            "Component": "Total",
            "Baseline": human_bytes(base.size_bytes),
            best.variant: human_bytes(best.size_bytes),
            "Saved": human_bytes(saved),
            "% of the component": f"{saved / base.size_bytes * 100:.1f} %",
        }
    )
    st.dataframe(rows, hide_index=True, width="stretch")
    unchanged = [text for text in same if text]
    if unchanged:
        st.caption(f"The same in both images: {', '.join(unchanged)}.")


def tasks_table(tasks: Sequence[TaskComparison]) -> None:
    """Each plan task: the estimate, the measured saving and the verdict."""
    st.subheader("The plan's tasks")
    st.dataframe(
        [
            {
                "Task": f"P{t.priority}: {t.task}",
                "Plan estimate": size_range(t.estimate_min_bytes, t.estimate_max_bytes),
                "Measured": human_bytes(t.measured_bytes) if t.measured_bytes is not None else "",
                "Smoke test": t.smoke if t.measured_bytes is not None else "",
                "Verdict": t.verdict,
            }
            for t in tasks
        ],
        hide_index=True,
        width="stretch",
    )


def first_screen(project: Project, figures: Sequence[VariantFigures], plan: Plan | None) -> None:
    """The story, then plan vs measured per task, the before/after bar and the targets."""
    from workbench.compare import plan_frame, plan_vs_measured
    from workbench.compare.story import before_after_frame, project_story

    story = project_story(project.path.name, figures, plan)
    if story is None:
        st.title(f"{plain(project.path.name)}: nothing to compare yet")
        st.info("The baseline and a variant must be built and analysed first.")
        return
    st.title(plain(story.sentence()), anchor=False)
    tasks = plan_vs_measured(plan, figures)[0] if plan else []
    if tasks:
        show_chart("plan", plan_frame(tasks))
    if story.best is not None:
        show_chart("before_after", before_after_frame(figures, story.best, story.baseline))
    _targets(plan, figures)
    st.caption(
        f"A saving counts only when the image still works: a variant whose smoke test "
        f"failed is never the best. {UNITS_NOTE}"
    )

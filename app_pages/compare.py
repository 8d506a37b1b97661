"""Compare: variants side by side, the savings per component, and the plan vs measured."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.compare_data import compare_data, readable_plan
from ui.figures import figures_key, figures_of, show_chart
from ui.stakeholder import (
    first_screen,
    headline_metrics,
    project_plan,
    savings_without_zeros,
    stakeholder_mode,
    tasks_table,
)
from ui.state import analysis_progress, push_controls, rebuild_controls, require_project
from workbench import compare
from workbench.analysis import COMPONENT_LABELS, COMPONENTS
from workbench.store import Store
from workbench.units import UNITS_NOTE, human_bytes

SECTION_KEY = "compare_section"  # the open tab below the savings: its label
project = require_project()
store = Store()
key = figures_key(project, store)
figures = figures_of(key)

if stakeholder_mode():
    if len(figures) < 2:
        st.title("Compare")
        st.info("Nothing to compare yet: the baseline and a variant must be built and analysed.")
        st.stop()
    plan = project_plan(project)
    first_screen(project, figures, plan)
    savings_without_zeros(figures)
    if plan is not None:
        tasks_table(compare.plan_vs_measured(plan, figures)[0])
    st.stop()

st.title("Compare")
st.caption(f"Each variant's newest image. {UNITS_NOTE}")
newest = {variant: image for _, variant, image, *_ in reversed(key.stamp) if image}
analysis_progress(list(newest.values()), key="compare")
if len(figures) < 2:
    st.info(
        "Compare needs the baseline and at least one variant, built and analysed. "
        "Build them on the Builds page; they are analysed when they appear here."
    )
    st.stop()

data = compare_data(project, store, key, readable_plan(project))
headline_metrics(figures)
show_chart("components", data.components)

savings = data.savings
if len(savings):
    st.subheader("Savings against the baseline")
    table = savings.assign(
        Saved=[human_bytes(b, signed=False) for b in savings["saved_bytes"]],
        Percent=[f"{p:.1f} %" for p in savings["saved_pct"]],
    )
    wide = table.pivot(index="label", columns="variant", values="Saved")
    percent = table.pivot(index="label", columns="variant", values="Percent")
    changed = set(savings.loc[savings["saved_bytes"] != 0, "label"])
    order = [COMPONENT_LABELS[c] for c in COMPONENTS if COMPONENT_LABELS[c] in changed]
    variants = [f.variant for f in figures if f.variant in wide.columns]
    merged = pd.concat(
        {"Saved": wide[variants], "% of the component": percent[variants]}, axis=1
    ).reindex([*order, "Total"])
    smoke = {f.variant: f.smoke for f in figures}
    merged.loc["Smoke test"] = [smoke[v] for v in variants] * 2
    merged.index.name = "Component"
    st.dataframe(merged, width="stretch")
    same = [COMPONENT_LABELS[c] for c in COMPONENTS if COMPONENT_LABELS[c] not in changed]
    st.caption(
        "A variant whose image failed its smoke test saves nothing: it is never the best, and "
        "its saving is not counted against the plan. “not checked”: never smoke-tested."
        + (f" The same in every variant (not shown): {', '.join(same)}." if same else "")
    )
    left, right = st.columns(2)
    show_chart("waterfall", data.waterfall, where=left)
    show_chart("savings", savings, where=right)


def _ladder_section() -> None:
    show_chart("ladder", data.ladder)
    st.caption(
        "Each fix was built and smoke-tested on top of the ones kept before it, and kept "
        "only when the image still worked and was smaller; the steps add up to the byte. "
        "The Variants page runs it (Optimize)."
    )


def _history_section() -> None:
    history = data.history
    analysed = history[history["mb"].notna()]
    if len(analysed):
        show_chart("size_history", history)
    unmeasured = len(history) - len(analysed)
    never = f" {unmeasured} builds' images were never analysed: not shown." if unmeasured else ""
    st.caption(
        "Every build of each variant, by the time it finished; hover a point for its "
        f"Dockerfile's sha256 and its image, and compare two on the Diff page.{never}"
    )


def _plan_section() -> None:
    if data.plan is None:
        project_plan(project)  # says why, when the plan file cannot be read
        st.info(
            "This project has no plan file (plan.toml), so there is nothing to compare against."
        )
        return
    show_chart("plan", data.plan_chart)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Task": f"P{t.priority}: {t.task}",
                    "Variant": t.variant,
                    "Plan estimate": f"{human_bytes(t.estimate_min_bytes)} – "
                    f"{human_bytes(t.estimate_max_bytes)}",
                    "Measured saving": human_bytes(t.measured_bytes)
                    if t.measured_bytes is not None
                    else "",
                    "Measured against": t.reference,
                    "Smoke test": t.smoke if t.measured_bytes is not None else "",
                    "Verdict": t.verdict,
                }
                for t in data.tasks
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    for target in data.targets:
        if target.best_bytes is None:
            continue
        kind = "" if target.measured else " (estimated: push the image to measure it)"
        text = (
            f"Target {target.target}: {human_bytes(target.min_bytes)} – "
            f"{human_bytes(target.max_bytes)}; best: **{target.best_variant}** at "
            f"{human_bytes(target.best_bytes)}{kind}"
        )
        (st.success if target.met else st.warning)(f"{'Met' if target.met else 'Not met'}. {text}")


def _seconds(value: float | None, missing: str = "not measured") -> str:
    return f"{value:.1f}" if value else missing


def _build_section() -> None:
    left, right = st.columns(2)
    show_chart("compressed", data.figures_table, where=left)
    show_chart("durations", data.figures_table, where=right)
    costs = {(c["variant"]): c for c in store.rebuild_costs(project.key)}
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Variant": f.variant,
                    "Size": human_bytes(f.size_bytes),
                    "Compressed (measured)": human_bytes(f.pushed_bytes)
                    if f.pushed_bytes is not None
                    else "push to measure",
                    "Compressed (estimate)": human_bytes(f.gzip_bytes)
                    if f.gzip_bytes is not None
                    else "",
                    "Build (s)": round(f.build.duration_s or 0, 1),
                    "Rebuild after a source change (s)": _seconds(
                        costs.get(f.variant, {}).get("source_change_s")
                    ),
                    "Rebuild after a lock change (s)": _seconds(
                        costs.get(f.variant, {}).get("lock_change_s"),
                        "n/a (no uv.lock)" if f.variant in costs else "not measured",
                    ),
                    "Still works?": {True: "yes", False: "no", None: "not checked"}[f.smoke_passed],
                }
                for f in figures
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    push_controls([f.build.image_id for f in figures if f.pushed_bytes is None], key="compare")
    rebuild_controls(project, [f.variant for f in figures], key="compare")
    st.caption(
        "Rebuild times: the button above, or `workbench rebuild-cost PROJECT`; "
        "“Still works?” from `workbench smoke IMAGE`."
    )


# Only the open tab runs and is drawn (lazy tabs): four charts at first, not eight
SECTIONS = {
    "Plan vs measured": _plan_section,
    **({"Optimize: each kept fix": _ladder_section} if data.ladder is not None else {}),
    "Size over time": _history_section,
    "Build time and compressed size": _build_section,
}
tabs = st.tabs(list(SECTIONS), key=SECTION_KEY, on_change="rerun")
for tab, draw in zip(tabs, SECTIONS.values(), strict=True):
    if tab.open is not False:
        with tab:
            draw()

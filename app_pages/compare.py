"""Compare: variants side by side, the savings per component, and the plan vs measured."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.stakeholder import headline_metrics, stakeholder_mode
from ui.state import analysis_progress, push_controls, rebuild_controls, require_project
from workbench import compare
from workbench.analysis import COMPONENT_LABELS, COMPONENTS
from workbench.compare import charts, diff_charts
from workbench.compare.figures import size_history_frame
from workbench.errors import WorkbenchError
from workbench.findings.ladder import ladder_chart, ladder_frame
from workbench.findings.optimize import latest_optimization
from workbench.store import Store
from workbench.units import UNITS_NOTE, human_bytes

st.title("Compare")
st.caption(f"Each variant's newest image. {UNITS_NOTE}")
project = require_project()

store = Store()
latest = store.latest_images(project.key)
if not stakeholder_mode():
    analysis_progress([b.image_id for b in latest.values() if b.image_id], key="compare")
figures = compare.project_figures(project, store)
if len(figures) < 2:
    st.info(
        "Compare needs the baseline and at least one variant, built and analysed. "
        "Build them on the Builds page; they are analysed when they appear here."
    )
    st.stop()

headline_metrics(figures)

frame = compare.components_frame(figures)
st.altair_chart(charts.components_chart(frame), theme="streamlit", width="stretch")

savings = compare.savings_frame(figures)
if len(savings):
    st.subheader("Savings against the baseline")
    table = savings.assign(
        Saved=[human_bytes(b, signed=False) for b in savings["saved_bytes"]],
        Percent=[f"{p:.1f} %" for p in savings["saved_pct"]],
    )
    wide = table.pivot(index="label", columns="variant", values="Saved")
    percent = table.pivot(index="label", columns="variant", values="Percent")
    order = [*(COMPONENT_LABELS[c] for c in COMPONENTS), "Total"]
    variants = [f.variant for f in figures if f.variant in wide.columns]
    merged = pd.concat(
        {"Saved": wide[variants], "% of the component": percent[variants]}, axis=1
    ).reindex(order)
    smoke = {f.variant: f.smoke for f in figures}
    merged.loc["Smoke test"] = [smoke[v] for v in variants] * 2
    merged.index.name = "Component"
    st.dataframe(merged, width="stretch")
    st.caption(
        "A variant whose image failed its smoke test saves nothing: it is never the best, and "
        "its saving is not counted against the plan. “not checked”: never smoke-tested."
    )
    left, right = st.columns(2)
    left.altair_chart(
        charts.waterfall_chart(compare.waterfall_frame(figures)), theme="streamlit", width="stretch"
    )
    right.altair_chart(charts.savings_chart(savings), theme="streamlit", width="stretch")

optimization = latest_optimization(project, store)[1]
if optimization is not None and len(ladder := ladder_frame(optimization)) > 1:
    st.subheader("Optimize: from the baseline through each kept fix")
    st.altair_chart(ladder_chart(ladder), theme="streamlit", width="stretch")
    st.caption(
        "Each fix was built and smoke-tested on top of the ones kept before it, and kept only "
        "when the image still worked and was smaller; the steps add up to the byte. The "
        "Variants page runs it (Optimize)."
    )

st.subheader("Size over time")
history = size_history_frame(project, store)
analysed = history[history["mb"].notna()]
if len(analysed):
    st.altair_chart(diff_charts.size_history_chart(history), theme="streamlit", width="stretch")
unmeasured = len(history) - len(analysed)
never = f" {unmeasured} builds' images were never analysed: not shown." if unmeasured else ""
st.caption(
    "Every build of each variant, by the time it finished; hover a point for its "
    f"Dockerfile's sha256 and its image, and compare two on the Diff page.{never}"
)

st.subheader("Plan vs measured")
try:
    plan = project.plan()
except WorkbenchError as exc:
    st.error(str(exc))
    plan = None
if plan is None:
    st.info("This project has no plan file (plan.toml), so there is nothing to compare against.")
else:
    tasks, targets = compare.plan_vs_measured(plan, figures)
    st.altair_chart(
        charts.plan_chart(compare.plan_frame(tasks)), theme="streamlit", width="stretch"
    )
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
                for t in tasks
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    for target in targets:
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


if not stakeholder_mode():
    st.subheader("Build time and compressed size")
    figures_table = charts.figures_frame(figures)
    left, right = st.columns(2)
    left.altair_chart(charts.compressed_chart(figures_table), theme="streamlit", width="stretch")
    right.altair_chart(charts.durations_chart(figures_table), theme="streamlit", width="stretch")
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

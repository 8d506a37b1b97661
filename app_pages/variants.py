"""Variants: each Dockerfile variant, its diff against the baseline, the custom editor."""

from __future__ import annotations

import streamlit as st

from ui.code_view import show_diff, show_dockerfile
from ui.state import drop_choice, project_dependencies, project_variants, require_project
from workbench import variants
from workbench.findings.optimize import cancel_optimize, latest_optimization, start_optimize
from workbench.store import Store
from workbench.units import human_bytes

st.title("Variants")
st.caption(
    "Each variant is derived from the project's own Dockerfile. The project's files are "
    "never changed: variants are built from a separate build context."
)
project = require_project()

with st.expander("Dependencies to drop (pruned-deps and combined)", expanded=False):
    st.multiselect(
        "Runtime dependencies to remove",
        project_dependencies(project),
        key=f"variants_drop_{project.key}",
        help="The lock is regenerated with `uv lock` in a scratch copy.",
    )
derived = project_variants(project, drop_choice(project))
by_name = {variant.name: variant for variant in derived}

rows = [
    {
        "Variant": v.name,
        "Plan task": v.plan_task or "",
        "What changes": f"cannot be made: {v.error}" if v.error else v.summary,
        "Needs BuildKit": "yes" if v.requires_buildkit else "",
    }
    for v in derived
]
st.dataframe(rows, hide_index=True, width="stretch")

name = st.selectbox("Show", list(by_name), key="variants_show")
variant = by_name[name]
if variant.error:
    st.warning(f"**{name}** cannot be made: {variant.error}")
else:
    st.markdown(f"**{name}**: {variant.summary}")
    dockerfile_tab, diff_tab = st.tabs(["Dockerfile", "Diff against baseline"])
    show_dockerfile(variant.dockerfile, label=f"The {name} Dockerfile", where=dockerfile_tab)
    show_diff(
        variant.diff or "(same as the baseline)",
        label=f"The {name} Dockerfile against the baseline",
        where=diff_tab,
    )
    st.download_button(
        "Download this Dockerfile",
        variant.dockerfile,
        file_name=f"Dockerfile.{name}",
        key=f"variants_download_dockerfile_{name}",
    )
    if variant.extra_files:
        st.caption(
            "Files this variant overlays on the build context: "
            + ", ".join(f"`{path}`" for path in sorted(variant.extra_files))
        )
        for path, content in sorted(variant.extra_files.items()):
            st.download_button(
                f"Download {path}",
                content,
                file_name=path.rsplit("/", 1)[-1],
                key=f"variants_download_{name}_{path}",
            )

st.subheader("Optimize")
st.caption(
    "Builds each fix the image's findings name on top of the fixes kept before it, "
    "smoke-tests it, and keeps it only when the image still works and is smaller; then "
    "builds the kept fixes together as the optimized variant. Your files are never changed."
)
run, result = latest_optimization(project)
running = run is not None and not run.finished
start, cancel = st.columns([1, 5])
if start.button("Optimize", type="primary", key="variants_optimize", disabled=running):
    start_optimize(project)
    st.rerun()
if running and cancel.button("Cancel", key="variants_optimize_cancel"):
    cancel_optimize(run.id)


@st.fragment(run_every=1.0)
def _optimize_progress() -> None:
    """The running optimize run's step and build log (polled while it runs)."""
    current, _ = latest_optimization(project)
    if current is None or current.finished:
        if st.session_state.pop("variants_optimizing", False):
            st.rerun(scope="app")
        return
    st.session_state["variants_optimizing"] = True
    steps = current.steps_total or "?"
    with st.status(f"Step {current.step} of {steps}: {current.current}", state="running"):
        build = Store().build(current.build_id) if current.build_id else None
        st.code(build.log_tail(15) if build and build.log else "(waiting for the build)")


if running or st.session_state.get("variants_optimizing", False):
    _optimize_progress()
if run is not None and run.finished and run.status != "succeeded":
    st.error(f"The last optimize run {run.status}: {run.error}")
if result is not None:
    from workbench.findings.ladder import ladder_table  # Altair: only with a result

    cols = st.columns(3)
    cols[0].metric("Baseline", human_bytes(result.baseline.size_bytes or 0))
    if result.optimized is not None and result.optimized.size_bytes is not None:
        cols[1].metric("Optimized", human_bytes(result.optimized.size_bytes))
        cols[2].metric(
            "Saved",
            human_bytes(result.saved_bytes or 0),
            help="Measured: the engine's sizes. The steps' savings add up to it, to the byte."
            if result.adds_up
            else "The steps' savings do not add up to it: see the notes.",
        )
    st.dataframe(
        ladder_table(result), hide_index=True, width="stretch", key="variants_optimize_ladder"
    )
    for note in result.notes:
        st.caption(note)
    for step in result.steps:
        if step.status == "dropped" and step.smoke_log:
            with st.expander(f"{step.fix} dropped: {step.reason}"):
                st.code(step.smoke_log)
    if result.diff:
        final_tab, diff_tab = st.tabs(["Optimized Dockerfile", "Diff against yours"])
        show_dockerfile(result.dockerfile, label="The optimized Dockerfile", where=final_tab)
        show_diff(result.diff, label="The optimized Dockerfile against yours", where=diff_tab)
        st.download_button(
            "Download the diff",
            result.diff,
            file_name=f"{project.name}-optimized.diff",
            key="variants_optimize_diff",
        )

st.subheader("Custom Dockerfile")
saved = variants.load_custom_dockerfile(project.path)
text = st.text_area(
    "Edit freely; it is saved per project in the workbench home.",
    value=saved if saved is not None else project.dockerfile_text(),
    height=360,
    key=f"variants_custom_{project.key}",
)
save, reset = st.columns([1, 5])
if save.button("Save", key="variants_custom_save", type="primary"):
    where = variants.save_custom_dockerfile(project.path, text)
    st.session_state["variants_saved_to"] = str(where)
    st.rerun()
if saved_to := st.session_state.pop("variants_saved_to", None):
    st.success(f"Saved as the custom variant ({saved_to}).")
if reset.button("Start again from the baseline", key="variants_custom_reset"):
    variants.delete_custom_dockerfile(project.path)
    st.session_state.pop(f"variants_custom_{project.key}", None)
    st.rerun()

"""Builds: pick variants, build them in the background, watch them live, keep history."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from ui.smoke_settings import has_smoke_settings, smoke_settings_editor
from ui.state import drop_choice, engine_banner, engine_status, project_variants, require_project
from workbench.build.builders import available_builders
from workbench.build.service import BuildSpec, build_service
from workbench.engine.images import short_id
from workbench.errors import WorkbenchError
from workbench.jobs import BUILD, process_jobs
from workbench.store import ACTIVE, Store

DEFAULT_VARIANTS = ["baseline", "no-cache", "multi-stage"]

st.title("Builds")
project = require_project()
status = engine_status()
engine_banner(status)

derived = {v.name: v for v in project_variants(project, drop_choice(project))}
buildable = [name for name, v in derived.items() if not v.error]

if status.reachable:
    builders = available_builders()
    left, right = st.columns([3, 2])
    picked = left.multiselect(
        "Variants to build",
        buildable,
        default=[name for name in DEFAULT_VARIANTS if name in buildable],
        key="builds_variants",
    )
    builder = right.radio(
        "Builder",
        [b.name for b in builders],
        captions=[b.description for b in builders],
        key="builds_builder",
        horizontal=False,
    )
    smoke = st.checkbox(
        "Smoke-test each image after its build",
        value=has_smoke_settings(project),
        key=f"builds_smoke_{project.key}",
        help="Runs the image with the project's smoke settings (below) and checks that it "
        "answers: a variant whose image fails is never the best and saves nothing.",
    )
    if st.button("Build", type="primary", key="builds_start", disabled=not picked):
        service = build_service()
        for name in picked:
            variant = derived[name]
            extra = dict(variant.extra_files)
            spec = BuildSpec(project, name, variant.dockerfile, extra, builder, smoke=smoke)
            try:
                service.submit(spec)
            except WorkbenchError as exc:
                st.error(f"{name}: {exc}")
    unbuildable = [f"**{n}** ({v.error})" for n, v in derived.items() if v.error]
    if unbuildable:
        st.caption("Not buildable now: " + "; ".join(unbuildable))


@st.fragment(run_every=1.0)
def live_builds() -> None:
    """Builds of this project that are queued or running, from the store (any tab)."""
    store = Store()
    active = store.builds(project_key=project.key, statuses=ACTIVE)
    # a build whose job still runs once its record is finished is smoke-testing its image
    after = [store.build(job.subject) for job in process_jobs().active((BUILD,))]
    smoking = [r for r in after if r and r.finished and r.project_key == project.key]
    was_active = st.session_state.get("builds_were_active", False)
    st.session_state["builds_were_active"] = bool(active or smoking)
    if was_active and not (active or smoking):
        st.rerun(scope="app")  # refresh the history once the last build ends
    for record in smoking:
        st.status(f"{record.variant}: built; smoke-testing the image", state="running")
    for record in reversed(active):
        steps = (
            f"step {record.steps_done} of {record.steps_total}"
            if record.steps_total
            else "starting"
        )
        label = f"{record.variant}: {record.status}, {steps} ({record.builder})"
        with st.status(label, state="running", expanded=True):
            st.code(record.log_tail(15) or "waiting for output…", language="text")
            if st.button("Cancel", key=f"builds_cancel_{record.id}"):
                build_service().cancel(record.id)


live_builds()

with st.expander("Smoke settings", expanded=False):
    smoke_settings_editor(project)

st.subheader("History")
store = Store()
records = store.builds(project_key=project.key, limit=200)
if not records:
    st.info("No builds of this project yet.")
    st.stop()


def still_works(image_id: str | None) -> str:
    """The newest smoke test of an image (``workbench smoke``, or the Dependencies page)."""
    result = store.latest_smoke_result(image_id) if image_id else None
    if result is None:
        return "" if not image_id else "not checked"
    return "yes" if result["passed"] else "no"


def when(timestamp: float | None) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S") if timestamp else ""


st.dataframe(
    [
        {
            "#": r.id,
            "Variant": r.variant,
            "Status": r.status,
            "Builder": r.builder,
            "Started": when(r.started_at or r.requested_at),
            "Duration (s)": round(r.duration_s, 1) if r.duration_s is not None else None,
            "Steps": f"{r.steps_done}/{r.steps_total}",
            "Cache hits": r.cache_hits,
            "Image": short_id(r.image_id or ""),
            "Still works?": still_works(r.image_id),
            "Error": r.error or "",
        }
        for r in records
    ],
    hide_index=True,
    width="stretch",
)
chosen = st.selectbox(
    "Log of build",
    [r.id for r in records],
    format_func=lambda i: next(f"#{r.id} {r.variant}" for r in records if r.id == i),
    key="builds_log_of",
)
record = store.build(chosen)
if record is not None:
    if record.error:
        st.error(record.error)
    if record.log_truncated:
        st.caption("The log was long: its last 2 MB are kept.")
    st.code(record.log_tail(400) or "(no output)", language="text")

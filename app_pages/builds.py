"""Builds: pick variants, build them in the background, watch them live, keep history."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from ui.code_view import show_log
from ui.figures import build_history
from ui.smoke_settings import has_smoke_settings, smoke_settings_editor
from ui.state import drop_choice, engine_banner, engine_status, project_variants, require_project
from workbench.build.builders import available_builders
from workbench.build.service import BuildSpec, build_service
from workbench.compare.history import HistoryRow
from workbench.engine.images import short_id
from workbench.errors import WorkbenchError
from workbench.jobs import BUILD, process_jobs
from workbench.store import ACTIVE, Store
from workbench.units import human_bytes

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


def _active(store: Store) -> tuple[list, list]:
    """The project's builds queued or running, and those smoke-testing their image."""
    active = store.builds(project_key=project.key, statuses=ACTIVE)
    # a build whose job still runs once its record is finished is smoke-testing its image
    after = [store.build(job.subject) for job in process_jobs().active((BUILD,))]
    return active, [r for r in after if r and r.finished and r.project_key == project.key]


busy = any(_active(Store()))
st.session_state["builds_were_active"] = busy


@st.fragment(run_every=1.0 if busy else 3.0)
def live_builds() -> None:
    """Builds of this project that are queued or running, from the store (any tab); it
    polls every second while one runs, every 3 s otherwise (a build another tab starts)."""
    active, smoking = _active(Store())
    was_active = st.session_state.get("builds_were_active", False)
    st.session_state["builds_were_active"] = bool(active or smoking)
    if was_active != bool(active or smoking):
        st.rerun(scope="app")  # the history gains the new build, or its end
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
            done = min(record.steps_done / record.steps_total, 1.0) if record.steps_total else 0.0
            st.progress(done, text=steps.capitalize())
            show_log(record.log_tail(15) or "waiting for output…", label="The build's output")
            if st.button("Cancel", key=f"builds_cancel_{record.id}"):
                build_service().cancel(record.id)


live_builds()

with st.expander("Smoke settings", expanded=False):
    smoke_settings_editor(project)

st.subheader("History")
rows = build_history(project)
if not rows:
    st.info("No builds of this project yet.")
    st.stop()


def when(timestamp: float | None) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S") if timestamp else ""


def saving(row: HistoryRow) -> str:
    """What the image saves against the newest baseline image, with its share."""
    if row.is_baseline:
        return "(the baseline)"
    if row.saved_bytes is None or row.size_bytes is None:
        return ""
    base = row.size_bytes + row.saved_bytes
    share = f" ({row.saved_bytes / base * 100:.1f} %)" if base else ""
    return (
        human_bytes(row.saved_bytes) + share
        if row.saved_bytes >= 0
        else (f"{human_bytes(-row.saved_bytes)} larger")
    )


def still_works(row: HistoryRow) -> str:
    """The image's newest smoke test (``workbench smoke``, a build's, the Dependencies page)."""
    if not row.image_id:
        return ""
    return {True: "yes", False: "no", None: "not checked"}[row.still_works]


st.dataframe(
    [
        {
            "#": r.id,
            "Variant": r.variant,
            "Status": r.status,
            "Size": human_bytes(r.size_bytes) if r.size_bytes is not None else "",
            "Saved vs baseline": saving(r),
            "Still works?": still_works(r),
            "Builder": r.builder,
            "Started": when(r.started_at),
            "Duration (s)": round(r.duration_s, 1) if r.duration_s is not None else None,
            "Steps": f"{r.steps_done}/{r.steps_total}",
            "Cache hits": r.cache_hits,
            "Image": short_id(r.image_id or ""),
            "Error": r.error or "",
        }
        for r in rows
    ],
    hide_index=True,
    width="stretch",
)
st.caption(
    "Size: the image's analysed size (empty until it is analysed, on Compare or Breakdown). "
    "Saved vs baseline: against the newest baseline image. Still works?: its newest smoke "
    "test."
)
variants_of = {r.id: r.variant for r in rows}
chosen = st.selectbox(
    "Log of build",
    list(variants_of),
    format_func=lambda i: f"#{i} {variants_of[i]}",
    key="builds_log_of",
)
record = Store().build(chosen)
if record is not None:
    if record.error:
        st.error(record.error)
    if record.log_truncated:
        st.caption("The log was long: its last 2 MB are kept.")
    show_log(record.log_tail(400) or "(no output)", label=f"The log of build {record.id}")

"""Dependencies: the audit with sizes, tick boxes, the pruned variant and its smoke test."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.state import engine_banner, engine_client, engine_status, require_project
from workbench import audit as audits
from workbench import variants
from workbench.build.service import BuildSpec, build_service
from workbench.checks import smoke
from workbench.engine import inspect_if_present
from workbench.errors import WorkbenchError
from workbench.project.manifests import find_manifests
from workbench.store import Store
from workbench.units import UNITS_NOTE, human_bytes

VARIANT = "pruned-deps"


def manifest_files(project) -> list[Path]:
    """The files the project declares its dependencies in (requirements files included)."""
    try:
        found = find_manifests(project.path)
    except WorkbenchError:
        return []
    if found is None:
        return []
    names = [*found.requirements, *found.dev_requirements, *found.compiled]
    return [project.path / name for name in names]


def mb(value: int | None) -> str:
    """Bytes for people; "unknown" without an image."""
    return human_bytes(value) if value is not None else "unknown"


@st.cache_data(max_entries=16, show_spinner="Dropping them and locking again with uv…")
def pruned_variant(path: str, stamp: tuple, drop: tuple[str, ...]) -> variants.Variant:
    """The pruned-deps variant for these drops (uv lock runs in a scratch copy)."""
    return variants.derive_variant(Path(path), VARIANT, drop=drop)


st.title("Dependencies")
st.caption(
    "Plan priority 2: which declared dependencies the app never uses, what removing them "
    f"frees in the built image, and the pruned variant. {UNITS_NOTE}"
)
project = require_project()
status = engine_status()
engine_banner(status)

st.session_state.setdefault("deps_image", "")
left, right = st.columns([3, 1], vertical_alignment="bottom")
left.text_input(
    "Image to read names and sizes from",
    key="deps_image",
    placeholder="default: the newest baseline build",
    disabled=not status.reachable,
)
if right.button("Run the audit", type="primary", key="deps_run"):
    audits.start_audit(
        project,
        image=st.session_state["deps_image"].strip() or None,
        use_image=status.reachable,
    )


@st.fragment(run_every=1.0)
def audit_progress() -> None:
    """Whether an audit runs (in the background); the page reloads once it ends. Polled
    only while one runs."""
    running = audits.audit_running(project)
    was_running = st.session_state.get("deps_audit_was_running", False)
    st.session_state["deps_audit_was_running"] = running
    if running:
        st.info("Auditing: reading the image's dist-info and scanning the imports…")
    elif was_running:
        st.rerun(scope="app")
    if error := audits.audit_error(project):
        st.error(error)


if audits.audit_running(project) or st.session_state.get("deps_audit_was_running", False):
    audit_progress()
elif error := audits.audit_error(project):
    st.error(error)
audit = audits.latest_audit(project)
if audit is None:
    st.info("No audit of this project yet: run it (with the engine up, sizes come from the image).")
    st.stop()

source = f"image `{audit.image}`" if audit.image else "the project and its lock alone (no image)"
st.caption(
    f"Scanned {audit.python_files} Python files in {', '.join(f'`{s}`' for s in audit.sources)}"
    f"; names and sizes from {source}."
)
if audit.names_from != "image":
    st.warning(
        "Without an image, module names, console scripts and sizes are guesses. Build the "
        "baseline and run the audit again for certain findings with bytes."
    )

st.subheader("Candidates")
ticked: list[str] = []
if not audit.candidates:
    st.success("No declared dependency looks unused.")
for candidate in audit.candidates:
    box, size, about = st.columns([3, 1, 6])
    key = f"deps_pick_{project.key}_{candidate.name}"
    st.session_state.setdefault(key, candidate.selected)
    if box.checkbox(candidate.name, key=key, help=candidate.requirement):
        ticked.append(candidate.name)
    size.markdown(f"**{mb(candidate.bytes)}**")
    badge = ":green-badge[certain]" if candidate.certainty == "certain" else ":orange-badge[guess]"
    kept = f" Still needed by {', '.join(candidate.needed_by)}." if candidate.needed_by else ""
    about.markdown(f"{badge} {candidate.kind}: **{candidate.action}**. {candidate.reason}.{kept}")

freed, packages = audit.removal_bytes(ticked)
cached = audit.cached_part(packages)
low, high = audit.plan_min_bytes, audit.plan_max_bytes
metric, plan_col = st.columns(2)
metric.metric(
    "Dropping the ticked ones frees",
    mb(freed),
    help=f"{len(packages)} distributions leave the image: {', '.join(packages) or 'none'}",
)
if low is not None and high is not None:
    verdict = audit.plan_verdict(freed) if freed is not None else ""
    plan_col.metric(
        "The plan's estimate",
        f"{human_bytes(low)} – {human_bytes(high)}",
        delta=f"measured here: {verdict}" if verdict else None,
        delta_color="off",
    )
if cached:
    st.caption(
        f"{human_bytes(cached)} of it is uv's cache kept in the image; once installs run "
        f"without a cache (priority 1), dropping them frees {mb((freed or 0) - cached)}."
    )

if audit.overlaps:
    st.subheader("Overlapping libraries")
    for overlap in audit.overlaps:
        st.markdown(f"**{overlap.group}**: {overlap.advice}.")
        st.dataframe(
            [
                {
                    "Library": m.name,
                    "Imported by": ", ".join(m.files) or "no copied file",
                    "Own size (MB)": round(m.own_bytes / 1e6, 1) if m.own_bytes else None,
                    "Dropping it frees (MB)": round(m.frees_bytes / 1e6, 1)
                    if m.frees_bytes is not None
                    else None,
                    "Needed anyway by": ", ".join(m.needed_by),
                }
                for m in overlap.members
            ],
            hide_index=True,
            width="stretch",
        )

if audit.script_uses:
    st.markdown(
        "**Used by the start command** (not imported, but run): "
        + "; ".join(f"`{u.command}` ({u.name}) at `{u.where}`" for u in audit.script_uses)
    )
for warning in audit.warnings:
    where = f" (`{'`, `'.join(warning.files[:3])}`)" if warning.files else ""
    st.warning(f"{warning.code}, {warning.certainty}: {warning.message}{where}")

if audit.dev_group:
    with st.expander("Keep the development tools for development", expanded=False):
        st.code(audit.dev_group, language="toml")
with st.expander("Notes", expanded=False):
    for note in audit.notes:
        st.markdown(f"- {note}")

st.subheader("The pruned variant")
if not ticked:
    st.info("Tick at least one candidate to make the pruned variant.")
    st.stop()
watched = [project.pyproject, project.lock, *manifest_files(project)]
stamp = tuple(p.stat().st_mtime_ns if p and p.exists() else 0 for p in watched)
variant = pruned_variant(str(project.path), stamp, tuple(sorted(ticked)))
if variant.error:
    st.error(f"The pruned variant cannot be made: {variant.error}")
    st.stop()
st.markdown(variant.summary)
build_col, download_col = st.columns(2)
if build_col.button(
    "Build the pruned variant",
    type="primary",
    key="deps_build",
    disabled=not status.reachable,
):
    spec = BuildSpec(project, VARIANT, variant.dockerfile, dict(variant.extra_files))
    try:
        build_id = build_service().submit(spec)
        st.session_state["deps_build_id"] = build_id
    except WorkbenchError as exc:
        st.error(str(exc))
for name, content in sorted(variant.extra_files.items()):
    download_col.download_button(
        f"Download the pruned {name}",
        content,
        file_name=name.rsplit("/", 1)[-1],
        key=f"deps_download_{name}",
    )


@st.fragment(run_every=2.0)
def pruned_build_and_smoke() -> None:
    """The newest pruned build, the measured saving, and its smoke test (from the store)."""
    store = Store()
    builds = store.builds(project_key=project.key, variant=VARIANT, limit=1)
    if not builds:
        st.caption("Not built yet.")
        return
    record = builds[0]
    if not record.finished:
        st.info(
            f"Build #{record.id}: {record.status}, step {record.steps_done}/{record.steps_total}"
        )
        return
    if record.status != "succeeded" or not record.image_id:
        st.error(f"Build #{record.id} {record.status}: {record.error or 'see the Builds page'}")
        return
    latest = store.latest_images(project.key)
    baseline = latest.get("baseline")
    if status.reachable and baseline is not None and baseline.image_id:
        try:
            client = engine_client()
            images = [inspect_if_present(client, i) for i in (baseline.image_id, record.image_id)]
        except WorkbenchError:  # the engine went away meanwhile
            images = [None, None]
        if images[0] is not None and images[1] is not None:  # not removed meanwhile
            before, after = images[0]["Size"], images[1]["Size"]
            plan = f" (plan: {human_bytes(low)} – {human_bytes(high)})" if low is not None else ""
            st.metric(
                "Measured saving against the baseline",
                human_bytes(before - after),
                help=f"baseline {before:,} bytes, pruned {after:,} bytes (docker image inspect)",
            )
            st.caption(f"Baseline {human_bytes(before)} → pruned {human_bytes(after)}{plan}.")
    result = smoke.latest_smoke(record.image_id)
    running = smoke.smoke_running(record.image_id)
    if running:
        st.info("Smoke test running…")
    elif result is None:
        st.caption("Not smoke-tested yet.")
    elif result.passed:
        st.success(f"Still works: {result.summary()}")
    else:
        st.error(f"Broken: {result.summary()}")
        if result.log_tail:
            st.code(result.log_tail, language="text")
    if error := smoke.smoke_error(record.image_id):
        st.error(error)
    if st.button("Run the smoke test", key="deps_smoke", disabled=running or not status.reachable):
        smoke.start_smoke(record.image_id)
        st.rerun(scope="fragment")


pruned_build_and_smoke()

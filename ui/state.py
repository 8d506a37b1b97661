"""Cached read models and shared widgets for the pages."""

from __future__ import annotations

import time
from collections.abc import Hashable, Sequence
from pathlib import Path

import docker
import streamlit as st

from workbench import engine, variants
from workbench.analysis import ImageAnalysis
from workbench.analysis.model import SCHEMA_VERSION
from workbench.analysis.stored import start_analysis
from workbench.build.rebuild import RebuildSubject, start_rebuild_probe
from workbench.engine import EngineStatus
from workbench.errors import WorkbenchError
from workbench.jobs import ANALYSIS, PUSH, REBUILD, process_jobs
from workbench.project import Project, load_project
from workbench.project.manifests import runtime_dependency_names
from workbench.registry import start_push
from workbench.store import Store


@st.cache_data(ttl=5, max_entries=4, show_spinner=False)
def _engine_status(host: str) -> EngineStatus:
    return engine.status()


def engine_status() -> EngineStatus:
    """The engine's status, re-asked at most every 5 s per host; never raises."""
    return _engine_status(engine.engine_host())


@st.cache_resource(show_spinner=False)
def engine_client() -> docker.DockerClient:
    """One client per process; raises EngineUnavailable when no engine answers."""
    return engine.connect()


def current_project() -> Project | None:
    """The project picked in the sidebar, or None (the sidebar shows why)."""
    try:
        return load_project(st.session_state.get("project_path", ""))
    except WorkbenchError:
        return None


def require_project() -> Project:
    """The project picked in the sidebar; without one, say how to pick one and stop the page."""
    project = current_project()
    if project is None:
        st.warning("Pick a project folder with a Dockerfile in the sidebar.")
        st.stop()
    return project


def engine_banner(status: EngineStatus) -> None:
    """A banner saying what to do when no engine answers."""
    if not status.reachable:
        st.error(
            f"{status.error}  \nStored history and analyses stay visible; building and "
            "analysing need the engine.",
            icon=":material/error:",
        )


def project_dependencies(project: Project) -> list[str]:
    """The names the project declares as runtime dependencies (pyproject.toml, else its
    requirements files)."""
    return runtime_dependency_names(project.path)


@st.cache_data(max_entries=16, show_spinner="Deriving the variants…")
def _variants(path: str, stamp: tuple, drop: tuple[str, ...]) -> list[variants.Variant]:
    return variants.derive_variants(Path(path), drop=drop)


def project_variants(project: Project, drop: tuple[str, ...] = ()) -> list[variants.Variant]:
    """The project's variants, re-derived when its files or the custom text change."""
    watched = [project.dockerfile, project.pyproject, project.lock]
    watched.append(variants.custom_dockerfile_path(project.path))
    stamp = tuple(p.stat().st_mtime_ns if p and p.exists() else 0 for p in watched)
    return _variants(str(project.path), stamp, tuple(sorted(drop)))


def drop_choice(project: Project) -> tuple[str, ...]:
    """The dependencies the user chose to drop for pruned-deps (kept per project)."""
    return tuple(st.session_state.get(f"variants_drop_{project.key}", ()))


def analysis_of(image_id: str | None) -> ImageAnalysis | None:
    """The stored analysis of an image, or None."""
    if not image_id:
        return None
    data = Store().latest_analysis(image_id, SCHEMA_VERSION)
    return ImageAnalysis.from_dict(data) if data else None


def analysis_progress(image_ids: list[str], key: str) -> None:
    """Queue analyses of the images that lack one and show their progress live."""
    store = Store()
    jobs = process_jobs()
    for image_id in image_ids:
        # a failed job is not retried on every rerun: the page says why
        missing = store.latest_analysis(image_id, SCHEMA_VERSION) is None
        if missing and jobs.job(ANALYSIS, image_id) is None:
            start_analysis(image_id, store=store, jobs=jobs)
    job_progress(image_ids, ANALYSIS, key)


def push_controls(image_ids: list[str], key: str) -> None:
    """A button that measures compressed sizes by pushing to the local registry."""
    if st.button(
        "Measure in a registry",
        key=f"{key}_push",
        help="Pushes each image to the workbench's local registry (127.0.0.1:5000) and "
        "reads the stored layer sizes: the exact compressed size, instead of the estimate.",
    ):
        for image_id in image_ids:
            start_push(image_id)
    job_progress(image_ids, PUSH, key)


def rebuild_controls(project: Project, variant_names: list[str], key: str) -> None:
    """A button that times each variant's rebuilds in the background, for Compare."""
    drop = drop_choice(project)
    errors = {v.name: v.error for v in project_variants(project, drop) if v.error}
    names = [name for name in variant_names if name not in errors]
    subjects = [RebuildSubject(str(project.path), name, drop) for name in names]
    if st.button(
        "Measure rebuild times",
        key=f"{key}_rebuild",
        help="Builds each variant warm on a scratch copy of the project (your files are "
        "not touched), then times a rebuild after a one-line source change and one after a "
        "lock change. A few minutes per variant; it waits for running builds to finish.",
    ):
        for subject in subjects:
            start_rebuild_probe(subject)
    skipped = [f"{name} ({errors[name]})" for name in variant_names if name in errors]
    if skipped:
        st.caption(f"Not timed, since they cannot be made now: {'; '.join(skipped)}.")
    job_progress(subjects, REBUILD, key)


def job_progress(subjects: Sequence[Hashable], kind: str, key: str) -> None:
    """Show the live progress of background jobs; rerun the page when the last ends."""
    jobs = process_jobs()
    what = {ANALYSIS: "Analysing", PUSH: "Pushing", REBUILD: "Timing the rebuilds of"}[kind]

    @st.fragment(run_every=1.0)
    def _live() -> None:
        mine = [jobs.job(kind, subject) for subject in subjects]
        running = [job for job in mine if job is not None and not job.finished]
        flag = f"{key}_{kind}_running"
        was = st.session_state.get(flag, False)
        st.session_state[flag] = bool(running)
        if was and not running:
            st.rerun(scope="app")
        for job in running:
            seconds = time.time() - (job.started_at or job.requested_at)
            st.status(f"{what} {job.label}: {job.state}, {seconds:.0f} s", state="running")
        for job in mine:
            if job is not None and job.state == "failed":
                st.error(f"{what} {job.label} failed: {job.error}")

    _live()

"""Cached read models and shared widgets for the pages."""

from __future__ import annotations

import time
from pathlib import Path

import docker
import streamlit as st

from workbench import engine, variants
from workbench.analysis import ImageAnalysis
from workbench.analysis_jobs import analysis_jobs
from workbench.engine import EngineStatus
from workbench.errors import WorkbenchError
from workbench.project import Project, load_project
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


def engine_banner(status: EngineStatus) -> None:
    """A banner saying what to do when no engine answers."""
    if not status.reachable:
        st.error(
            f"{status.error}  \nStored history and analyses stay visible; building and "
            "analysing need the engine.",
            icon=":material/error:",
        )


def project_dependencies(project: Project) -> list[str]:
    """The names the project's pyproject.toml declares as runtime dependencies."""
    import tomllib

    from packaging.requirements import InvalidRequirement, Requirement

    if project.pyproject is None:
        return []
    try:
        data = tomllib.loads(project.pyproject.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    names = []
    for item in data.get("project", {}).get("dependencies", []):
        try:
            names.append(Requirement(item).name)
        except InvalidRequirement:
            continue
    return names


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
    data = Store().latest_analysis(image_id)
    return ImageAnalysis.from_dict(data) if data else None


def analysis_progress(image_ids: list[str], key: str) -> None:
    """Queue analyses of the images that lack one and show their progress live.

    Reruns the whole page once the last of them ends, so it shows the new figures.
    """
    store = Store()
    jobs = analysis_jobs()
    missing = [i for i in image_ids if store.latest_analysis(i) is None]
    for image_id in missing:
        job = jobs.job(image_id)
        if job is None:  # a failed job is not retried on every rerun: the page says why
            jobs.submit(image_id)

    @st.fragment(run_every=1.0)
    def _live() -> None:
        running = [jobs.job(i) for i in image_ids]
        running = [job for job in running if job is not None and not job.finished]
        flag = f"{key}_analysing"
        was = st.session_state.get(flag, False)
        st.session_state[flag] = bool(running)
        if was and not running:
            st.rerun(scope="app")
        for job in running:
            seconds = time.time() - (job.started_at or job.requested_at)
            st.status(
                f"Analysing {job.image_id[7:19]}: {job.state}, {seconds:.0f} s "
                "(streams the image from the engine; a 1.5 GB image takes a few seconds)",
                state="running",
            )
        failed = [jobs.job(i) for i in image_ids]
        for job in failed:
            if job is not None and job.state == "failed":
                st.error(f"The analysis of {job.image_id[7:19]} failed: {job.error}")

    _live()

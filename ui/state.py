"""Cached read models and shared widgets for the pages."""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable, Sequence
from pathlib import Path

import docker
import docker.errors
import streamlit as st

from workbench import engine, variants
from workbench.analysis import ImageAnalysis
from workbench.analysis.model import SCHEMA_VERSION
from workbench.analysis.stored import start_analysis
from workbench.build.rebuild import RebuildSubject, start_rebuild_probe
from workbench.compare.stamps import Stamp, image_stamp
from workbench.engine import EngineStatus
from workbench.errors import WorkbenchError
from workbench.jobs import ANALYSIS, PUSH, REBUILD, process_jobs
from workbench.project import Project, load_project
from workbench.project.manifests import runtime_dependency_names
from workbench.registry import start_push
from workbench.store import Store

ENGINE_MAX_AGE_S = 5.0  # how old the answer to "does the engine answer?" may be
ENGINE_DETAILS_AGE_S = 60.0  # how old its details (version, stand-in images) may be


class EngineWatch:
    """The newest status of one engine, asked again in the background once it is old.

    The full status takes a second or more (the engine lists its stand-in images, and the
    SDK inspects each image it lists), so a page never waits for it but the process's
    first: it shows the last answer, and a thread of this process (no ``st.*`` in it)
    asks again when that answer is older than :data:`ENGINE_MAX_AGE_S`: a ping while the
    details are younger than :data:`ENGINE_DETAILS_AGE_S`, else (or when the ping fails)
    the full status, which says why the engine does not answer.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._status: EngineStatus | None = None
        self._asked_at = 0.0
        self._details_at = 0.0
        self._asking = False
        self._client: docker.DockerClient | None = None

    def status(self) -> EngineStatus:
        """The last answer (waiting only for the very first one)."""
        with self._lock:
            status, old = self._status, time.monotonic() - self._asked_at > ENGINE_MAX_AGE_S
            if status is not None and old and not self._asking:
                self._asking = True
                asking = threading.Thread(target=self._ask, name="workbench-engine", daemon=True)
                asking.start()
        return status if status is not None else self._ask()

    def _answers(self) -> bool:
        """Whether the engine answers a ping (one quick call)."""
        try:
            if self._client is None:
                self._client = engine.connect(timeout=5)
            return bool(self._client.ping())
        except (WorkbenchError, docker.errors.DockerException, OSError, ValueError):
            self._client = None  # the full status says why
            return False

    def _ask(self) -> EngineStatus:
        started = time.monotonic()
        try:
            status = self._status
            recent = status is not None and started - self._details_at < ENGINE_DETAILS_AGE_S
            if not (recent and status.reachable and self._answers()):
                status = engine.status()  # never raises
                self._details_at = started
        finally:
            with self._lock:
                self._asking = False
        with self._lock:
            self._status, self._asked_at = status, time.monotonic()
        return status


@st.cache_resource(show_spinner=False)
def _engine_watch(host: str) -> EngineWatch:
    return EngineWatch()


def engine_status() -> EngineStatus:
    """The engine's status, at most :data:`ENGINE_MAX_AGE_S` old plus the time it takes to
    ask (asked in the background); never raises."""
    return _engine_watch(engine.engine_host()).status()


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


@st.cache_data(max_entries=16, show_spinner=False)
def _analysis(store: str, stamp: Stamp) -> ImageAnalysis | None:
    image_id = stamp[0][0]
    data = Store(Path(store)).latest_analysis(str(image_id), SCHEMA_VERSION)
    return ImageAnalysis.from_dict(data) if data else None


def analysis_of(image_id: str | None) -> ImageAnalysis | None:
    """The stored analysis of an image, or None (read again when it is replaced)."""
    if not image_id:
        return None
    store = Store()
    return _analysis(str(store.path), image_stamp(store, image_id))


def analysis_progress(image_ids: list[str], key: str) -> None:
    """Queue analyses of the images that lack one and show their progress live."""
    store = Store()
    jobs = process_jobs()
    analysed = store.analysed_sizes(list(dict.fromkeys(image_ids)), SCHEMA_VERSION)
    for image_id in image_ids:
        # a failed job is not retried on every rerun: the page says why
        if image_id not in analysed and jobs.job(ANALYSIS, image_id) is None:
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
    """Show the live progress of background jobs; rerun the page when the last ends.

    The page polls (a fragment every second) only while one of the jobs is queued or
    running; otherwise it says which failed, and polls nothing."""
    jobs = process_jobs()
    what = {ANALYSIS: "Analysing", PUSH: "Pushing", REBUILD: "Timing the rebuilds of"}[kind]

    def _show(mine: list) -> None:
        for job in mine:
            if job is not None and not job.finished:
                seconds = time.time() - (job.started_at or job.requested_at)
                st.status(f"{what} {job.label}: {job.state}, {seconds:.0f} s", state="running")
        for job in mine:
            if job is not None and job.state == "failed":
                st.error(f"{what} {job.label} failed: {job.error}")

    mine = [jobs.job(kind, subject) for subject in subjects]
    flag = f"{key}_{kind}_running"
    if not any(job is not None and not job.finished for job in mine):
        st.session_state[flag] = False
        _show(mine)
        return

    @st.fragment(run_every=1.0)
    def _live() -> None:
        mine = [jobs.job(kind, subject) for subject in subjects]
        running = any(job is not None and not job.finished for job in mine)
        was = st.session_state.get(flag, False)
        st.session_state[flag] = running
        if was and not running:
            st.rerun(scope="app")
        _show(mine)

    st.session_state[flag] = True
    _live()

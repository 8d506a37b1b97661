"""Rebuild cost: how long a variant takes to rebuild after everyday changes.

``--no-cache`` makes an image smaller, but every rebuild that touches the lock then
downloads every dependency again. This module measures, per variant, the wall time of
a rebuild after a one-line source change and after a lock change, on a scratch copy
of the project (the user's files are never touched), so Compare can show size and
rebuild time together.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import docker

from workbench import engine
from workbench.build import builders
from workbench.build.builders import BuilderInfo
from workbench.build.buildkit import run_buildkit
from workbench.build.classic import run_classic
from workbench.build.context import label_instruction, make_context
from workbench.build.progress import BuildProgress
from workbench.errors import BuildError
from workbench.jobs import REBUILD, Job, Jobs, process_jobs
from workbench.labels import REBUILD_PROBE
from workbench.project import Project, load_project
from workbench.store import Store

SKIP = {".git", ".venv", "__pycache__", "node_modules", ".workbench"}


@dataclass(frozen=True)
class RebuildCost:
    """Seconds to rebuild a variant after a warm build, per kind of change."""

    project_key: str
    variant: str
    builder: str
    warm_s: float
    source_change_s: float
    lock_change_s: float | None  # None when the project has no uv.lock
    measured_at: float

    def to_dict(self) -> dict:
        return asdict(self)


def _copy_project(project: Project, scratch: Path) -> Path:
    target = scratch / project.path.name
    shutil.copytree(project.path, target, symlinks=True, ignore=lambda _d, names: SKIP & set(names))
    return target


def _source_file(folder: Path) -> Path:
    """The application file to touch: the first Python file outside dependency folders."""
    for path in sorted(folder.rglob("*.py")):
        if not SKIP & set(path.relative_to(folder).parts):
            return path
    raise BuildError(f"no Python source file in {folder} to change for the rebuild probe")


def _timed_build(
    client: docker.DockerClient,
    builder: BuilderInfo,
    folder: Path,
    dockerfile: str,
    extra_files: dict[str, bytes],
    tag: str,
) -> float:
    started = time.perf_counter()
    labels = {REBUILD_PROBE: "true"}
    if builder.name == "classic":
        dockerfile += label_instruction(labels)
    never = threading.Event()
    with make_context(folder, dockerfile, extra_files) as context:
        if builder.name == "buildkit":
            outcome = run_buildkit(builder, context, tag, labels, _quiet_output, never)
        else:
            outcome = run_classic(client, context, tag, _quiet_output, never)
    if outcome.status != "succeeded":
        raise BuildError(f"the rebuild probe's build failed: {outcome.error}")
    return time.perf_counter() - started


def _quiet_output(_text: str, _progress: BuildProgress) -> None:
    return None


def measure_rebuild_cost(
    client: docker.DockerClient,
    project: Project,
    variant: str,
    dockerfile: str,
    extra_files: dict[str, bytes] | None = None,
    builder_name: str | None = None,
    store: Store | None = None,
) -> RebuildCost:
    """Build a variant warm, then time rebuilds after a source change and a lock change.

    Args:
        client: a connected docker client.
        project: the project (copied to a scratch folder; never changed).
        variant: the variant's name, for the record.
        dockerfile: the variant's Dockerfile text.
        extra_files: files the variant overlays on the context.
        builder_name: "buildkit" or "classic" (default: the preferred one).
        store: where to keep the result (default: the workbench store).

    Returns:
        The measured :class:`RebuildCost`, also saved in the store.

    Raises:
        BuildError: a build failed, or the project has no Python file to change.
    """
    builder = builders.choose_builder(builder_name, dockerfile)
    overlays = dict(extra_files or {})
    tag = f"workbench-probe/{project.name}:{variant}"
    with tempfile.TemporaryDirectory(prefix="workbench-rebuild-") as scratch:
        folder = _copy_project(project, Path(scratch))
        warm = _timed_build(client, builder, folder, dockerfile, overlays, tag)
        # A change no earlier probe made: the same edit twice would find the engine's
        # layer cache from the last probe and time nothing.
        change = f"\n# rebuild probe {time.time_ns()}\n"
        source = _source_file(folder)
        source.write_text(source.read_text(encoding="utf-8") + change)
        source_change = _timed_build(client, builder, folder, dockerfile, overlays, tag)
        lock_change = None
        lock_name = "uv.lock"
        if lock_name in overlays or (folder / lock_name).is_file():
            lock = overlays.get(lock_name) or (folder / lock_name).read_bytes()
            overlays[lock_name] = lock + change.encode()
            lock_change = _timed_build(client, builder, folder, dockerfile, overlays, tag)
    with contextlib.suppress(docker.errors.APIError):
        client.images.remove(tag, noprune=False)
    cost = RebuildCost(
        project_key=project.key,
        variant=variant,
        builder=builder.name,
        warm_s=warm,
        source_change_s=source_change,
        lock_change_s=lock_change,
        measured_at=time.time(),
    )
    (store or Store()).save_rebuild_cost(cost.to_dict())
    return cost


def measure_variant(
    client: docker.DockerClient,
    project: Project,
    variant: str,
    *,
    builder_name: str | None = None,
    store: Store | None = None,
    drop: tuple[str, ...] = (),
) -> RebuildCost:
    """Derive a variant of the project and measure its rebuild cost (see
    :func:`measure_rebuild_cost`).

    Raises:
        BuildError: the variant cannot be made, or a build failed.
    """
    from workbench import variants

    derived = variants.derive_variant(project.path, variant, drop=drop)
    if derived.error:
        raise BuildError(f"variant {variant} cannot be built: {derived.error}")
    return measure_rebuild_cost(
        client,
        project,
        variant,
        derived.dockerfile,
        dict(derived.extra_files),
        builder_name,
        store,
    )


def wait_for_idle_builds(store: Store, poll_s: float = 1.0, timeout_s: float = 3600) -> None:
    """Wait until no build is queued or running, so a rebuild probe starts alone (on a
    small machine, a build beside it would make both slower; a build started while the
    probe runs still runs beside it)."""
    deadline = time.monotonic() + timeout_s
    while store.builds(statuses=("queued", "running"), limit=1):
        if time.monotonic() > deadline:
            raise BuildError("builds kept running for an hour; measure the rebuild cost later")
        time.sleep(poll_s)


@dataclass(frozen=True)
class RebuildSubject:
    """What a rebuild-cost job measures: a project's variant (and what pruned-deps drops)."""

    project_path: str
    variant: str
    drop: tuple[str, ...] = ()


def start_rebuild_probe(
    subject: RebuildSubject,
    *,
    store: Store | None = None,
    jobs: Jobs | None = None,
    client_factory: Callable[[], docker.DockerClient] = engine.connect,
) -> Job:
    """Measure a variant's rebuild cost in the background, once no build runs.

    Returns:
        The job (labelled by the variant): new, or the one already queued or running.
    """
    store = store or Store()

    def work() -> None:
        wait_for_idle_builds(store)
        project = load_project(subject.project_path)
        measure_variant(client_factory(), project, subject.variant, store=store, drop=subject.drop)

    return (jobs or process_jobs()).submit(REBUILD, subject, work, subject.variant)

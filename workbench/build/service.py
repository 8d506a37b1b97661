"""Builds: a queue and a background worker owned by the process, every build recorded.

Streamlit reruns, page switches and a second browser tab don't stop a build or lose
its output: builds run on the builds lane of the process's jobs (:mod:`workbench.jobs`),
write progress and the log to the store, and pages only read the store.  One build runs
at a time per process (first in, first out); asking for a build that is already queued
or running returns that build.
At start-up, builds left running by a process that died are marked interrupted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import docker
import docker.errors

from workbench import __version__, engine
from workbench.build import builders, prepare
from workbench.build.builders import BuilderInfo
from workbench.build.buildkit import run_buildkit
from workbench.build.classic import run_classic
from workbench.build.context import label_instruction, make_context
from workbench.build.progress import BuildOutcome, BuildProgress
from workbench.errors import StoreError, WorkbenchError
from workbench.jobs import BUILD, Jobs, PerStore, process_jobs
from workbench.labels import DOCKERFILE_SHA256, PROJECT, PROJECT_PATH, VARIANT, VERSION
from workbench.project import Project
from workbench.store import LOG_CAP_BYTES, BuildRecord, Store

FLUSH_SECONDS = 0.5
FINISH_RETRY_SECONDS = 0.25


@dataclass(frozen=True)
class BuildSpec:
    """Everything needed to build one variant of one project."""

    project: Project
    variant: str
    dockerfile_text: str
    extra_files: Mapping[str, bytes] = field(default_factory=dict)
    builder: str | None = None  # None: the preferred builder here
    build_args: Mapping[str, str] = field(default_factory=dict)  # never stored
    no_cache: bool = False  # build every step again, ignoring the engine's layer cache
    smoke: bool = False  # smoke-test the image once it is built (before the next build)

    @property
    def tag(self) -> str:
        return f"workbench/{self.project.name}:{self.variant}"

    @property
    def dockerfile_sha256(self) -> str:
        return hashlib.sha256(self.dockerfile_text.encode()).hexdigest()

    def request_key(self, builder_name: str) -> str:
        digest = hashlib.sha256()
        parts = (self.project.key, self.variant, builder_name, str(self.no_cache), str(self.smoke))
        for part in (*parts, self.dockerfile_text):
            digest.update(part.encode() + b"\0")
        for name in sorted(self.extra_files):
            digest.update(name.encode() + b"\0" + self.extra_files[name] + b"\0")
        return digest.hexdigest()

    def labels(self) -> dict[str, str]:
        return {
            PROJECT: self.project.name,
            PROJECT_PATH: str(self.project.path),
            VARIANT: self.variant,
            DOCKERFILE_SHA256: self.dockerfile_sha256,
            VERSION: __version__,
        }


@dataclass
class _Job:
    build_id: int
    spec: BuildSpec
    builder: BuilderInfo
    cancel: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)


class _LogWriter:
    """Buffers build output and writes it, with progress, to the store twice a second.

    A ticker thread flushes too, so a step that prints once and then works quietly
    still shows its line promptly.
    """

    def __init__(self, store: Store, build_id: int, mask: Iterable[str]) -> None:
        self.store, self.build_id = store, build_id
        self.secrets = [value for value in mask if value]
        self.buffer: list[str] = []
        self.progress = BuildProgress()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._ticker = threading.Thread(target=self._tick, daemon=True)
        self._ticker.start()

    def __call__(self, text: str, progress: BuildProgress) -> None:
        for secret in self.secrets:
            text = text.replace(secret, "****")
        with self._lock:
            self.buffer.append(text)
            self.progress = progress

    def _tick(self) -> None:
        while not self._stopped.wait(FLUSH_SECONDS):
            self.flush()

    def flush(self) -> None:
        with self._lock:
            text = "".join(self.buffer)
            self.buffer.clear()
            progress = self.progress
        try:
            self.store.append_build_log(self.build_id, text)
            self.store.update_build(
                self.build_id,
                steps_done=progress.steps_done,
                steps_total=progress.steps_total,
                cache_hits=progress.cache_hits,
            )
        except StoreError:  # the disk is full, say: keep the text (its tail) for the next try
            with self._lock:
                self.buffer.insert(0, text[-LOG_CAP_BYTES:])

    def close(self) -> None:
        self._stopped.set()
        self._ticker.join()
        self.flush()


class BuildService:
    """The process's build queue and its worker thread."""

    def __init__(
        self,
        store: Store | None = None,
        client_factory: Callable[[], docker.DockerClient] = engine.connect,
        jobs: Jobs | None = None,
    ) -> None:
        self.store = store or Store()
        self.client_factory = client_factory
        self.jobs = jobs or Jobs()
        self._jobs: dict[int, _Job] = {}
        self._smoked: dict[int, tuple[bool, str]] = {}
        self._lock = threading.Lock()
        self.interrupted = self.store.mark_interrupted()

    # requests ---------------------------------------------------------------

    def submit(self, spec: BuildSpec) -> int:
        """Queue a build, or return the id of the same build already queued or running.

        Raises:
            BuildError: the builder asked for does not exist or cannot build this
                Dockerfile.
        """
        text = prepare.for_builder(spec.project, spec.dockerfile_text, spec.builder)
        spec = dataclasses.replace(spec, dockerfile_text=text)
        builder = builders.choose_builder(spec.builder, spec.dockerfile_text)
        key = spec.request_key(builder.name)
        with self._lock:
            existing = self.store.active_build_for(key)
            if existing is not None and existing.id in self._jobs:
                return existing.id
            build_id = self.store.add_build(
                project_key=spec.project.key,
                project_path=str(spec.project.path),
                variant=spec.variant,
                tag=spec.tag,
                builder=builder.name,
                request_key=key,
                dockerfile_sha256=spec.dockerfile_sha256,
                dockerfile=spec.dockerfile_text,
            )
            job = _Job(build_id, spec, builder)
            self._jobs[build_id] = job
            self.jobs.submit(
                BUILD, build_id, lambda: self._work(job), f"{spec.variant} #{build_id}"
            )
        return build_id

    def smoke_outcome(self, build_id: int) -> tuple[bool, str] | None:
        """How the smoke test after a build of this process ended: (passed, one line);
        ``None`` when none ran (not asked for, or the build did not succeed)."""
        with self._lock:
            return self._smoked.get(build_id)

    def cancel(self, build_id: int) -> bool:
        """Ask a queued or running build to stop; False if it is not ours or finished."""
        with self._lock:
            job = self._jobs.get(build_id)
        if job is None:
            return False
        job.cancel.set()
        return True

    def wait(
        self, build_ids: Iterable[int], timeout: float | None = None, poll: float = 0.2
    ) -> list[BuildRecord]:
        """Block until the builds finish (or the timeout passes); return their records.

        Builds of this process are awaited on their own events (no polling delay);
        others (another process's) are polled in the store every ``poll`` seconds.
        """
        ids = list(build_ids)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                events = [self._jobs[i].done for i in ids if i in self._jobs]
            for event in events:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                event.wait(left)
            records = [self.store.build(build_id) for build_id in ids]
            done = all(record is None or record.finished for record in records)
            if done or (deadline is not None and time.monotonic() > deadline):
                return [record for record in records if record is not None]
            if not events:
                time.sleep(poll)

    # the worker -------------------------------------------------------------

    def _work(self, job: _Job) -> None:
        """One build, on the builds lane; whatever it does, its record ends finished."""
        try:
            self._run(job)
        except Exception as exc:  # the lane must survive anything one build does
            self._finish(
                job.build_id,
                status="failed",
                ended_at=time.time(),
                error=f"the workbench failed while building: {exc}",
            )
        finally:
            with self._lock:
                self._jobs.pop(job.build_id, None)
            job.done.set()

    def _run(self, job: _Job) -> None:
        if job.cancel.is_set():
            self.store.update_build(
                job.build_id, status="cancelled", ended_at=time.time(), error="cancelled"
            )
            return
        started = time.time()
        self.store.update_build(job.build_id, status="running", started_at=started)
        mask = [*job.spec.build_args.values(), *engine.host_secrets()]
        writer = _LogWriter(self.store, job.build_id, mask)
        try:
            outcome = self._build(job, writer)
        except WorkbenchError as exc:
            outcome = BuildOutcome("failed", None, str(exc))
        finally:
            writer.close()
        ended = time.time()
        final = {"steps_done": writer.progress.steps_total} if outcome.image_id else {}
        self._finish(
            job.build_id,
            status=outcome.status,
            ended_at=ended,
            duration_s=ended - started,
            image_id=outcome.image_id,
            error=outcome.error,
            failed_step=outcome.failed_step,
            **final,
        )
        if job.spec.smoke and outcome.status == "succeeded" and outcome.image_id:
            self._smoke(job.build_id, outcome.image_id)

    def _smoke(self, build_id: int, image_id: str) -> None:
        """Smoke-test a built image with its project's settings, noting the result in the
        build's log; the result itself is kept by image (a test that cannot run fails
        nothing: the build succeeded, and the log says why)."""
        from workbench.checks.smoke import run_smoke

        with contextlib.suppress(StoreError):
            self.store.append_build_log(build_id, "[workbench] smoke-testing the image\n")
        passed = False
        try:
            result = run_smoke(image_id, client=self.client_factory(), store=self.store)
            passed, line = result.passed, f"smoke test {result.summary()}"
        except WorkbenchError as exc:
            line = f"smoke test could not run: {exc}"
        except Exception as exc:  # a smoke test never turns a built image into a failed build
            line = f"smoke test could not run: the workbench failed: {exc}"
        with self._lock:
            self._smoked[build_id] = (passed, line)
        with contextlib.suppress(StoreError):
            self.store.append_build_log(build_id, f"[workbench] {line}\n")

    def _finish(self, build_id: int, **values: Any) -> None:
        """Record how a build ended, retrying while the store cannot be written.

        A build must never stay ``running`` because its end could not be stored (a
        full disk, say): the worker waits for the store to take the write, then goes on.
        """
        delay = FINISH_RETRY_SECONDS
        while True:
            try:
                self.store.update_build(build_id, **values)
                return
            except StoreError:
                time.sleep(delay)
                delay = min(delay * 2, 10.0)

    def _build(self, job: _Job, writer: _LogWriter) -> BuildOutcome:
        spec = job.spec
        client = self.client_factory()
        if prepare.has_block(spec.dockerfile_text):  # the runtime's libraries, from the builder
            text, failed = prepare.resolve_libraries(
                client, job.builder, spec.project, spec.variant, spec.dockerfile_text,
                spec.extra_files, writer, job.cancel, spec.build_args,
            )  # fmt: skip
            if failed is not None:
                return failed
            spec = dataclasses.replace(spec, dockerfile_text=text)
            self.store.update_build(
                job.build_id, dockerfile=text, dockerfile_sha256=spec.dockerfile_sha256
            )
        dockerfile = spec.dockerfile_text
        if job.builder.name == "classic":
            dockerfile += label_instruction(spec.labels())
        context = make_context(spec.project.path, dockerfile, spec.extra_files)
        with context:
            if job.builder.name == "buildkit":
                return run_buildkit(
                    job.builder,
                    context,
                    spec.tag,
                    spec.labels(),
                    writer,
                    job.cancel,
                    spec.build_args,
                    spec.no_cache,
                )
            return run_classic(
                client,
                context,
                spec.tag,
                writer,
                job.cancel,
                spec.build_args,
                spec.no_cache,
            )


build_service: PerStore[BuildService] = PerStore(
    lambda store: BuildService(store, jobs=process_jobs())
)
"""The process's build service for the current store (``build_service()``)."""

"""Optimize: the smallest image that still works, found and proven.

For a project, :class:`Optimizer` builds the baseline and smoke-tests it, reads its
findings, and for each fix they name (largest saving first) builds the Dockerfile so
far with that fix on top, smoke-tests it, and keeps the fix when the image still works
and is smaller; a fix that breaks the app is dropped, with its smoke log.  The kept
fixes are then built together as the ``optimized`` variant and smoke-tested again; its
Dockerfile is saved per project (:mod:`workbench.variants.optimized`), never in the
project.  Every build goes through the build service (one at a time, recorded).

:func:`start_optimize` runs it on the process's jobs (the ``optimize`` lane): progress
(step N of M, the build it waits for) and the result so far are written to the store as
it goes (:mod:`workbench.findings.runs`), so a reload shows the same run, and
:func:`cancel_optimize` stops it between two polls.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import docker
import docker.errors

from workbench import engine
from workbench.analysis import ImageAnalysis
from workbench.analysis.model import SCHEMA_VERSION
from workbench.build.builders import available_builders
from workbench.build.service import BuildService, BuildSpec, build_service
from workbench.errors import (
    BuildError,
    CannotTransform,
    OptimizeCancelled,
    OptimizeError,
    WorkbenchError,
)
from workbench.findings.core import run_findings
from workbench.findings.model import Finding, removals
from workbench.findings.optimization import (
    DROPPED,
    FAILED,
    KEPT,
    PASSED,
    SKIPPED,
    Optimization,
    Step,
)
from workbench.findings.runs import (
    CANCELLED,
    RUNNING,
    SUCCEEDED,
    OptimizeRun,
    add_run,
    get_run,
    latest_run,
    request_cancel,
    update_run,
)
from workbench.findings.runs import FAILED as RUN_FAILED
from workbench.jobs import OPTIMIZE, Jobs, process_jobs
from workbench.project import Project
from workbench.store import BuildRecord, Store
from workbench.units import human_bytes
from workbench.variants.dockerignore import DOCKERIGNORE
from workbench.variants.fixes import FIXES, apply_fix
from workbench.variants.optimized import SavedOptimized, save_optimized

VARIANT = "optimized"
POLL_S = 0.5
LOG_LINES = 20


def _diff(before: str, after: str, name: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"{name} (yours)",
        tofile=f"{name} (optimized)",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def plan_fixes(findings: Sequence[Finding]) -> list[tuple[str, list[Finding]]]:
    """The fixes the findings name, with the findings each answers: largest bytes first
    (ties in the order of :data:`~workbench.variants.fixes.FIXES`)."""
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.fix is not None:
            grouped.setdefault(finding.fix, []).append(finding)
    order = {name: i for i, name in enumerate(FIXES)}
    return sorted(
        grouped.items(),
        key=lambda item: (-sum(f.bytes for f in item[1]), order.get(item[0], len(order))),
    )


@dataclass
class Optimizer:
    """One optimize run of one project.

    Attributes:
        project: the project (its files are read, never written).
        store: where builds, smoke results and the run's progress go.
        service: the build service every build goes through.
        client_factory: how to reach the engine (image sizes, the baseline's analysis).
        run_id: the run to write progress to (``None``: none is written).
        save: save the optimized Dockerfile and queue its image's analysis.
    """

    project: Project
    store: Store
    service: BuildService
    client_factory: Callable[[], docker.DockerClient] = engine.connect
    run_id: int | None = None
    save: bool = True
    _waited: float = field(default=0.0, init=False)
    _total: int = field(default=0, init=False)

    def run(self) -> Optimization:
        """Build the baseline, then each fix on top of the kept ones, then them together.

        Raises:
            OptimizeError: the baseline does not build or does not pass its smoke test.
            OptimizeCancelled: a cancel was asked for (what was measured is kept).
        """
        started = time.monotonic()
        text = self.project.dockerfile_text()
        self._progress(1, "building and smoke-testing the baseline")
        baseline = self._build("baseline", "baseline", text, {})
        if baseline.status != KEPT:
            raise OptimizeError(f"the baseline cannot be the start: {baseline.reason}")
        prepared = time.monotonic()
        findings, drop, notes = self._findings(baseline, text)
        prepare_s = time.monotonic() - prepared
        plans = plan_fixes(findings)
        self._total = len(plans) + 2
        result = Optimization(str(self.project.path), baseline, findings=tuple(findings))
        result = replace(result, dockerfile=text, prepare_s=prepare_s, notes=tuple(notes))
        self._save(result)
        files: dict[str, bytes] = {}
        size = baseline.size_bytes or 0
        for number, (fix, answered) in enumerate(plans, start=2):
            self._check_cancel()
            self._progress(number, f"building and smoke-testing {fix}")
            step, fixed_files = self._try(fix, answered, text, files, size, drop)
            if step.status == KEPT:
                text, files, size = step.dockerfile, fixed_files, step.size_bytes or size
            result = replace(result, steps=(*result.steps, step), dockerfile=text)
            self._save(result)
        self._check_cancel()
        self._progress(self._total, "building the kept fixes together as the optimized variant")
        result = self._final(result, text, files)
        seconds = time.monotonic() - started
        result = replace(
            result, seconds=seconds, overhead_s=max(0.0, seconds - self._waited - prepare_s)
        )
        self._save(result)
        return result

    # the steps ------------------------------------------------------------------

    def _try(
        self,
        fix: str,
        answered: Sequence[Finding],
        text: str,
        files: Mapping[str, bytes],
        size: int,
        drop: Sequence[str],
    ) -> tuple[Step, dict[str, bytes]]:
        """One fix on top of the kept ones: built, smoke-tested, kept if smaller."""
        titles = tuple(f.title for f in answered)
        measured = sum(f.bytes for f in answered)
        try:
            fixed = apply_fix(fix, text, self.project.path, extra_files=files, drop=drop)
        except CannotTransform as exc:
            return Step(fix, SKIPPED, titles, measured, reason=str(exc)), dict(files)
        step = self._build(fix, VARIANT, fixed.dockerfile, fixed.extra_files, fixed.summary)
        step = replace(step, findings=titles, finding_bytes=measured)
        if step.status != KEPT or step.size_bytes is None:
            return step, dict(files)
        saved = size - step.size_bytes
        step = replace(step, saved_bytes=saved)
        if saved <= 0:
            reason = f"saves nothing: the image is {human_bytes(-saved)} larger"
            return replace(step, status=DROPPED, reason=reason), dict(files)
        return step, dict(fixed.extra_files)

    def _build(
        self, fix: str, variant: str, text: str, files: Mapping[str, bytes], summary: str = ""
    ) -> Step:
        """Build a Dockerfile with the smoke test after it; kept when both pass."""
        step = Step(fix, DROPPED, summary=summary, dockerfile=text)
        builder = "buildkit" if DOCKERIGNORE in files and _has_buildkit() else None
        spec = BuildSpec(self.project, variant, text, dict(files), builder, smoke=True)
        try:
            build_id = self.service.submit(spec)
        except BuildError as exc:
            return replace(step, reason=f"it cannot be built: {exc}")
        record, outcome = self._wait(build_id)
        step = replace(step, build_id=build_id, image_id=record.image_id, build_s=record.duration_s)
        if record.status != "succeeded" or not record.image_id:
            reason = f"the build {record.status}: {record.error or 'no image'}"
            return replace(step, reason=reason, smoke_log=record.log_tail(LOG_LINES))
        smoke = self.store.latest_smoke_result(record.image_id) or {}
        passed, line = outcome if outcome is not None else (False, "smoke test did not run")
        step = replace(
            step,
            size_bytes=self._size(record.image_id),
            smoke=PASSED if passed else FAILED,
            smoke_s=smoke.get("seconds"),
            smoke_log=line if passed else "\n".join(filter(None, [line, smoke.get("log_tail")])),
        )
        if not passed:
            could_not = line.startswith("smoke test could not run")
            return replace(step, reason=line if could_not else f"it breaks the app: {line}")
        return replace(step, status=KEPT)

    def _final(self, result: Optimization, text: str, files: Mapping[str, bytes]) -> Optimization:
        """Build the kept fixes together as the optimized variant; save it when it works."""
        kept = result.kept
        if not kept:
            note = "no fix was kept: nothing the workbench knows makes this image smaller"
            return replace(result, notes=(*result.notes, note))
        summary = "; ".join(f"{s.fix} (saves {human_bytes(s.saved_bytes or 0)})" for s in kept)
        optimized = self._build("optimized", VARIANT, text, files, summary)
        optimized = replace(optimized, findings=tuple(t for s in kept for t in s.findings))
        diff = _diff(self.project.dockerfile_text(), text, "Dockerfile")
        for name, content in sorted(files.items()):
            own = self.project.path / name
            before = own.read_text("utf-8", errors="replace") if own.is_file() else ""
            diff += _diff(before, content.decode("utf-8", errors="replace"), name)
        result = replace(
            result,
            optimized=optimized,
            diff=diff,
            extra_files={n: c.decode("utf-8", errors="replace") for n, c in files.items()},
        )
        if optimized.status == KEPT and self.save:
            save_optimized(self.project.path, SavedOptimized(text, dict(files), summary))
            self._analyze_later(optimized.image_id)
        elif optimized.status != KEPT:
            note = f"the kept fixes together did not pass: {optimized.reason}"
            result = replace(result, notes=(*result.notes, note))
        return result

    # what the steps need ----------------------------------------------------------

    def _findings(
        self, baseline: Step, text: str
    ) -> tuple[list[Finding], tuple[str, ...], list[str]]:
        """The baseline's findings, the dependencies pruning drops, and notes."""
        notes = []
        analysis = self._analysis(baseline.image_id or "", text)
        audit = self.store.latest_audit(self.project.key)
        if audit is None:
            from workbench.audit import run_audit

            try:
                audit = run_audit(
                    self.project, image=baseline.image_id, client=self.client_factory(),
                    store=self.store,
                ).to_dict()  # fmt: skip
            except WorkbenchError as exc:
                notes.append(f"no dependency audit, so no pruning: {exc}")
        candidates = removals(audit)
        findings = run_findings(
            analysis, dockerfile=text, project_dir=self.project.path, removals=candidates
        )
        drop = tuple(c.name for c in candidates if c.selected)
        return findings, drop, notes

    def _analysis(self, image_id: str, text: str) -> ImageAnalysis:
        data = self.store.latest_analysis(image_id, SCHEMA_VERSION)
        if data is not None:
            return ImageAnalysis.from_dict(data)
        from workbench.analysis import stored

        client = self.client_factory()
        return stored.analyze(
            client, image_id, compress=False, dockerfile_text=text, store=self.store
        )

    def _wait(self, build_id: int) -> tuple[BuildRecord, tuple[bool, str] | None]:
        """Wait for a build and the smoke test after it; cancel it when asked to."""
        started = time.monotonic()
        self._progress(None, None, build_id=build_id)
        try:
            while True:
                [record] = self.service.wait([build_id], timeout=POLL_S)
                if self._cancel_asked():
                    self.service.cancel(build_id)
                    self.service.wait([build_id], timeout=60)
                    raise OptimizeCancelled("cancelled while building")
                if record.finished:
                    break
            outcome = self.service.smoke_outcome(build_id)
            while record.status == "succeeded" and outcome is None:
                time.sleep(POLL_S / 5)
                outcome = self.service.smoke_outcome(build_id)
            return record, outcome
        finally:
            self._waited += time.monotonic() - started

    def _size(self, image_id: str) -> int:
        try:
            return int(self.client_factory().api.inspect_image(image_id)["Size"])
        except docker.errors.DockerException as exc:
            raise OptimizeError(f"the engine cannot describe {image_id[:19]}: {exc}") from exc

    def _analyze_later(self, image_id: str | None) -> None:
        from workbench.analysis.stored import start_analysis

        if image_id:
            start_analysis(image_id, store=self.store, client_factory=self.client_factory)

    # progress -------------------------------------------------------------------

    def _progress(self, step: int | None, current: str | None = None, **more: object) -> None:
        if self.run_id is None:
            return
        values: dict[str, object] = dict(more)
        if step is not None:
            values.update(step=step, steps_total=max(self._total, step) if self._total else 0)
        if current is not None:
            values["current"] = current
        update_run(self.store, self.run_id, **values)

    def _save(self, result: Optimization) -> None:
        if self.run_id is not None:
            update_run(self.store, self.run_id, result=result.to_dict())

    def _cancel_asked(self) -> bool:
        if self.run_id is None:
            return False
        run = get_run(self.store, self.run_id)
        return run is not None and run.cancel_requested

    def _check_cancel(self) -> None:
        if self._cancel_asked():
            raise OptimizeCancelled("cancelled")


def _has_buildkit() -> bool:
    """Whether a BuildKit builder is here (only it reads an overlaid .dockerignore)."""
    try:
        return any(b.name == "buildkit" for b in available_builders())
    except WorkbenchError:
        return False


def _work(optimizer: Optimizer) -> None:
    """An optimize run on the optimize lane; whatever happens, its record ends finished."""
    store, run_id = optimizer.store, optimizer.run_id
    assert run_id is not None
    update_run(store, run_id, status=RUNNING, started_at=time.time())
    try:
        result = optimizer.run()
    except OptimizeCancelled:
        update_run(store, run_id, status=CANCELLED, ended_at=time.time(), error="cancelled")
    except WorkbenchError as exc:
        update_run(store, run_id, status=RUN_FAILED, ended_at=time.time(), error=str(exc))
    except Exception as exc:  # the lane must survive anything one run does
        error = f"the workbench failed while optimizing: {exc}"
        update_run(store, run_id, status=RUN_FAILED, ended_at=time.time(), error=error)
    else:
        update_run(
            store, run_id, status=SUCCEEDED, ended_at=time.time(), result=result.to_dict(),
            current="done",
        )  # fmt: skip


def start_optimize(
    project: Project,
    *,
    store: Store | None = None,
    jobs: Jobs | None = None,
    service: BuildService | None = None,
    client_factory: Callable[[], docker.DockerClient] = engine.connect,
) -> int:
    """Run :class:`Optimizer` on the process's optimize lane; progress lands in the store.

    Args:
        project: the project.
        store: the store (default: the workbench's).
        jobs: the jobs to queue it on (default: the process's).
        service: the build service (default: the process's).
        client_factory: how the run reaches the engine.

    Returns:
        The run's id: a new run, or the one already queued or running here.
    """
    store = store or Store()
    jobs = jobs or process_jobs()
    current = latest_run(store, project.key)
    if current is not None and not current.finished and jobs.running(OPTIMIZE, project.key):
        return current.id
    run_id = add_run(store, project)
    optimizer = Optimizer(project, store, service or build_service(), client_factory, run_id=run_id)
    jobs.submit(OPTIMIZE, project.key, lambda: _work(optimizer), project.name)
    return run_id


def cancel_optimize(run_id: int, store: Store | None = None) -> bool:
    """Ask a run to stop (its current build is cancelled); ``False`` if it has ended."""
    return request_cancel(store or Store(), run_id)


def latest_optimization(
    project: Project, store: Store | None = None
) -> tuple[OptimizeRun | None, Optimization | None]:
    """The project's newest run and its result so far (either may be ``None``)."""
    run = latest_run(store or Store(), project.key)
    if run is None or not run.result:
        return run, None
    try:
        return run, Optimization.from_dict(run.result)
    except (KeyError, TypeError, ValueError):
        return run, None  # written by another version of the workbench

"""What an optimize run found: the savings ladder, the final Dockerfile, its diff.

Each :class:`Step` is one fix built on top of the fixes kept before it: its image's
size, what it saved against the step before (measured: the engine's sizes), its smoke
test, its build time.  Kept steps only ever follow kept steps, so the savings add up,
to the byte, to the baseline's size minus the optimized image's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from workbench.findings.model import Finding

KEPT, DROPPED, SKIPPED = "kept", "dropped", "skipped"
PASSED, FAILED, NOT_CHECKED = "passed", "failed", "not checked"


@dataclass(frozen=True)
class Step:
    """One rung of the ladder: a build and its smoke test.

    Attributes:
        fix: the fix (``"no-cache"``...), or ``"baseline"``/``"optimized"``.
        status: :data:`KEPT`, :data:`DROPPED` (it broke the app, did not build, or saved
            nothing) or :data:`SKIPPED` (nothing to change, or cancelled before).
        findings: the titles of the findings it answers.
        finding_bytes: what those findings measured.
        reason: why it was dropped or skipped, in one line.
        summary: what the fix changed, in one line.
        size_bytes: the image's size after it.
        saved_bytes: bytes saved against the step before (kept steps; measured).
        smoke: its smoke test: :data:`PASSED`, :data:`FAILED` or :data:`NOT_CHECKED`.
        smoke_log: the smoke test's line, and the container's log tail when it failed.
        build_id: its build in the store.
        image_id: its image.
        build_s: how long the build took.
        smoke_s: how long the smoke test took.
        dockerfile: the Dockerfile built at this step.
    """

    fix: str
    status: str
    findings: tuple[str, ...] = ()
    finding_bytes: int = 0
    reason: str = ""
    summary: str = ""
    size_bytes: int | None = None
    saved_bytes: int | None = None
    smoke: str = NOT_CHECKED
    smoke_log: str = ""
    build_id: int | None = None
    image_id: str | None = None
    build_s: float | None = None
    smoke_s: float | None = None
    dockerfile: str = ""


@dataclass(frozen=True)
class Optimization:
    """An optimize run's result.

    Attributes:
        project_path: the project.
        baseline: the baseline's build and smoke test.
        steps: one per fix, in the order tried.
        optimized: the kept fixes built together (``None`` until built, or when none
            was kept).
        findings: the baseline's findings.
        dockerfile: the final Dockerfile (the baseline's when no fix was kept).
        extra_files: files it overlays on the build context (text).
        diff: a unified diff against the project's own Dockerfile (and files).
        overhead_s: the run's own time, beyond its builds and smoke tests.
        prepare_s: the time taken to analyse the baseline and audit it, when they were
            not stored already.
        seconds: the run's whole time.
        notes: what else to know, one sentence each.
    """

    project_path: str
    baseline: Step
    steps: tuple[Step, ...] = ()
    optimized: Step | None = None
    findings: tuple[Finding, ...] = ()
    dockerfile: str = ""
    extra_files: Mapping[str, str] = field(default_factory=dict)
    diff: str = ""
    overhead_s: float = 0.0
    prepare_s: float = 0.0
    seconds: float = 0.0
    notes: tuple[str, ...] = ()

    @property
    def kept(self) -> list[Step]:
        """The steps kept, in order."""
        return [step for step in self.steps if step.status == KEPT]

    @property
    def saved_bytes(self) -> int | None:
        """The baseline's size minus the optimized image's."""
        if self.optimized is None or self.optimized.size_bytes is None:
            return None
        if self.baseline.size_bytes is None:
            return None
        return self.baseline.size_bytes - self.optimized.size_bytes

    @property
    def adds_up(self) -> bool:
        """Whether the kept steps' savings sum, to the byte, to the whole saving."""
        saved = self.saved_bytes
        return saved is not None and saved == sum(s.saved_bytes or 0 for s in self.kept)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (``workbench optimize --json``, the store)."""
        return {
            "project_path": self.project_path,
            "baseline": asdict(self.baseline),
            "steps": [asdict(step) for step in self.steps],
            "optimized": asdict(self.optimized) if self.optimized else None,
            "findings": [f.to_dict() for f in self.findings],
            "dockerfile": self.dockerfile,
            "extra_files": dict(self.extra_files),
            "diff": self.diff,
            "saved_bytes": self.saved_bytes,
            "adds_up": self.adds_up,
            "overhead_s": round(self.overhead_s, 3),
            "prepare_s": round(self.prepare_s, 3),
            "seconds": round(self.seconds, 3),
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Optimization:
        """Read back what :meth:`to_dict` wrote."""
        return cls(
            project_path=data["project_path"],
            baseline=_step(data["baseline"]),
            steps=tuple(_step(s) for s in data.get("steps") or ()),
            optimized=_step(data["optimized"]) if data.get("optimized") else None,
            findings=tuple(Finding.from_dict(f) for f in data.get("findings") or ()),
            dockerfile=data.get("dockerfile", ""),
            extra_files=dict(data.get("extra_files") or {}),
            diff=data.get("diff", ""),
            overhead_s=float(data.get("overhead_s", 0.0)),
            prepare_s=float(data.get("prepare_s", 0.0)),
            seconds=float(data.get("seconds", 0.0)),
            notes=tuple(data.get("notes") or ()),
        )


def _step(data: Mapping[str, Any]) -> Step:
    return Step(**{**data, "findings": tuple(data.get("findings") or ())})

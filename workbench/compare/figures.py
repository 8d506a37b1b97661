"""Compare a project's variants: long-form frames for charts, savings, plan vs measured.

Everything here reads the store (builds, analyses, pushes, smoke results), so the
Compare page and the report show the same figures, with the engine up or down.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from workbench.analysis import COMPONENT_LABELS, COMPONENTS, ImageAnalysis
from workbench.analysis.model import SCHEMA_VERSION
from workbench.project import Project
from workbench.project.plan import Plan
from workbench.store import BuildRecord, Store
from workbench.variants import variant_order

BASELINE = "baseline"
# What each variant's transform includes besides its own, so a task's own saving is
# measured against the variant it builds on (multi-stage installs without caches too).
INCLUDES: dict[str, tuple[str, ...]] = {
    "multi-stage": ("no-cache",),
    "combined": ("no-cache", "multi-stage", "pruned-deps"),
}
MEASURED = "Measured"
NOT_COUNTED = "Measured, not counted (smoke test failed)"
SMOKE_WORDS: dict[bool | None, str] = {True: "passed", False: "failed", None: "not checked"}
"""A smoke test's result in words, everywhere it is shown."""
BROKEN_MARK = " (smoke test failed)"
""":attr:`VariantFigures.shown` of a variant whose image failed its smoke test."""


@dataclass(frozen=True)
class VariantFigures:
    """What the store knows of a variant's newest image."""

    variant: str
    build: BuildRecord
    analysis: ImageAnalysis
    pushed_bytes: int | None = None  # measured in a registry
    smoke_passed: bool | None = None

    @property
    def size_bytes(self) -> int:
        return self.analysis.size_bytes

    @property
    def compressed_bytes(self) -> int | None:
        """The measured registry size when there is one, else the gzip estimate."""
        return self.pushed_bytes if self.pushed_bytes is not None else self.gzip_bytes

    @property
    def compressed_is_measured(self) -> bool:
        return self.pushed_bytes is not None

    @property
    def gzip_bytes(self) -> int | None:
        return self.analysis.compressed.gzip_bytes

    @property
    def smoke(self) -> str:
        """Its smoke test's result in words: passed, failed or not checked."""
        return SMOKE_WORDS[self.smoke_passed]

    @property
    def works(self) -> bool:
        """Not known to be broken: a variant whose smoke test failed saves nothing."""
        return self.smoke_passed is not False

    @property
    def shown(self) -> str:
        """The variant as charts name it: marked when its image failed its smoke test."""
        return self.variant if self.works else self.variant + BROKEN_MARK


def best_variant(
    figures: Sequence[VariantFigures], baseline: str = BASELINE
) -> VariantFigures | None:
    """The smallest variant other than the baseline whose image is not known to be broken
    (a failed smoke test rules a variant out; one never tested may still be best)."""
    working = [f for f in figures if f.variant != baseline and f.works]
    return min(working, key=lambda f: f.size_bytes, default=None)


def project_figures(project: Project, store: Store | None = None) -> list[VariantFigures]:
    """Per variant of the project, its newest succeeded build that has an analysis."""
    store = store or Store()
    figures = []
    for variant, build in store.latest_images(project.key).items():
        data = store.latest_analysis(build.image_id, SCHEMA_VERSION) if build.image_id else None
        if data is None:
            continue
        push = store.latest_push(build.image_id)
        smoke = store.latest_smoke_result(build.image_id)
        figures.append(
            VariantFigures(
                variant=variant,
                build=build,
                analysis=ImageAnalysis.from_dict(data),
                pushed_bytes=int(push["total_bytes"]) if push else None,
                smoke_passed=smoke["passed"] if smoke else None,
            )
        )
    return sorted(figures, key=lambda f: variant_order(f.variant))


def components_frame(figures: Sequence[VariantFigures]) -> pd.DataFrame:
    """One row per variant and component: variant, shown (the variant as charts name it),
    component, label, bytes, mb, order."""
    rows = [
        {
            "variant": f.variant,
            "shown": f.shown,
            "component": component,
            "label": COMPONENT_LABELS[component],
            "bytes": int(f.analysis.components.get(component, 0)),
            "mb": f.analysis.components.get(component, 0) / 1e6,
            "order": index,
        }
        for f in figures
        for index, component in enumerate(COMPONENTS)
    ]
    columns = ["variant", "shown", "component", "label", "bytes", "mb", "order"]
    return pd.DataFrame(rows, columns=columns)


def savings_frame(figures: Sequence[VariantFigures], baseline: str = BASELINE) -> pd.DataFrame:
    """Per variant other than the baseline, per component and in total: bytes saved.

    Columns: variant, shown (as charts name it), smoke (its smoke test in words),
    component, label, baseline_bytes, variant_bytes, saved_bytes, saved_pct (of the
    baseline's bytes of that component; of its size for the total). Empty when the
    baseline has no analysis.
    """
    base = next((f for f in figures if f.variant == baseline), None)
    columns = [
        "variant",
        "shown",
        "smoke",
        "component",
        "label",
        "baseline_bytes",
        "variant_bytes",
        "saved_bytes",
        "saved_pct",
    ]
    if base is None:
        return pd.DataFrame(columns=columns)
    rows = []
    for f in figures:
        if f.variant == baseline:
            continue
        pairs = [
            (
                c,
                COMPONENT_LABELS[c],
                base.analysis.components.get(c, 0),
                f.analysis.components.get(c, 0),
            )
            for c in COMPONENTS
        ]
        pairs.append(("total", "Total", base.size_bytes, f.size_bytes))
        for component, label, before, after in pairs:
            saved = int(before) - int(after)
            rows.append(
                {
                    "variant": f.variant,
                    "shown": f.shown,
                    "smoke": f.smoke,
                    "component": component,
                    "label": label,
                    "baseline_bytes": int(before),
                    "variant_bytes": int(after),
                    "saved_bytes": saved,
                    "saved_pct": saved / before * 100 if before else 0.0,
                }
            )
    return pd.DataFrame(rows, columns=columns)


def waterfall_frame(figures: Sequence[VariantFigures], baseline: str = BASELINE) -> pd.DataFrame:
    """From the baseline through each smaller variant down to the best one.

    Each step is a variant that is not known to be broken (a variant whose smoke test
    failed saves nothing), taken from largest to smallest; its bar spans from the
    previous step's size to its own (``start``, ``end``, ``delta`` in bytes).
    Columns: step, variant, kind ("total" or "saving"), start, end, delta, order.
    """
    base = next((f for f in figures if f.variant == baseline), None)
    columns = ["step", "variant", "kind", "start", "end", "delta", "order"]
    if base is None:
        return pd.DataFrame(columns=columns)
    rows = [
        {
            "step": f"{baseline}",
            "variant": baseline,
            "kind": "total",
            "start": 0,
            "end": base.size_bytes,
            "delta": base.size_bytes,
            "order": 0,
        }
    ]
    previous = base.size_bytes
    chain = sorted(
        (
            f
            for f in figures
            if f.variant != baseline and f.works and f.size_bytes < base.size_bytes
        ),
        key=lambda f: -f.size_bytes,
    )
    for order, f in enumerate(chain, start=1):
        rows.append(
            {
                "step": f"→ {f.variant}",
                "variant": f.variant,
                "kind": "saving",
                "start": previous,
                "end": f.size_bytes,
                "delta": f.size_bytes - previous,
                "order": order,
            }
        )
        previous = f.size_bytes
    if chain:
        best = chain[-1]
        rows.append(
            {
                "step": f"best: {best.variant}",
                "variant": best.variant,
                "kind": "total",
                "start": 0,
                "end": best.size_bytes,
                "delta": best.size_bytes,
                "order": len(chain) + 1,
            }
        )
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class TaskComparison:
    """One plan task: its estimate beside what the workbench measured.

    ``measured_bytes`` is the task's own saving: against the variant it builds on
    (``reference``: the baseline, or for multi-stage the no-cache variant it
    includes), so tasks that include one another are not counted twice.
    ``vs_baseline_bytes`` is the variant's whole saving against the baseline.
    A variant whose image failed its smoke test is not counted (``counted``).
    """

    priority: int
    task: str
    variant: str
    estimate_min_bytes: int
    estimate_max_bytes: int
    measured_bytes: int | None  # None until the variant and its reference are analysed
    reference: str = BASELINE
    vs_baseline_bytes: int | None = None
    smoke_passed: bool | None = None

    @property
    def counted(self) -> bool:
        """Whether the measured saving counts: the image is not known to be broken."""
        return self.measured_bytes is not None and self.smoke_passed is not False

    @property
    def smoke(self) -> str:
        """The variant's smoke test in words: passed, failed or not checked."""
        return SMOKE_WORDS[self.smoke_passed]

    @property
    def verdict(self) -> str:
        if self.measured_bytes is None:
            return "not built yet"
        if not self.counted:
            return "not counted: the image failed its smoke test"
        if self.measured_bytes > self.estimate_max_bytes:
            ratio = self.measured_bytes / self.estimate_max_bytes if self.estimate_max_bytes else 0
            return f"saves more than planned ({ratio:.1f}× the upper estimate)"
        if self.measured_bytes < self.estimate_min_bytes:
            return "saves less than planned"
        return "within the estimate"


def reference_variant(variant: str, built: dict[str, VariantFigures], baseline: str) -> str:
    """The built variant a variant's own saving is measured against."""
    included = [built[name] for name in INCLUDES.get(variant, ()) if name in built]
    if not included:
        return baseline
    return min(included, key=lambda f: f.size_bytes).variant


@dataclass(frozen=True)
class TargetCheck:
    """Whether the best measured image meets one of the plan's targets."""

    target: str  # "uncompressed" or "compressed"
    min_bytes: int
    max_bytes: int
    best_variant: str | None
    best_bytes: int | None
    measured: bool  # False: the compressed figure is an estimate

    @property
    def met(self) -> bool | None:
        return None if self.best_bytes is None else self.best_bytes <= self.max_bytes


def plan_vs_measured(
    plan: Plan, figures: Sequence[VariantFigures]
) -> tuple[list[TaskComparison], list[TargetCheck]]:
    """Each plan task's estimated saving beside the measured one, and the targets."""
    by_variant = {f.variant: f for f in figures}
    base = by_variant.get(plan.baseline_variant)
    tasks = []
    for task in plan.tasks:
        built = by_variant.get(task.variant)
        reference = reference_variant(task.variant, by_variant, plan.baseline_variant)
        against = by_variant.get(reference)
        tasks.append(
            TaskComparison(
                task.priority,
                task.name,
                task.variant,
                task.saving.min_bytes,
                task.saving.max_bytes,
                against.size_bytes - built.size_bytes if against and built else None,
                reference,
                base.size_bytes - built.size_bytes if base and built else None,
                built.smoke_passed if built else None,
            )
        )
    targets = []
    working = [f for f in figures if f.works]
    smallest = min(working, key=lambda f: f.size_bytes, default=None)
    if plan.target_uncompressed:
        targets.append(
            TargetCheck(
                "uncompressed",
                plan.target_uncompressed.min_bytes,
                plan.target_uncompressed.max_bytes,
                smallest.variant if smallest else None,
                smallest.size_bytes if smallest else None,
                True,
            )
        )
    compressed = [f for f in working if f.compressed_bytes is not None]
    if plan.target_compressed:
        best = min(compressed, key=lambda f: f.compressed_bytes or 0, default=None)
        targets.append(
            TargetCheck(
                "compressed",
                plan.target_compressed.min_bytes,
                plan.target_compressed.max_bytes,
                best.variant if best else None,
                best.compressed_bytes if best else None,
                bool(best and best.compressed_is_measured),
            )
        )
    return tasks, targets


def plan_frame(tasks: Sequence[TaskComparison]) -> pd.DataFrame:
    """Long form for the plan-vs-measured chart: one row per task and figure kind.

    A measured saving that does not count (the image failed its smoke test) is of the
    kind :data:`NOT_COUNTED`, so the chart marks it.
    """
    rows = []
    for t in tasks:
        label = f"P{t.priority}: {t.task}" + (
            "" if t.counted or t.measured_bytes is None else BROKEN_MARK
        )
        rows.append(
            {
                "task": label,
                "kind": "Plan estimate",
                "low_mb": t.estimate_min_bytes / 1e6,
                "high_mb": t.estimate_max_bytes / 1e6,
            }
        )
        if t.measured_bytes is not None:
            rows.append(
                {
                    "task": label,
                    "kind": MEASURED if t.counted else NOT_COUNTED,
                    "low_mb": t.measured_bytes / 1e6,
                    "high_mb": t.measured_bytes / 1e6,
                }
            )
    return pd.DataFrame(rows, columns=["task", "kind", "low_mb", "high_mb"])


def size_history_frame(project: Project, store: Store | None = None) -> pd.DataFrame:
    """Every succeeded build of a project, oldest first: when it ended and its image's size.

    Columns: variant, build_id, built_at (UTC), size_bytes and mb (``None`` when the image
    was never analysed), dockerfile (the first 12 digits of the Dockerfile's sha256),
    image (the image's short id), tag.  A variant's line over its builds shows where a
    regression started; the Dockerfile's digest tells the builds whose Dockerfile changed.
    """
    store = store or Store()
    builds = store.builds(project_key=project.key, statuses=("succeeded",), limit=5000)
    builds = [b for b in reversed(builds) if b.image_id]
    sizes = store.analysed_sizes(sorted({b.image_id for b in builds}), SCHEMA_VERSION)
    columns = ["variant", "build_id", "built_at", "size_bytes", "mb", "dockerfile", "image", "tag"]
    rows = [
        {
            "variant": b.variant,
            "build_id": b.id,
            "built_at": pd.to_datetime(b.ended_at or b.requested_at, unit="s", utc=True),
            "size_bytes": sizes.get(b.image_id),
            "mb": sizes[b.image_id] / 1e6 if b.image_id in sizes else None,
            "dockerfile": b.dockerfile_sha256[:12],
            "image": (b.image_id or "").removeprefix("sha256:")[:12],
            "tag": b.tag,
        }
        for b in builds
    ]
    return pd.DataFrame(rows, columns=columns)


def figures_frame(figures: Sequence[VariantFigures]) -> pd.DataFrame:
    """Per variant: size, compressed (measured or estimated), build duration."""
    return pd.DataFrame(
        [
            {
                "variant": f.variant,
                "shown": f.shown,
                "size_mb": f.size_bytes / 1e6,
                "compressed_mb": (f.compressed_bytes or 0) / 1e6,
                "compressed_bytes": f.compressed_bytes or 0,
                "compressed_kind": "measured in a registry"
                if f.compressed_is_measured
                else "estimate (gzip)",
                "duration_s": f.build.duration_s or 0.0,
            }
            for f in figures
        ],
        columns=[
            "variant",
            "shown",
            "size_mb",
            "compressed_mb",
            "compressed_bytes",
            "compressed_kind",
            "duration_s",
        ],
    )

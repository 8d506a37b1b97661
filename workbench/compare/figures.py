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
    """One row per variant and component: variant, component, label, bytes, mb, order."""
    rows = [
        {
            "variant": f.variant,
            "component": component,
            "label": COMPONENT_LABELS[component],
            "bytes": int(f.analysis.components.get(component, 0)),
            "mb": f.analysis.components.get(component, 0) / 1e6,
            "order": index,
        }
        for f in figures
        for index, component in enumerate(COMPONENTS)
    ]
    return pd.DataFrame(rows, columns=["variant", "component", "label", "bytes", "mb", "order"])


def savings_frame(figures: Sequence[VariantFigures], baseline: str = BASELINE) -> pd.DataFrame:
    """Per variant other than the baseline, per component and in total: bytes saved.

    Columns: variant, component, label, baseline_bytes, variant_bytes, saved_bytes,
    saved_pct (of the baseline's bytes of that component; of its size for the total).
    Empty when the baseline has no analysis.
    """
    base = next((f for f in figures if f.variant == baseline), None)
    columns = [
        "variant",
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

    Each step is a variant, taken from largest to smallest; its bar spans from the
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
        (f for f in figures if f.variant != baseline and f.size_bytes < base.size_bytes),
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
    """

    priority: int
    task: str
    variant: str
    estimate_min_bytes: int
    estimate_max_bytes: int
    measured_bytes: int | None  # None until the variant and its reference are analysed
    reference: str = BASELINE
    vs_baseline_bytes: int | None = None

    @property
    def verdict(self) -> str:
        if self.measured_bytes is None:
            return "not built yet"
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
            )
        )
    targets = []
    smallest = min(figures, key=lambda f: f.size_bytes, default=None)
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
    compressed = [f for f in figures if f.compressed_bytes is not None]
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
    """Long form for the plan-vs-measured chart: one row per task and figure kind."""
    rows = []
    for t in tasks:
        label = f"P{t.priority}: {t.task}"
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
                    "kind": "Measured",
                    "low_mb": t.measured_bytes / 1e6,
                    "high_mb": t.measured_bytes / 1e6,
                }
            )
    return pd.DataFrame(rows, columns=["task", "kind", "low_mb", "high_mb"])

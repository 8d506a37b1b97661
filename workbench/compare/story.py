"""The story a stakeholder reads first: one sentence, and the frame of the before/after bar.

:func:`project_story` says how much the best variant that still works saves against the
baseline, beside what the plan estimated for the changes that variant makes;
:func:`before_after_frame` is the baseline's and that variant's bytes per component (a
component neither image holds is left out, so no row says 0 B).  Stakeholder mode in
the app and the first screen of the report show both, the plan against the measured
saving per task between them.

The plan's estimate is the estimate of the plan tasks the best variant carries out: its
own task, plus the tasks of the variants it includes (multi-stage installs without a
cache too, so it carries out the no-cache task), summed.  A variant that is no task's
(``optimized``, ``custom``) is held against the whole plan: all its tasks, summed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from workbench.analysis import COMPONENT_LABELS, COMPONENTS
from workbench.compare.figures import (
    BASELINE,
    INCLUDES,
    TargetCheck,
    VariantFigures,
    best_variant,
)
from workbench.project.plan import Plan, PlanTask
from workbench.units import human_bytes

LABEL_SHARE = 0.06  # a segment of the before/after bar is labelled from 6 % of the bar up


def size_range(low: int, high: int) -> str:
    """A range of sizes, its unit said once when both ends share it: ``20.0–50.0 MB``."""
    a, b = human_bytes(low), human_bytes(high)
    (a_value, _, a_unit), (b_value, _, b_unit) = a.partition(" "), b.partition(" ")
    return f"{a_value}–{b_value} {a_unit}" if a_unit == b_unit else f"{a} – {b}"


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


@dataclass(frozen=True)
class Story:
    """The baseline against the best variant that still works, and the plan's estimate.

    ``best`` is ``None`` when no variant that still works is smaller than the baseline.
    ``plan_tasks`` are the tasks the estimate sums (``P1: name``); ``whole_plan`` is
    True when the best variant is no task's, so the estimate is every task's.
    """

    project: str
    baseline: str
    baseline_bytes: int
    best: str | None = None
    best_bytes: int = 0
    best_smoke: bool | None = None
    has_plan: bool = False
    plan_tasks: tuple[str, ...] = ()
    plan_min_bytes: int = 0
    plan_max_bytes: int = 0
    own_task: bool = False  # the best variant is one of the tasks summed
    whole_plan: bool = False

    @property
    def saved_bytes(self) -> int:
        return self.baseline_bytes - self.best_bytes if self.best else 0

    @property
    def saved_pct(self) -> float:
        return self.saved_bytes / self.baseline_bytes * 100 if self.baseline_bytes else 0.0

    @property
    def smoke_words(self) -> str:
        """Whether the best variant passed its smoke test, in words."""
        return "passed its smoke test" if self.best_smoke else "not smoke-tested"

    @property
    def plan_estimate(self) -> str:
        """The plan's estimate for the best variant's changes (empty without one)."""
        if not self.plan_tasks:
            return ""
        return size_range(self.plan_min_bytes, self.plan_max_bytes)

    @property
    def plan_basis(self) -> str:
        """Which tasks the estimate sums, in words ("" when it is the variant's own task)."""
        count = len(self.plan_tasks)
        if self.whole_plan:
            return f" for its {count} tasks together" if count > 1 else f" for {self.plan_tasks[0]}"
        if self.own_task and count == 1:
            return ""
        tasks = _and([task.split(":")[0] for task in self.plan_tasks])
        return f" for {tasks} together" if self.own_task else f" for {tasks}, which it includes"

    def sentence(self) -> str:
        """The story in one sentence (what the first screen says first)."""
        if self.best is None:
            return (
                f"{self.project}: no variant that still works is smaller than the "
                f"{self.baseline} ({human_bytes(self.baseline_bytes)})."
            )
        saved = human_bytes(self.saved_bytes)
        head = (
            f"{self.project}: {self.best} ({self.smoke_words}) is {saved} "
            f"({self.saved_pct:.1f} %) smaller than the {self.baseline}"
        )
        if not self.has_plan:
            return f"{head}; there is no plan (plan.toml) to hold it against."
        if not self.plan_tasks:
            return f"{head}; the plan has no tasks to hold it against."
        estimate = f"{self.plan_estimate}{self.plan_basis}"
        return f"{head}; the plan estimated {estimate}, measured {saved}."


def _covered(plan: Plan, variant: str) -> list[PlanTask]:
    """The plan tasks a variant carries out: its own and those of the variants it includes."""
    names = {variant, *INCLUDES.get(variant, ())}
    return [task for task in plan.tasks if task.variant in names]


def project_story(
    project: str, figures: Sequence[VariantFigures], plan: Plan | None
) -> Story | None:
    """The story of a project's figures; ``None`` without an analysed baseline.

    Args:
        project: the project's name, the sentence's first word.
        figures: one per variant (:func:`workbench.compare.figures.project_figures`).
        plan: the project's plan; ``None`` when it has none.
    """
    baseline = plan.baseline_variant if plan else BASELINE
    base = next((f for f in figures if f.variant == baseline), None)
    if base is None:
        return None
    story = Story(project, baseline, base.size_bytes, has_plan=plan is not None)
    best = best_variant(figures, baseline)
    if best is None or best.size_bytes >= base.size_bytes:
        return story
    covered = _covered(plan, best.variant) if plan else []
    tasks = covered or (list(plan.tasks) if plan else [])
    return Story(
        project,
        baseline,
        base.size_bytes,
        best=best.variant,
        best_bytes=best.size_bytes,
        best_smoke=best.smoke_passed,
        has_plan=plan is not None,
        plan_tasks=tuple(f"P{t.priority}: {t.name}" for t in tasks),
        plan_min_bytes=sum(t.saving.min_bytes for t in tasks),
        plan_max_bytes=sum(t.saving.max_bytes for t in tasks),
        own_task=any(t.variant == best.variant for t in tasks),
        whole_plan=bool(tasks) and not covered,
    )


def target_sentence(target: TargetCheck) -> str:
    """One of the plan's targets and whether the best image meets it, in words."""
    head = f"{target.target.capitalize()} target {size_range(target.min_bytes, target.max_bytes)}"
    if target.met is None or target.best_bytes is None:
        how = "push an image to a registry to measure it" if target.target == "compressed" else ""
        return f"{head}: not measured yet" + (f" ({how})" if how else "")
    verdict = "met" if target.met else "not met"
    estimate = "" if target.measured else ", an estimate"
    return f"{head}: {verdict} ({target.best_variant}: {human_bytes(target.best_bytes)}{estimate})"


def before_after_frame(
    figures: Sequence[VariantFigures], best: str | None, baseline: str = BASELINE
) -> pd.DataFrame:
    """The baseline's and the best variant's bytes per component, for the before/after bar.

    One row per image and component that either image holds (a component both lack is
    left out).  Columns: bar (``Before: baseline``, ``After: best``), variant, component,
    label, bytes, mb, order, start_mb and end_mb (the segment along its bar: the
    segments of a bar add up to its image's size), text (the segment's size, when it is
    wide enough to hold it), total (its image's size, in words, on its last segment).
    """
    columns = [
        "bar", "variant", "component", "label", "bytes", "mb", "order",
        "start_mb", "end_mb", "text", "total",
    ]  # fmt: skip
    by_name = {f.variant: f for f in figures}
    pair = [(f"Before: {baseline}", by_name.get(baseline)), (f"After: {best}", by_name.get(best))]
    if best is None or any(f is None for _, f in pair):
        return pd.DataFrame(columns=columns)
    held = [c for c in COMPONENTS if any(f.analysis.components.get(c, 0) for _, f in pair)]
    widest = max(f.size_bytes for _, f in pair) or 1
    rows = []
    for bar, f in pair:
        start = 0
        for order, component in enumerate(held):
            size = int(f.analysis.components.get(component, 0))
            rows.append(
                {
                    "bar": bar,
                    "variant": f.variant,
                    "component": component,
                    "label": COMPONENT_LABELS[component],
                    "bytes": size,
                    "mb": size / 1e6,
                    "order": order,
                    "start_mb": start / 1e6,
                    "end_mb": (start + size) / 1e6,
                    "text": human_bytes(size) if size >= LABEL_SHARE * widest else "",
                    "total": human_bytes(f.size_bytes) if order == len(held) - 1 else "",
                }
            )
            start += size
    return pd.DataFrame(rows, columns=columns)

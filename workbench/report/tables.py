"""The report's tables as named columns, and how its figures are written as text.

The HTML and the Markdown render the same :class:`Table`: each :class:`Column` has a
name (``key``), a header, whether it is numeric (right-aligned) or wraps its lines,
and how its cells are shown (:class:`Show`: plain, as a :class:`Badge`, or greyed
out when they say nothing was saved); each row holds one value per column name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from workbench.analysis import COMPONENT_LABELS, COMPONENTS
from workbench.compare.figures import BASELINE, SMOKE_WORDS, TargetCheck, TaskComparison
from workbench.report.model import Headline, Report
from workbench.units import human_bytes

ZERO_TEXTS = ("0 B", "0.0 %")  # what a saving of nothing reads as


class Show(Enum):
    """How the cells of a column are shown."""

    PLAIN = "plain"
    BADGE = "badge"  # each cell is a Badge; an empty one shows nothing
    ZERO_MUTED = "zero-muted"  # a saving of nothing (ZERO_TEXTS) is greyed out


@dataclass(frozen=True)
class Badge:
    """A cell shown as a badge: its text, and its kind (``standin``, ``met``, ``ok``, ...)."""

    text: str
    kind: str


Cell = str | Badge


@dataclass(frozen=True)
class Column:
    """One column of a table: ``key`` names its cell in each row."""

    key: str
    header: str
    numeric: bool = False
    wrap: bool = False
    show: Show = Show.PLAIN


@dataclass(frozen=True)
class Table:
    """Columns, and rows of one cell per column key; ``total_last``: the last row is a total."""

    columns: tuple[Column, ...]
    rows: tuple[Mapping[str, Cell], ...]
    total_last: bool = False


def cell_text(cell: Cell) -> str:
    """A cell's text, whatever it is shown as."""
    return cell.text if isinstance(cell, Badge) else cell


# --- figures as text --------------------------------------------------------------


def pct(value: float | None) -> str:
    """A percentage with one decimal; empty when there is none."""
    return "" if value is None else f"{value:.1f} %"


def size_text(value: int | None) -> str:
    """A size in MB/GB; "not computed" when there is none."""
    return "not computed" if value is None else human_bytes(value)


def seconds(value: float | None) -> str:
    """A duration in seconds with one decimal; empty when there is none."""
    return "" if value is None else f"{value:,.1f} s"


def when(timestamp: float | None) -> str:
    """A timestamp as a local date and time to the minute; empty when there is none."""
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp).astimezone().strftime("%Y-%m-%d %H:%M")


def smoke(passed: bool | None) -> str:
    """A smoke test's result in words."""
    return SMOKE_WORDS[passed]


def baseline_label(h: Headline) -> str:
    """The baseline's label: Baseline, naming the variant when the plan's is another one."""
    return "Baseline" if h.baseline == BASELINE else f"Baseline ({h.baseline})"


def target_status(target: TargetCheck) -> str:
    """Whether a plan target is met, saying when the figure is an estimate."""
    if target.met is None:
        return "not measured yet"
    status = "met" if target.met else "not met"
    return status if target.measured else f"{status} (estimate; push to a registry to measure)"


def target_kind(target: TargetCheck) -> str:
    """The badge kind of a target's status: ``met``, ``notmet`` or ``none``."""
    if target.met is None:
        return "none"
    return "met" if target.met else "notmet"


def verdict_kind(task: TaskComparison) -> str:
    """The badge kind of a task's verdict: ``more``, ``less``, ``ok`` or ``none``."""
    if task.measured_bytes is None:
        return "none"
    if not task.counted:
        return "notmet"
    if task.measured_bytes > task.estimate_max_bytes:
        return "more"
    if task.measured_bytes < task.estimate_min_bytes:
        return "less"
    return "ok"


def _smoke_note(passed: bool | None) -> str:
    """What to say beside a variant's saving about its smoke test (nothing when it passed)."""
    return "" if passed else f" ({'smoke test failed' if passed is False else 'not checked'})"


def _range(low: int, high: int) -> str:
    return f"{human_bytes(low)} – {human_bytes(high)}"


# --- the tables -------------------------------------------------------------------


def headline_table(report: Report) -> Table:
    """The baseline, the best variant and the saving: size and compressed size."""
    h = report.headline
    saved_compressed = (
        f"{human_bytes(h.compressed_saved_bytes)} ({pct(h.compressed_saved_pct)})"
        if h.compressed_saved_bytes is not None
        else ""
    )
    columns = (
        Column("what", ""),
        Column("size", "Size", numeric=True),
        Column("compressed", "Compressed", numeric=True),
    )
    rows = (
        {
            "what": baseline_label(h),
            "size": human_bytes(h.baseline_bytes),
            "compressed": size_text(h.baseline_compressed_bytes),
        },
        {
            "what": f"Best: {h.best}",
            "size": human_bytes(h.best_bytes),
            "compressed": size_text(h.best_compressed_bytes),
        },
        {
            "what": "Saved",
            "size": f"{human_bytes(h.saved_bytes)} ({pct(h.saved_pct)})",
            "compressed": saved_compressed,
        },
    )
    return Table(columns, rows)


def components_table(report: Report) -> Table:
    """Rows: the components and the total; columns: the variants."""
    by_key = {(r["variant"], r["component"]): r["bytes"] for r in report.components}
    columns = (
        Column("component", "Component"),
        *(Column(f"size:{v.variant}", v.variant, numeric=True) for v in report.variants),
    )
    rows: list[dict[str, Cell]] = [
        {
            "component": COMPONENT_LABELS[c],
            **{
                f"size:{v.variant}": human_bytes(by_key.get((v.variant, c), 0))
                for v in report.variants
            },
        }
        for c in COMPONENTS
    ]
    rows.append(
        {
            "component": "Total",
            **{f"size:{v.variant}": human_bytes(v.size_bytes) for v in report.variants},
        }
    )
    return Table(columns, tuple(rows), total_last=True)


def savings_table(report: Report) -> Table:
    """Rows: the components and the total; per variant its saving and % of the baseline's bytes."""
    base = report.variant(report.baseline)
    others = [v for v in report.variants if v.variant != report.baseline]
    names = [v.variant for v in others]
    checked = {v.variant: _smoke_note(v.smoke_passed) for v in others}
    by_key = {(r["variant"], r["component"]): r for r in report.savings}
    columns = [
        Column("component", "Component"),
        Column("baseline", report.baseline, numeric=True, show=Show.ZERO_MUTED),
    ]
    for name in names:
        columns += [
            Column(
                f"saved:{name}", f"{name}: saved{checked[name]}", numeric=True, show=Show.ZERO_MUTED
            ),
            Column(f"pct:{name}", f"{name}: %", numeric=True, show=Show.ZERO_MUTED),
        ]
    rows = []
    for component in [*COMPONENTS, "total"]:
        before = base.size_bytes if component == "total" else base.components.get(component, 0)
        row: dict[str, Cell] = {
            "component": COMPONENT_LABELS.get(component, "Total"),
            "baseline": human_bytes(before),
        }
        for name in names:
            saving = by_key.get((name, component))
            row[f"saved:{name}"] = human_bytes(saving["saved_bytes"]) if saving else ""
            row[f"pct:{name}"] = pct(saving["saved_pct"]) if saving else ""
        rows.append(row)
    return Table(tuple(columns), tuple(rows), total_last=True)


def waterfall_table(report: Report) -> Table:
    """One row per step from the baseline to the best variant."""
    columns = (
        Column("step", "Step"),
        Column("size", "Image size", numeric=True),
        Column("change", "Change", numeric=True),
    )
    rows = tuple(
        {
            "step": str(step["step"]),
            "size": human_bytes(step["end"]),
            "change": human_bytes(step["delta"], signed=True) if step["kind"] == "saving" else "",
        }
        for step in report.waterfall
    )
    return Table(columns, rows)


def tasks_table(report: Report) -> Table:
    """One row per plan task: its estimate beside the measured saving, and a verdict."""
    columns = (
        Column("task", "Task", wrap=True),
        Column("variant", "Variant"),
        Column("estimate", "Plan estimate", numeric=True),
        Column("measured", "Measured own saving", numeric=True),
        Column("reference", "Measured against"),
        Column("vs_baseline", f"Saving vs {report.baseline}", numeric=True),
        Column("smoke", "Smoke test"),
        Column("verdict", "Verdict", wrap=True, show=Show.BADGE),
    )
    rows = tuple(
        {
            "task": f"P{t.priority}: {t.task}",
            "variant": t.variant,
            "estimate": _range(t.estimate_min_bytes, t.estimate_max_bytes),
            "measured": human_bytes(t.measured_bytes) if t.measured_bytes is not None else "",
            "reference": t.reference if t.measured_bytes is not None else "",
            "vs_baseline": (
                human_bytes(t.vs_baseline_bytes) if t.vs_baseline_bytes is not None else ""
            ),
            "smoke": t.smoke if t.measured_bytes is not None else "",
            "verdict": Badge(t.verdict, verdict_kind(t)),
        }
        for t in report.tasks
    )
    return Table(columns, rows)


def targets_table(report: Report) -> Table:
    """One row per plan target: its range, the best figure and whether it is met."""
    columns = (
        Column("target", "Target"),
        Column("range", "Plan range", numeric=True),
        Column("best_variant", "Best variant"),
        Column("best_bytes", "Best figure", numeric=True),
        Column("status", "Status", show=Show.BADGE),
    )
    rows = tuple(
        {
            "target": t.target.capitalize(),
            "range": _range(t.min_bytes, t.max_bytes),
            "best_variant": t.best_variant or "",
            "best_bytes": human_bytes(t.best_bytes) if t.best_bytes is not None else "",
            "status": Badge(target_status(t), target_kind(t)),
        }
        for t in report.targets
    )
    return Table(columns, rows)


def variants_table(report: Report) -> Table:
    """One row per variant: sizes, how the compressed one was had, the build, the smoke test."""
    columns = (
        Column("variant", "Variant"),
        Column("size", "Size", numeric=True),
        Column("compressed", "Compressed", numeric=True),
        Column("compressed_kind", "Compressed is", wrap=True),
        Column("duration", "Build duration", numeric=True),
        Column("built", "Built"),
        Column("smoke", "Smoke test"),
        Column("base", "Base image", wrap=True, show=Show.BADGE),
    )
    rows = tuple(
        {
            "variant": v.variant,
            "size": human_bytes(v.size_bytes),
            "compressed": size_text(v.compressed_bytes),
            "compressed_kind": v.compressed_kind,
            "duration": seconds(v.duration_s),
            "built": when(v.built_at),
            "smoke": smoke(v.smoke_passed),
            "base": Badge(f"stand-in for {v.stand_in_base}" if v.stand_in_base else "", "standin"),
        }
        for v in report.variants
    )
    return Table(columns, rows)

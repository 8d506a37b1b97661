"""The stakeholder report: the Compare page's figures as files one can send around.

:func:`build_report` gathers a project's figures from the store (the same
:func:`workbench.compare.project_figures` the Compare page reads) into a
:class:`Report`: plain data plus the charts of :mod:`workbench.charts`.
:func:`write_report` writes it to a folder:

* ``report.html``: self-contained (CSS inline, charts inlined as SVG, no script);
  it opens offline;
* ``report.md``: the same tables, the charts as PNG images beside it;
* ``figures.csv``: long form, one row per variant and component, plus totals;
* ``figures.json``: the full figures (:meth:`Report.to_dict`);
* ``charts/<name>.png``: each chart.

:func:`report_html` and :func:`report_zip` give the HTML and a zip of everything
in memory, for a download button.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

import altair as alt

from workbench import __version__
from workbench.analysis import COMPONENT_LABELS, COMPONENTS
from workbench.compare import charts
from workbench.compare import figures as compare
from workbench.compare.figures import TargetCheck, TaskComparison, VariantFigures
from workbench.errors import ReportError
from workbench.project import Project
from workbench.project.plan import Plan
from workbench.store import Store
from workbench.units import UNITS_NOTE, human_bytes

SCHEMA_VERSION = 1
HTML_FILE = "report.html"
MARKDOWN_FILE = "report.md"
CSV_FILE = "figures.csv"
JSON_FILE = "figures.json"
CHARTS_DIR = "charts"
CHART_SCALE = 1.2  # the HTML shows the SVG charts a little larger than their natural size
# Fields of ImageAnalysis.to_dict() that summarise an image (the rest are long lists).
SUMMARY_FIELDS = (
    "image_id",
    "tags",
    "size_bytes",
    "final_bytes",
    "components",
    "plan_view",
    "efficiency",
    "wasted_bytes",
    "compressed",
    "stand_in_base",
    "engine_size_bytes",
    "engine_size_note",
    "workdir",
    "app_paths",
    "virtualenvs",
    "layout",
    "rules",
)


# --- the figures as plain data ------------------------------------------------


@dataclass(frozen=True)
class VariantSummary:
    """One variant's newest analysed image, as the report shows it."""

    variant: str
    image_id: str
    tag: str
    builder: str
    build_id: int
    built_at: float | None
    duration_s: float | None
    size_bytes: int
    final_bytes: int
    compressed_bytes: int | None
    compressed_is_measured: bool
    pushed_bytes: int | None
    gzip_bytes: int | None
    smoke_passed: bool | None
    stand_in_base: str | None
    components: Mapping[str, int]
    analysis: Mapping[str, Any]  # the summary fields of ImageAnalysis.to_dict()

    @classmethod
    def from_figures(cls, f: VariantFigures) -> VariantSummary:
        full = f.analysis.to_dict()
        summary = {name: full[name] for name in SUMMARY_FIELDS if name in full}
        summary["compressed"] = {
            k: v for k, v in summary.get("compressed", {}).items() if k != "layers"
        }
        return cls(
            variant=f.variant,
            image_id=f.analysis.image_id,
            tag=f.build.tag,
            builder=f.build.builder,
            build_id=f.build.id,
            built_at=f.build.ended_at,
            duration_s=f.build.duration_s,
            size_bytes=f.size_bytes,
            final_bytes=f.analysis.final_bytes,
            compressed_bytes=f.compressed_bytes,
            compressed_is_measured=f.compressed_is_measured,
            pushed_bytes=f.pushed_bytes,
            gzip_bytes=f.gzip_bytes,
            smoke_passed=f.smoke_passed,
            stand_in_base=f.analysis.stand_in_base,
            components={c: int(f.analysis.components.get(c, 0)) for c in COMPONENTS},
            analysis=summary,
        )

    @property
    def compressed_kind(self) -> str:
        """How the compressed figure was had, in words."""
        if self.compressed_bytes is None:
            return "not computed"
        return "measured in a registry" if self.compressed_is_measured else "estimated (gzip)"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["components"] = dict(self.components)
        data["analysis"] = json.loads(json.dumps(self.analysis))
        data["compressed_kind"] = self.compressed_kind
        return data


@dataclass(frozen=True)
class Headline:
    """The baseline against the best (smallest) variant."""

    baseline: str
    best: str
    baseline_bytes: int
    best_bytes: int
    baseline_compressed_bytes: int | None
    best_compressed_bytes: int | None
    baseline_compressed_measured: bool
    best_compressed_measured: bool

    @property
    def saved_bytes(self) -> int:
        return self.baseline_bytes - self.best_bytes

    @property
    def saved_pct(self) -> float:
        return self.saved_bytes / self.baseline_bytes * 100 if self.baseline_bytes else 0.0

    @property
    def compressed_saved_bytes(self) -> int | None:
        if self.baseline_compressed_bytes is None or self.best_compressed_bytes is None:
            return None
        return self.baseline_compressed_bytes - self.best_compressed_bytes

    @property
    def compressed_saved_pct(self) -> float | None:
        saved = self.compressed_saved_bytes
        if saved is None or not self.baseline_compressed_bytes:
            return None
        return saved / self.baseline_compressed_bytes * 100

    @property
    def compressed_kind(self) -> str:
        """Whether the compressed figures are measured in a registry or estimated."""
        measured = (self.baseline_compressed_measured, self.best_compressed_measured)
        if measured == (True, True):
            return "measured in a registry"
        if measured == (False, False):
            return "estimated (gzip of each layer; push to a registry to measure)"
        which = self.baseline if measured[0] else self.best
        return f"measured in a registry for {which} only; the other is a gzip estimate"

    @property
    def compressed_short(self) -> str:
        """``compressed_kind`` in a few words."""
        measured = (self.baseline_compressed_measured, self.best_compressed_measured)
        if measured == (True, True):
            return "measured"
        if measured == (False, False):
            return "estimated"
        return "baseline measured, best estimated" if measured[0] else "best measured only"

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "saved_bytes": self.saved_bytes,
            "saved_pct": self.saved_pct,
            "compressed_saved_bytes": self.compressed_saved_bytes,
            "compressed_saved_pct": self.compressed_saved_pct,
            "compressed_kind": self.compressed_kind,
        }


@dataclass(frozen=True)
class ReportChart:
    """One chart: its file name (without extension), title, SVG and the Altair chart."""

    name: str
    title: str
    svg: str
    chart: alt.TopLevelMixin = field(repr=False, compare=False)


@dataclass(frozen=True)
class Report:
    """Everything the report shows: the figures as plain data, and the charts.

    ``components``, ``savings`` and ``waterfall`` are the rows of the frames of
    :mod:`workbench.compare` (``components_frame``, ``savings_frame``,
    ``waterfall_frame``); ``tasks`` and ``targets`` come from ``plan_vs_measured``.
    """

    project_name: str
    project_path: str
    generated_at: datetime
    baseline: str
    variants: tuple[VariantSummary, ...]
    headline: Headline
    components: tuple[dict[str, Any], ...]
    savings: tuple[dict[str, Any], ...]
    waterfall: tuple[dict[str, Any], ...]
    plan_title: str | None = None
    plan_created: str | None = None
    tasks: tuple[TaskComparison, ...] = ()
    targets: tuple[TargetCheck, ...] = ()
    charts: tuple[ReportChart, ...] = ()
    units_note: str = UNITS_NOTE

    @property
    def stand_ins(self) -> dict[str, str]:
        """Per variant built on a local stand-in base, the base it stands in for."""
        return {v.variant: v.stand_in_base for v in self.variants if v.stand_in_base}

    @property
    def date(self) -> str:
        return self.generated_at.strftime("%Y-%m-%d %H:%M %Z").strip()

    def variant(self, name: str) -> VariantSummary:
        return next(v for v in self.variants if v.variant == name)

    def to_dict(self) -> dict[str, Any]:
        """The full figures as JSON-ready data (what ``figures.json`` holds)."""
        return {
            "schema": SCHEMA_VERSION,
            "workbench_version": __version__,
            "project": {"name": self.project_name, "path": self.project_path},
            "generated_at": self.generated_at.isoformat(),
            "units_note": self.units_note,
            "baseline": self.baseline,
            "best": self.headline.best,
            "headline": self.headline.to_dict(),
            "variants": [v.to_dict() for v in self.variants],
            "components": [dict(row) for row in self.components],
            "savings": [dict(row) for row in self.savings],
            "waterfall": [dict(row) for row in self.waterfall],
            "plan": {
                "title": self.plan_title,
                "created": self.plan_created,
                "tasks": [{**asdict(t), "verdict": t.verdict} for t in self.tasks],
                "targets": [{**asdict(t), "met": t.met} for t in self.targets],
            }
            if self.plan_title is not None
            else None,
            "stand_ins": self.stand_ins,
            "charts": [
                {"name": c.name, "title": c.title, "png": f"{CHARTS_DIR}/{c.name}.png"}
                for c in self.charts
            ],
        }


# --- building it ----------------------------------------------------------------


def build_report(
    project: Project, store: Store | None = None, *, generated_at: datetime | None = None
) -> Report:
    """Gather a project's figures from the store into a report.

    Args:
        project: the project whose variants to report on.
        store: where the builds and analyses are; the default store when None.
        generated_at: the report's date; now when None.

    Raises:
        ReportError: when the baseline and at least one variant are not both analysed.
        PlanError: when the project's plan file is malformed.
    """
    plan = project.plan()
    figures = compare.project_figures(project, store or Store())
    return report_from_figures(
        figures,
        project_name=project.path.name,
        project_path=str(project.path),
        plan=plan,
        generated_at=generated_at,
    )


def report_from_figures(
    figures: Sequence[VariantFigures],
    *,
    project_name: str,
    project_path: str = "",
    plan: Plan | None = None,
    generated_at: datetime | None = None,
    with_charts: bool = True,
) -> Report:
    """Make a report from figures already read (what :func:`build_report` does after reading).

    Args:
        figures: one per variant, as :func:`workbench.compare.project_figures` returns.
        project_name: shown as the report's title.
        project_path: where the project is.
        plan: the project's plan, for plan vs measured; None when it has none.
        generated_at: the report's date; now when None.
        with_charts: render the charts (False gives the figures alone, quickly).

    Raises:
        ReportError: when fewer than two variants are analysed, or the baseline is not.
    """
    baseline = plan.baseline_variant if plan else compare.BASELINE
    if len(figures) < 2:
        have = f"only {figures[0].variant} is analysed" if figures else "nothing is analysed yet"
        raise ReportError(
            f"a report compares variants, and in {project_name} {have}: build and analyse the "
            f"{baseline} and at least one variant, then make the report"
        )
    base = next((f for f in figures if f.variant == baseline), None)
    if base is None:
        raise ReportError(
            f"{project_name} has no analysed {baseline} image; build and analyse the "
            f"{baseline} variant, then make the report"
        )
    best = min((f for f in figures if f.variant != baseline), key=lambda f: f.size_bytes)
    headline = Headline(
        baseline=baseline,
        best=best.variant,
        baseline_bytes=base.size_bytes,
        best_bytes=best.size_bytes,
        baseline_compressed_bytes=base.compressed_bytes,
        best_compressed_bytes=best.compressed_bytes,
        baseline_compressed_measured=base.compressed_is_measured,
        best_compressed_measured=best.compressed_is_measured,
    )
    components = compare.components_frame(figures)
    savings = compare.savings_frame(figures, baseline)
    waterfall = compare.waterfall_frame(figures, baseline)
    tasks, targets = compare.plan_vs_measured(plan, figures) if plan else ([], [])
    built = _charts(figures, tasks) if with_charts else ()
    return Report(
        project_name=project_name,
        project_path=project_path,
        generated_at=generated_at or datetime.now().astimezone(),
        baseline=baseline,
        variants=tuple(VariantSummary.from_figures(f) for f in figures),
        headline=headline,
        components=_records(components.drop(columns=["order"])),
        savings=_records(savings),
        waterfall=_records(waterfall),
        plan_title=plan.title if plan else None,
        plan_created=plan.created if plan else None,
        tasks=tuple(tasks),
        targets=tuple(targets),
        charts=built,
    )


def _records(frame: Any) -> tuple[dict[str, Any], ...]:
    """A frame's rows as plain Python values (ints stay ints, floats floats)."""
    return tuple(
        {key: value.item() if hasattr(value, "item") else value for key, value in row.items()}
        for row in frame.to_dict(orient="records")
    )


def _charts(
    figures: Sequence[VariantFigures], tasks: Sequence[TaskComparison]
) -> tuple[ReportChart, ...]:
    """The Compare page's charts, from the same chart functions."""
    table = charts.figures_frame(figures)
    made: list[tuple[str, str, alt.TopLevelMixin]] = [
        (
            "components",
            "Image size by component",
            charts.components_chart(compare.components_frame(figures)),
        ),
        (
            "savings",
            "Where the savings come from",
            charts.savings_chart(compare.savings_frame(figures)),
        ),
        (
            "waterfall",
            "From the baseline to the best variant",
            charts.waterfall_chart(compare.waterfall_frame(figures)),
        ),
    ]
    if tasks:
        made.append(
            (
                "plan_vs_measured",
                "Plan estimate vs measured saving",
                charts.plan_chart(compare.plan_frame(tasks)),
            )
        )
    if any(f.compressed_bytes is not None for f in figures):
        made.append(("compressed", "Compressed size", charts.compressed_chart(table)))
    made.append(("durations", "Build duration", charts.durations_chart(table)))
    return tuple(
        ReportChart(name, title, charts.to_svg(chart), chart) for name, title, chart in made
    )


# --- formatting -------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1f} %"


def _size(value: int | None) -> str:
    return "not computed" if value is None else human_bytes(value)


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:,.1f} s"


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp).astimezone().strftime("%Y-%m-%d %H:%M")


def _smoke(passed: bool | None) -> str:
    return {True: "passed", False: "failed", None: "not checked"}[passed]


def _target_status(target: TargetCheck) -> str:
    if target.met is None:
        return "not measured yet"
    status = "met" if target.met else "not met"
    return status if target.measured else f"{status} (estimate; push to a registry to measure)"


def _verdict_class(task: TaskComparison) -> str:
    if task.measured_bytes is None:
        return "none"
    if task.measured_bytes > task.estimate_max_bytes:
        return "more"
    if task.measured_bytes < task.estimate_min_bytes:
        return "less"
    return "ok"


def _components_table(report: Report) -> tuple[list[str], list[list[str]]]:
    """Rows: components and the total; columns: variants."""
    names = [v.variant for v in report.variants]
    by_key = {(r["variant"], r["component"]): r["bytes"] for r in report.components}
    rows = [
        [COMPONENT_LABELS[c], *(human_bytes(by_key.get((n, c), 0)) for n in names)]
        for c in COMPONENTS
    ]
    rows.append(["Total", *(human_bytes(v.size_bytes) for v in report.variants)])
    return ["Component", *names], rows


def _savings_table(report: Report) -> tuple[list[str], list[list[str]]]:
    """Rows: components and the total; per variant its saving and % of the baseline's bytes."""
    base = report.variant(report.baseline)
    names = [v.variant for v in report.variants if v.variant != report.baseline]
    by_key = {(r["variant"], r["component"]): r for r in report.savings}
    header = ["Component", report.baseline]
    for name in names:
        header += [f"{name}: saved", f"{name}: %"]
    rows = []
    for component in [*COMPONENTS, "total"]:
        before = base.size_bytes if component == "total" else base.components.get(component, 0)
        cells = [COMPONENT_LABELS.get(component, "Total"), human_bytes(before)]
        for name in names:
            row = by_key.get((name, component))
            cells += [human_bytes(row["saved_bytes"]), _pct(row["saved_pct"])] if row else ["", ""]
        rows.append(cells)
    return header, rows


def _waterfall_table(report: Report) -> tuple[list[str], list[list[str]]]:
    rows = [
        [
            str(step["step"]),
            human_bytes(step["end"]),
            human_bytes(step["delta"], signed=True) if step["kind"] == "saving" else "",
        ]
        for step in report.waterfall
    ]
    return ["Step", "Image size", "Change"], rows


def _tasks_table(report: Report) -> tuple[list[str], list[list[str]]]:
    rows = [
        [
            f"P{t.priority}: {t.task}",
            t.variant,
            f"{human_bytes(t.estimate_min_bytes)} – {human_bytes(t.estimate_max_bytes)}",
            human_bytes(t.measured_bytes) if t.measured_bytes is not None else "",
            t.reference if t.measured_bytes is not None else "",
            human_bytes(t.vs_baseline_bytes) if t.vs_baseline_bytes is not None else "",
            t.verdict,
        ]
        for t in report.tasks
    ]
    header = [
        "Task",
        "Variant",
        "Plan estimate",
        "Measured own saving",
        "Measured against",
        f"Saving vs {report.baseline}",
        "Verdict",
    ]
    return header, rows


def _targets_table(report: Report) -> tuple[list[str], list[list[str]]]:
    rows = [
        [
            t.target.capitalize(),
            f"{human_bytes(t.min_bytes)} – {human_bytes(t.max_bytes)}",
            t.best_variant or "",
            human_bytes(t.best_bytes) if t.best_bytes is not None else "",
            _target_status(t),
        ]
        for t in report.targets
    ]
    return ["Target", "Plan range", "Best variant", "Best figure", "Status"], rows


def _variants_table(report: Report) -> tuple[list[str], list[list[str]]]:
    rows = [
        [
            v.variant,
            human_bytes(v.size_bytes),
            _size(v.compressed_bytes),
            v.compressed_kind,
            _seconds(v.duration_s),
            _when(v.built_at),
            _smoke(v.smoke_passed),
            f"stand-in for {v.stand_in_base}" if v.stand_in_base else "",
        ]
        for v in report.variants
    ]
    header = [
        "Variant",
        "Size",
        "Compressed",
        "Compressed is",
        "Build duration",
        "Built",
        "Smoke test",
        "Base image",
    ]
    return header, rows


# --- HTML ---------------------------------------------------------------------------

CSS = """
:root { --ink:#1f2933; --muted:#5f6b7a; --line:#e3e8ee; --soft:#f5f7fa; --accent:#4C78A8;
        --good:#2f7d32; --warn:#b45309; --bad:#b42318; }
* { box-sizing: border-box; }
body { margin:0; background:#fff; color:var(--ink);
       font: 16px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 40px 40px 64px; }
header { border-bottom: 3px solid var(--accent); padding-bottom: 16px; margin-bottom: 28px; }
.eyebrow { text-transform: uppercase; letter-spacing: .08em; color: var(--accent);
           font-weight: 600; font-size: 13px; margin: 0; }
h1 { font-size: 34px; margin: 4px 0 6px; }
h2 { font-size: 24px; margin: 44px 0 6px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 18px; margin: 24px 0 8px; }
.meta { color: var(--muted); margin: 0; font-size: 14px; }
.lead { font-size: 19px; margin: 20px 0 8px; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 14px; margin: 8px 0 10px; }
.card { background: var(--soft); border-radius: 10px; padding: 16px 18px;
        border-top: 4px solid #c9d2dc; }
.card.best { border-top-color: var(--accent); }
.card.saved { border-top-color: var(--good); }
.card .label { color: var(--muted); font-size: 14px; font-weight: 600; }
.card .big { font-size: 38px; font-weight: 700; line-height: 1.15; margin: 6px 0 4px;
             font-variant-numeric: tabular-nums; }
.card.saved .big { color: var(--good); }
.card .sub { color: var(--muted); font-size: 14px; }
.note { background: #fff8e6; border-left: 4px solid #f0b429; padding: 10px 14px;
        border-radius: 4px; margin: 14px 0; font-size: 15px; }
.caption { color: var(--muted); font-size: 14px; margin: 4px 0 10px; }
figure.chart { margin: 16px 0; text-align: center; }
figure.chart svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; margin: 10px 0 6px; font-size: 14.5px; }
th, td { padding: 7px 10px; border-bottom: 1px solid var(--line); text-align: left;
         vertical-align: top; white-space: nowrap; }
td.wrap, th.wrap { white-space: normal; min-width: 150px; }
.scroll { overflow-x: auto; }
td .zero { color: #a0aab5; }
th { background: var(--soft); font-weight: 600; color: #344150; white-space: normal;
     vertical-align: bottom; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 700; border-top: 2px solid #c9d2dc; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12.5px;
         font-weight: 600; }
.badge.standin { background: #fff1d6; color: #8a5300; }
.badge.more { background: #e3efff; color: #1d4f91; }
.badge.ok { background: #e3f5e5; color: var(--good); }
.badge.less { background: #fff1d6; color: var(--warn); }
.badge.none { background: #eef1f4; color: var(--muted); }
.badge.met { background: #e3f5e5; color: var(--good); }
.badge.notmet { background: #fde7e4; color: var(--bad); }
footer { margin-top: 48px; padding-top: 14px; border-top: 1px solid var(--line);
         color: var(--muted); font-size: 13px; }
code { font-size: 13px; background: var(--soft); padding: 1px 4px; border-radius: 3px; }
@media (max-width: 820px) { .cards { grid-template-columns: repeat(2, 1fr); } }
@media print { main { padding: 0; } figure, table, .cards { break-inside: avoid; } }
"""


def _table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Callable[[int], bool] = lambda i: i > 0,
    total_last: bool = False,
    cell: Callable[[int, int, str], str] | None = None,
    wrap: Callable[[int], bool] = lambda i: False,
) -> str:
    """An HTML table; every cell's text is escaped (``cell`` may wrap it in markup).

    Numeric columns are right-aligned; only the ``wrap`` columns break their lines.
    """

    def klass(i: int) -> str:
        names = ["num" if numeric(i) else "", "wrap" if wrap(i) else ""]
        joined = " ".join(n for n in names if n)
        return f' class="{joined}"' if joined else ""

    head = "".join(f"<th{klass(i)}>{escape(h)}</th>" for i, h in enumerate(header))
    body = []
    for r, row in enumerate(rows):
        total = ' class="total"' if total_last and r == len(rows) - 1 else ""
        cells = "".join(
            f"<td{klass(i)}>{cell(r, i, text) if cell else escape(text)}</td>"
            for i, text in enumerate(row)
        )
        body.append(f"<tr{total}>{cells}</tr>")
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    return f'<div class="scroll">{table}</div>'


def _muted_zero(r: int, i: int, text: str) -> str:
    """Grey out savings of nothing, so the components that changed stand out."""
    return f'<span class="zero">{escape(text)}</span>' if text in ("0 B", "0.0 %") else escape(text)


def _figure(report: Report, name: str) -> str:
    chart = next((c for c in report.charts if c.name == name), None)
    if chart is None:
        return ""
    match = re.search(r'width="([0-9.]+)"', chart.svg[:400])
    width = float(match.group(1)) * CHART_SCALE if match else None
    style = f' style="width: {width:.0f}px"' if width else ""
    svg = chart.svg.replace("<svg ", f"<svg{style} ", 1)
    return f'<figure class="chart" aria-label="{escape(chart.title)}">{svg}</figure>'


def _baseline_label(h: Headline) -> str:
    return "Baseline" if h.baseline == compare.BASELINE else f"Baseline ({h.baseline})"


def _card(label: str, big: str, sub: str, kind: str = "") -> str:
    return (
        f'<div class="card {kind}"><div class="label">{escape(label)}</div>'
        f'<div class="big">{escape(big)}</div><div class="sub">{escape(sub)}</div></div>'
    )


def _badge(text: str, kind: str) -> str:
    return f'<span class="badge {kind}">{escape(text)}</span>'


def _headline_html(report: Report) -> str:
    h = report.headline
    base_c = _size(h.baseline_compressed_bytes)
    best_c = _size(h.best_compressed_bytes)
    cards = [
        _card(_baseline_label(h), human_bytes(h.baseline_bytes), f"compressed {base_c}"),
        _card(f"Best variant: {h.best}", human_bytes(h.best_bytes), f"compressed {best_c}", "best"),
        _card("Saved", human_bytes(h.saved_bytes), f"{_pct(h.saved_pct)} of the baseline", "saved"),
    ]
    if h.compressed_saved_bytes is not None:
        cards.append(
            _card(
                "Saved, compressed",
                human_bytes(h.compressed_saved_bytes),
                f"{_pct(h.compressed_saved_pct)} · {h.compressed_short}",
                "saved",
            )
        )
    else:
        cards.append(_card("Saved, compressed", "—", "no compressed figures yet", "saved"))
    lead = (
        f"The <strong>{escape(h.best)}</strong> variant is "
        f"<strong>{escape(human_bytes(h.saved_bytes))}</strong> ({escape(_pct(h.saved_pct))}) "
        f"smaller than the {escape(h.baseline)}: {escape(human_bytes(h.baseline_bytes))} → "
        f"{escape(human_bytes(h.best_bytes))}."
    )
    if h.compressed_saved_bytes is not None:
        lead += (
            f" Compressed, as a registry stores it: {escape(base_c)} → {escape(best_c)} "
            f"({escape(h.compressed_kind)})."
        )
    return (
        f'<p class="lead">{lead}</p>'
        f'<section class="cards">{"".join(cards)}</section>'
        + _targets_line(report)
        + _stand_in_note(report)
    )


def _targets_line(report: Report) -> str:
    if not report.targets:
        return ""
    parts = []
    for t in report.targets:
        kind = "met" if t.met else "notmet"
        parts.append(
            f"{escape(t.target.capitalize())} target "
            f"{escape(human_bytes(t.min_bytes))} – {escape(human_bytes(t.max_bytes))}: "
            f"{_badge(_target_status(t), kind if t.met is not None else 'none')}"
        )
    return f'<p class="caption">Plan targets · {" · ".join(parts)}</p>'


def _stand_in_note(report: Report) -> str:
    if not report.stand_ins:
        return ""
    bases = sorted(set(report.stand_ins.values()))
    variants = ", ".join(report.stand_ins)
    return (
        f'<div class="note">{_badge("local stand-in base", "standin")} '
        f"{escape(variants)} {'was' if len(report.stand_ins) == 1 else 'were'} built on a "
        f"local stand-in for {escape(', '.join(bases))} (the registry was out of reach). "
        "Sizes measured on a stand-in differ from the real base image; the savings between "
        "variants come from the Dockerfile changes.</div>"
    )


def _plan_html(report: Report) -> str:
    if report.plan_title is None:
        return (
            '<p class="caption">This project has no plan file (plan.toml), '
            "so there is nothing to compare against.</p>"
        )
    header, rows = _tasks_table(report)

    def cell(r: int, i: int, text: str) -> str:
        if i == 6:
            return _badge(text, _verdict_class(report.tasks[r]))
        return escape(text)

    tasks = _table(
        header, rows, numeric=lambda i: i in (2, 3, 5), cell=cell, wrap=lambda i: i in (0, 6)
    )
    theader, trows = _targets_table(report)

    def target_cell(r: int, i: int, text: str) -> str:
        if i == 4:
            met = report.targets[r].met
            return _badge(text, "none" if met is None else ("met" if met else "notmet"))
        return escape(text)

    targets = (
        "<h3>Targets</h3>"
        + _table(theader, trows, numeric=lambda i: i in (1, 3), cell=target_cell)
        + '<p class="caption">A target is met when the best image is at or below the top of '
        "the plan's range.</p>"
        if trows
        else ""
    )
    created = f" ({escape(report.plan_created)})" if report.plan_created else ""
    return (
        f'<p class="caption">Each task of <em>{escape(report.plan_title)}</em>{created}: its '
        "estimated saving beside the measured one. A task's own saving is measured against "
        "the variant it builds on, so tasks that include one another are not counted "
        "twice.</p>" + _figure(report, "plan_vs_measured") + tasks + targets
    )


def report_html(report: Report) -> str:
    """The report as one self-contained HTML document (no script, nothing fetched)."""
    comp_header, comp_rows = _components_table(report)
    sav_header, sav_rows = _savings_table(report)
    wf_header, wf_rows = _waterfall_table(report)
    var_header, var_rows = _variants_table(report)

    def variant_cell(r: int, i: int, text: str) -> str:
        if i == 7 and text:
            return _badge(text, "standin")
        return escape(text)

    variants_table = _table(
        var_header,
        var_rows,
        numeric=lambda i: i in (1, 2, 4),
        cell=variant_cell,
        wrap=lambda i: i in (3, 7),
    )
    plan_meta = (
        f" · Plan: {escape(report.plan_title)}"
        + (f" ({escape(report.plan_created)})" if report.plan_created else "")
        if report.plan_title
        else ""
    )
    body = f"""
<header>
<p class="eyebrow">Docker image optimization report</p>
<h1>{escape(report.project_name)}</h1>
<p class="meta">Generated {escape(report.date)}{plan_meta}</p>
<p class="meta"><code>{escape(report.project_path)}</code></p>
</header>
{_headline_html(report)}
<h2>Plan vs measured</h2>
{_plan_html(report)}
<h2>Where the bytes go</h2>
<p class="caption">Each variant's newest image, split by component; the components add up
to the image's size exactly.</p>
{_figure(report, "components")}
{_table(comp_header, comp_rows, total_last=True)}
<h2>Savings against the {escape(report.baseline)}</h2>
<p class="caption">Bytes saved per component, and the share of the {escape(report.baseline)}'s
bytes of that component (of its whole size for the total).</p>
{_table(sav_header, sav_rows, total_last=True, cell=_muted_zero)}
{_figure(report, "savings")}
<h2>From the {escape(report.baseline)} to the best variant</h2>
{_figure(report, "waterfall")}
{_table(wf_header, wf_rows)}
<h2>Compressed size and build time</h2>
<p class="caption">The compressed size is what a registry stores and a server downloads:
measured by pushing to a registry where that was done, otherwise estimated by
compressing each layer with gzip.</p>
{_figure(report, "compressed")}
{_figure(report, "durations")}
{variants_table}
<footer>
<p>{escape(report.units_note)}</p>
<p>Made by the Docker image optimization workbench {escape(__version__)} on
{escape(report.date)} from the stored analyses of each variant's newest image:
{", ".join(f"{escape(v.variant)} <code>{escape(v.image_id[:19])}</code>" for v in report.variants)}.
</p>
</footer>
"""
    title = f"Image optimization report: {report.project_name}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n<main>{body}</main>\n</body>\n</html>\n"
    )


# --- Markdown, CSV, JSON ---------------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Callable[[int], bool]
) -> str:
    lines = [
        "| " + " | ".join(_md_cell(h) for h in header) + " |",
        "|" + "|".join("---:" if numeric(i) else "---" for i in range(len(header))) + "|",
    ]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _md_image(report: Report, name: str) -> str:
    chart = next((c for c in report.charts if c.name == name), None)
    return f"![{chart.title}]({CHARTS_DIR}/{name}.png)\n" if chart else ""


def report_markdown(report: Report) -> str:
    """The report as Markdown: the same tables, the charts as PNGs under ``charts/``."""
    h = report.headline

    def numbers(i: int) -> bool:
        return i > 0

    out = [f"# Docker image optimization report: {report.project_name}", ""]
    meta = f"Generated {report.date}"
    if report.plan_title:
        meta += f" · Plan: {report.plan_title}"
        meta += f" ({report.plan_created})" if report.plan_created else ""
    out += [meta, "", f"Project: `{report.project_path}`", "", "## Headline", ""]
    out += [
        _md_table(
            ["", "Size", "Compressed"],
            [
                [
                    _baseline_label(h),
                    human_bytes(h.baseline_bytes),
                    _size(h.baseline_compressed_bytes),
                ],
                [f"Best: {h.best}", human_bytes(h.best_bytes), _size(h.best_compressed_bytes)],
                [
                    "Saved",
                    f"{human_bytes(h.saved_bytes)} ({_pct(h.saved_pct)})",
                    f"{human_bytes(h.compressed_saved_bytes)} ({_pct(h.compressed_saved_pct)})"
                    if h.compressed_saved_bytes is not None
                    else "",
                ],
            ],
            numbers,
        ),
        "",
        f"Compressed figures: {h.compressed_kind}.",
        "",
    ]
    if report.stand_ins:
        bases = ", ".join(sorted(set(report.stand_ins.values())))
        out += [
            f"> **Local stand-in base**: {', '.join(report.stand_ins)} built on a local stand-in "
            f"for {bases}; sizes measured on a stand-in differ from the real base image.",
            "",
        ]
    out += ["## Plan vs measured", ""]
    if report.plan_title is None:
        out += ["This project has no plan file (plan.toml).", ""]
    else:
        out += [_md_image(report, "plan_vs_measured")]
        header, rows = _tasks_table(report)
        out += [_md_table(header, rows, lambda i: i in (2, 3, 5)), ""]
        if report.targets:
            header, rows = _targets_table(report)
            out += ["### Targets", "", _md_table(header, rows, lambda i: i in (1, 3)), ""]
    out += ["## Where the bytes go", "", _md_image(report, "components")]
    header, rows = _components_table(report)
    out += [_md_table(header, rows, numbers), ""]
    out += [f"## Savings against the {report.baseline}", ""]
    header, rows = _savings_table(report)
    out += [_md_table(header, rows, numbers), "", _md_image(report, "savings")]
    out += [f"## From the {report.baseline} to the best variant", ""]
    out += [_md_image(report, "waterfall")]
    header, rows = _waterfall_table(report)
    out += [_md_table(header, rows, numbers), ""]
    out += ["## Compressed size and build time", ""]
    out += [_md_image(report, "compressed"), _md_image(report, "durations")]
    header, rows = _variants_table(report)
    out += [_md_table(header, rows, lambda i: i in (1, 2, 4)), ""]
    out += ["---", "", report.units_note, ""]
    return "\n".join(out)


def figures_csv(report: Report) -> str:
    """Long form: one row per variant and component, then one ``total`` row per variant."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["variant", "component", "label", "bytes", "mb"])
    for row in report.components:
        writer.writerow(
            [row["variant"], row["component"], row["label"], row["bytes"], f"{row['mb']:.1f}"]
        )
    for v in report.variants:
        writer.writerow([v.variant, "total", "Total", v.size_bytes, f"{v.size_bytes / 1e6:.1f}"])
    return buffer.getvalue()


def figures_json(report: Report) -> str:
    """The full figures as JSON (:meth:`Report.to_dict`)."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


# --- files ------------------------------------------------------------------------------


def report_files(report: Report) -> dict[str, bytes]:
    """Every file of the report by its relative path (the PNGs are rendered here)."""
    files = {
        HTML_FILE: report_html(report).encode(),
        MARKDOWN_FILE: report_markdown(report).encode(),
        CSV_FILE: figures_csv(report).encode(),
        JSON_FILE: figures_json(report).encode(),
    }
    for chart in report.charts:
        files[f"{CHARTS_DIR}/{chart.name}.png"] = charts.to_png(chart.chart)
    return files


def write_report(report: Report, out_dir: str | Path) -> list[Path]:
    """Write the report's files into a folder (made if missing).

    Returns:
        The paths written: the HTML, Markdown, CSV, JSON, then one PNG per chart.
    """
    out = Path(out_dir)
    written = []
    for name, data in report_files(report).items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


def report_zip(report: Report) -> bytes:
    """Every file of the report in one zip, under a folder named after the project."""
    folder = f"{report.project_name}-report"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in report_files(report).items():
            archive.writestr(f"{folder}/{name}", data)
    return buffer.getvalue()

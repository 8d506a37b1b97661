"""The report as plain data, and how it is built from a project's figures.

:func:`build_report` reads a project's figures from the store (the same
:func:`workbench.compare.figures.project_figures` the Compare page reads);
:func:`report_from_figures` turns figures already read into a :class:`Report`:
plain data (:class:`VariantSummary` per variant, the :class:`Headline`, the rows of
the Compare page's frames, plan vs measured) plus the charts of
:mod:`workbench.compare.charts` as :class:`ReportChart`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import altair as alt

from workbench import __version__
from workbench.analysis import COMPONENTS
from workbench.compare import charts
from workbench.compare import figures as compare
from workbench.compare.figures import TargetCheck, TaskComparison, VariantFigures
from workbench.compare.story import Story, before_after_frame, project_story
from workbench.errors import ReportError
from workbench.project import Project
from workbench.project.plan import Plan
from workbench.store import Store
from workbench.units import UNITS_NOTE

SCHEMA_VERSION = 1
# The report's files, by their path inside the report's folder.
HTML_FILE = "report.html"
MARKDOWN_FILE = "report.md"
CSV_FILE = "figures.csv"
JSON_FILE = "figures.json"
CHARTS_DIR = "charts"
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
        """The summary of one variant's figures (its analysis cut to the summary fields)."""
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
        """The summary as JSON-ready data, with ``compressed_kind`` in words."""
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
    best_smoke: str = "not checked"  # the best variant's smoke test: passed or not checked

    @classmethod
    def between(cls, base: VariantFigures, best: VariantFigures) -> Headline:
        """The headline of the baseline's figures against the best variant's."""
        return cls(
            baseline=base.variant,
            best=best.variant,
            baseline_bytes=base.size_bytes,
            best_bytes=best.size_bytes,
            baseline_compressed_bytes=base.compressed_bytes,
            best_compressed_bytes=best.compressed_bytes,
            baseline_compressed_measured=base.compressed_is_measured,
            best_compressed_measured=best.compressed_is_measured,
            best_smoke=best.smoke,
        )

    @property
    def found_one(self) -> bool:
        """Whether a variant other than the baseline is best (one that still works)."""
        return self.best != self.baseline

    @property
    def saved_bytes(self) -> int:
        """Bytes the best variant saves against the baseline."""
        return self.baseline_bytes - self.best_bytes

    @property
    def saved_pct(self) -> float:
        """``saved_bytes`` as a percentage of the baseline's size."""
        return self.saved_bytes / self.baseline_bytes * 100 if self.baseline_bytes else 0.0

    @property
    def compressed_saved_bytes(self) -> int | None:
        """Compressed bytes saved; None unless both compressed figures are known."""
        if self.baseline_compressed_bytes is None or self.best_compressed_bytes is None:
            return None
        return self.baseline_compressed_bytes - self.best_compressed_bytes

    @property
    def compressed_saved_pct(self) -> float | None:
        """``compressed_saved_bytes`` as a percentage of the baseline's compressed size."""
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
        """The headline as JSON-ready data, its derived figures included."""
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
    ``waterfall_frame``); ``tasks`` and ``targets`` come from ``plan_vs_measured``;
    ``story`` is what the first screen says first (:mod:`workbench.compare.story`).
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
    story: Story | None = None

    @property
    def stand_ins(self) -> dict[str, str]:
        """Per variant built on a local stand-in base, the base it stands in for."""
        return {v.variant: v.stand_in_base for v in self.variants if v.stand_in_base}

    @property
    def date(self) -> str:
        """``generated_at`` as the report prints it (minutes and time zone)."""
        return self.generated_at.strftime("%Y-%m-%d %H:%M %Z").strip()

    def variant(self, name: str) -> VariantSummary:
        """The summary of the variant of that name."""
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
            "story": _story_dict(self.story) if self.story else None,
            "charts": [
                {"name": c.name, "title": c.title, "png": f"{CHARTS_DIR}/{c.name}.png"}
                for c in self.charts
            ],
        }


def _story_dict(story: Story) -> dict[str, Any]:
    """The story as JSON-ready data: its fields, its saving and its sentence."""
    return {
        **asdict(story),
        "plan_tasks": list(story.plan_tasks),
        "saved_bytes": story.saved_bytes,
        "saved_pct": story.saved_pct,
        "sentence": story.sentence(),
    }


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
        figures: one per variant, as :func:`workbench.compare.figures.project_figures`
            returns.
        project_name: shown as the report's title.
        project_path: where the project is.
        plan: the project's plan, for plan vs measured; None when it has none.
        generated_at: the report's date; now when None.
        with_charts: render the charts (False gives the figures alone, quickly).

    Returns:
        The report, dated ``generated_at``.

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
    # a variant whose image failed its smoke test is never the best; if all did, none is
    best = compare.best_variant(figures, baseline) or base
    headline = Headline.between(base, best)
    components = compare.components_frame(figures)
    savings = compare.savings_frame(figures, baseline)
    waterfall = compare.waterfall_frame(figures, baseline)
    tasks, targets = compare.plan_vs_measured(plan, figures) if plan else ([], [])
    story = project_story(project_name, figures, plan)
    built = _charts(figures, tasks, story) if with_charts else ()
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
        story=story,
    )


def _records(frame: Any) -> tuple[dict[str, Any], ...]:
    """A frame's rows as plain Python values (ints stay ints, floats floats)."""
    return tuple(
        {key: value.item() if hasattr(value, "item") else value for key, value in row.items()}
        for row in frame.to_dict(orient="records")
    )


def _charts(
    figures: Sequence[VariantFigures], tasks: Sequence[TaskComparison], story: Story | None
) -> tuple[ReportChart, ...]:
    """The Compare page's charts, from the same chart functions, and the stakeholder
    screen's before/after bar (when a variant that still works is smaller).

    Like the Compare page, the savings and waterfall charts are drawn against the
    default baseline (:data:`workbench.compare.figures.BASELINE`).
    """
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
    if story is not None and story.best is not None:
        frame = before_after_frame(figures, story.best, story.baseline)
        made.append(("before_after", "Before and after", charts.before_after_chart(frame)))
    if any(f.compressed_bytes is not None for f in figures):
        made.append(("compressed", "Compressed size", charts.compressed_chart(table)))
    made.append(("durations", "Build duration", charts.durations_chart(table)))
    return tuple(
        ReportChart(name, title, charts.to_svg(chart), chart) for name, title, chart in made
    )

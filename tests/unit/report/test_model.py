from __future__ import annotations

import pytest

from tests.unit.report.sample import MB, WHEN, sample_figures
from workbench.errors import ReportError, WorkbenchError
from workbench.report.html import report_html
from workbench.report.model import Report, report_from_figures


def test_the_headline_is_the_baseline_against_the_smallest_variant(made: Report) -> None:
    h = made.headline
    assert (h.baseline, h.best) == ("baseline", "multi-stage")
    assert h.saved_bytes == 644 * MB
    assert h.saved_pct == pytest.approx(644 / 1451 * 100)
    assert h.baseline_compressed_bytes == 480 * MB  # measured in a registry
    assert h.best_compressed_bytes == 807 * MB // 3  # the gzip estimate
    assert "baseline" in h.compressed_kind and "estimate" in h.compressed_kind


def test_fewer_than_two_analysed_variants_is_an_error_saying_what_to_do() -> None:
    figures = sample_figures()
    for few in ([], figures[:1]):
        with pytest.raises(ReportError, match="build and analyse the baseline and at"):
            report_from_figures(few, project_name="p")
    with pytest.raises(ReportError, match="no analysed baseline"):
        report_from_figures(figures[1:], project_name="p")
    assert issubclass(ReportError, WorkbenchError)


def test_a_project_without_a_plan_says_so() -> None:
    made = report_from_figures(sample_figures(), project_name="p", generated_at=WHEN)
    assert made.charts  # the Compare page's charts, without the plan's
    html = report_html(made)
    assert "no plan file" in html
    assert "plan_vs_measured" not in [c.name for c in made.charts]
    assert made.to_dict()["plan"] is None


def test_the_best_variant_of_the_report_is_one_that_still_works() -> None:
    from dataclasses import replace

    from tests.unit.report.sample import PLAN, WHEN, sample_figures
    from workbench.project.plan import parse_plan
    from workbench.report.model import report_from_figures

    figures = [
        replace(f, smoke_passed=False) if f.variant == "multi-stage" else f
        for f in sample_figures()
    ]
    report = report_from_figures(
        figures, project_name="p", plan=parse_plan(PLAN), generated_at=WHEN, with_charts=False
    )
    assert report.headline.best == "no-cache"
    everything_broken = [
        replace(f, smoke_passed=False) if f.variant != "baseline" else f for f in sample_figures()
    ]
    report = report_from_figures(
        everything_broken, project_name="p", plan=None, generated_at=WHEN, with_charts=False
    )
    assert report.headline.best == "baseline" and report.headline.saved_bytes == 0

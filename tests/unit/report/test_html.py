from __future__ import annotations

import re

from tests.unit.report.sample import MB, PLAN, SVG_NAMESPACES, sample_figures, sample_report
from workbench.compare import figures as compare
from workbench.project.plan import parse_plan
from workbench.report.html import report_html
from workbench.report.model import Report
from workbench.units import UNITS_NOTE, human_bytes


def test_the_html_is_self_contained(made: Report) -> None:
    html = report_html(made)
    assert "<script" not in html.lower()
    assert set(re.findall(r"https?://[^\s\"'<>)]+", html)) <= SVG_NAMESPACES
    assert "<link" not in html and "@import" not in html and "src=" not in html
    assert html.count("<svg") == len(made.charts)
    for chart in made.charts:
        assert chart.svg[chart.svg.index(">") + 1 :] in html  # inlined as is, after the tag
    assert [c.name for c in made.charts] == [
        "components",
        "savings",
        "waterfall",
        "plan_vs_measured",
        "before_after",
        "compressed",
        "durations",
    ]


def test_the_html_shows_the_compare_pages_figures(made: Report) -> None:
    html = report_html(made)
    figures = sample_figures()
    assert f"{human_bytes(1451 * MB)}" in html  # the baseline's size
    assert "Saved" in html and human_bytes(644 * MB) in html and "44.4 %" in html
    for row in compare.components_frame(figures).itertuples():
        assert human_bytes(row.bytes) in html
    for row in compare.savings_frame(figures).itertuples():
        assert human_bytes(row.saved_bytes) in html
        assert f"{row.saved_pct:.1f} %" in html
    for row in compare.waterfall_frame(figures).itertuples():
        assert human_bytes(row.end) in html
    tasks, targets = compare.plan_vs_measured(parse_plan(PLAN), figures)
    for task in tasks:
        assert task.verdict in html
        if task.measured_bytes is not None:
            assert human_bytes(task.measured_bytes) in html
    assert "saves more than planned (12.0× the upper estimate)" in html
    assert [t.met for t in targets] == [True, True]
    assert "met (estimate; push to a registry to measure)" in html
    assert "measured in a registry" in html and "estimated (gzip)" in html
    assert "30.0 s" in html and "10.0 s" in html  # build durations
    assert UNITS_NOTE in html
    assert "2026-01-20 09:30" in html  # the date


def test_the_stand_in_badge_shows_only_for_stand_in_builds() -> None:
    with_stand_in = report_html(sample_report(stand_in="python:3.11-slim-bookworm"))
    assert "local stand-in base" in with_stand_in
    assert "stand-in for python:3.11-slim-bookworm" in with_stand_in
    assert "stand-in" not in report_html(sample_report())


def test_user_strings_are_escaped() -> None:
    made = sample_report(name='<script>alert("x")</script>')
    html = report_html(made)
    assert "<script" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "Image &lt;plan&gt; &amp; co" in html
    assert "Add --no-cache &lt;to uv sync&gt;" in html

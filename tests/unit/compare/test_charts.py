from __future__ import annotations

import json

from tests.synthetic import SHAPES, analysis, build_record
from workbench.compare import charts
from workbench.compare import figures as compare
from workbench.project.plan import parse_plan


def _figures() -> list[compare.VariantFigures]:
    return [
        compare.VariantFigures(name, build_record(name, f"sha256:{name}"), analysis(name, **shape))
        for name, shape in SHAPES.items()
    ]


def test_every_chart_renders_to_svg_with_titles_and_axis_titles() -> None:
    figures = _figures()
    plan = parse_plan(
        {
            "tasks": [
                {
                    "name": "no cache",
                    "variant": "no-cache",
                    "saving": {"min": "20 MB", "max": "50 MB"},
                }
            ]
        }
    )
    tasks, _ = compare.plan_vs_measured(plan, figures)
    built = [
        charts.components_chart(compare.components_frame(figures)),
        charts.savings_chart(compare.savings_frame(figures)),
        charts.waterfall_chart(compare.waterfall_frame(figures)),
        charts.plan_chart(compare.plan_frame(tasks)),
        charts.compressed_chart(charts.figures_frame(figures)),
        charts.durations_chart(charts.figures_frame(figures)),
        charts.component_bars(figures[0].analysis),
    ]
    for chart in built:
        spec = json.loads(chart.to_json())
        assert spec.get("title"), spec
        svg = charts.to_svg(chart)
        assert svg.startswith("<svg") and 'href="http' not in svg  # nothing fetched
    assert charts.to_png(built[0])[:8] == b"\x89PNG\r\n\x1a\n"

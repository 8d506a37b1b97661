from __future__ import annotations

from tests.unit.report.sample import MB
from workbench.report.markdown import report_markdown
from workbench.report.model import Report
from workbench.units import human_bytes


def test_the_markdown_has_the_tables_and_links_the_pngs(made: Report) -> None:
    markdown = report_markdown(made)
    for chart in made.charts:
        assert f"(charts/{chart.name}.png)" in markdown
    assert f"| Total | {human_bytes(1451 * MB)} |" in markdown
    assert "| P1: Add --no-cache <to uv sync> | no-cache |" in markdown

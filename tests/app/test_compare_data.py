"""What the Compare page draws, read once per change of the store, and built ahead."""

from __future__ import annotations

from tests.conftest import TINY_PROJECT
from tests.synthetic import fill_store
from ui.compare_data import compare_data, readable_plan
from ui.figures import CHARTS, figures_key
from workbench.project import load_project
from workbench.store import Store


def test_the_charts_named_are_the_pages_with_the_data_they_are_drawn_from() -> None:
    project = load_project(TINY_PROJECT)
    store = Store()
    fill_store(store, project)
    data = compare_data(project, store, figures_key(project, store), readable_plan(project))
    drawn = dict(data.charts())
    assert list(drawn) == [
        "components",
        "waterfall",
        "savings",
        "size_history",
        "plan",
        "compressed",
        "durations",
    ]  # no optimize run: no ladder
    assert set(drawn) <= set(CHARTS)
    assert drawn["savings"][0] is data.savings
    assert drawn["plan"][0] is data.plan_chart
    assert [f.variant for f in data.figures][0] == "baseline"


def test_without_a_plan_there_is_no_plan_chart() -> None:
    project = load_project(TINY_PROJECT)
    store = Store()
    fill_store(store, project)
    data = compare_data(project, store, figures_key(project, store), None)
    assert data.plan_chart is None and data.tasks == [] and data.targets == []
    assert "plan" not in dict(data.charts())

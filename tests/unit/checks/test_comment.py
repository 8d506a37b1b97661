"""The pull-request comment: the verdict, the headline and tables that render."""

from __future__ import annotations

from tests.unit.compare.diff_images import image_a, image_b
from tests.unit.compare.markdown_tables import tables
from workbench.checks import budget
from workbench.checks.comment import render_markdown
from workbench.checks.growth import GrowthLimits, growth_result, parse_growth
from workbench.compare.diff import diff_analyses


def _growth(limit: str = "5%"):
    return growth_result(
        "app:pr", "app:main", diff_analyses(image_b(), image_a(), a_ref="app:main",
                                            b_ref="app:pr"),
        GrowthLimits(total=parse_growth(limit)),
    )  # fmt: skip


def test_the_comment_has_the_verdict_the_headline_and_a_table_per_component() -> None:
    text = render_markdown(_growth())
    lines = text.splitlines()
    assert lines[0] == "### Image size: `app:pr` against `app:main`"
    assert "❌ **Over limits:** Image size grew past 5%." in text
    assert "**app:pr is 4.18 MB larger than app:main: +4.00 MB in Build caches" in text
    components, packages, limits = tables(text)
    assert components[0][:4] == ["Component", "A", "B", "Change"]
    assert [row[0] for row in components[1:]][-1] == "Total"
    assert [row[0] for row in packages[1:]] == ["pytest", "numpy"]
    assert limits == [
        ["Limit on", "Reference", "Image", "Growth", "Allowed", "Verdict"],
        ["Image size", "8.95 MB", "13.1 MB", "+4.18 MB", "5% (448 kB)", "over by 3.73 MB"],
    ]


def test_within_the_limits_and_with_a_budget() -> None:
    analysis = image_a()
    checked = budget.budget_result("app:pr", analysis, budget.Limits(max_size=10_000_000))
    text = render_markdown(_growth("50%"), checked)
    assert "✅" not in text and "❌ **Over limits:** Image size over its limit." in text
    *_, size_budget = tables(text)
    assert size_budget[1] == ["Image size", "13.1 MB", "10.0 MB", "over by 3.13 MB"]
    within = render_markdown(_growth("50%"))
    assert "✅ **Within limits.**" in within


def test_a_budget_alone() -> None:
    checked = budget.budget_result("app:pr", image_a(), budget.Limits(min_efficiency=0.5))
    text = render_markdown(None, checked)
    assert text.startswith("### Image size: `app:pr`\n")
    assert tables(text) == [
        [["Limit on", "Image", "Limit", "Verdict"], ["Efficiency", "1.0000", "at least 0.5000",
                                                     "within"]]
    ]  # fmt: skip

"""The growth gate: limits read from the command line, checked against a diff."""

from __future__ import annotations

import pytest

from tests.unit.compare.diff_images import image_a, image_b
from workbench.checks.growth import (
    GrowthCheck,
    GrowthLimit,
    GrowthLimits,
    check_growth,
    growth_result,
    parse_component_growth,
    parse_growth,
    render_text,
)
from workbench.compare.diff import diff_analyses
from workbench.errors import BudgetError


def test_a_growth_limit_is_a_percentage_or_a_size() -> None:
    assert parse_growth("5%") == GrowthLimit("total", max_fraction=0.05, text="5%")
    assert parse_growth(" 2.5 % ").max_fraction == 0.025
    assert parse_growth("20MB") == GrowthLimit("total", max_bytes=20_000_000, text="20MB")
    assert parse_growth("1GiB").max_bytes == 2**30
    with pytest.raises(BudgetError, match="a percentage \\(5%\\) or a size"):
        parse_growth("lots")


def test_a_component_limit_names_a_known_component() -> None:
    limit = parse_component_growth("python_dependencies=10MB")
    assert limit == GrowthLimit("python_dependencies", max_bytes=10_000_000, text="10MB")
    with pytest.raises(BudgetError, match="takes COMPONENT=LIMIT"):
        parse_component_growth("10MB")
    with pytest.raises(BudgetError, match="no component 'deps'; the components are python_"):
        parse_component_growth("deps=1MB")


def test_growth_within_and_over_the_limits() -> None:
    grown = diff_analyses(image_b(), image_a())  # B is A: 4.18 MB more than the reference
    limits = GrowthLimits(
        total=parse_growth("5%"),
        components=(
            parse_component_growth("build_caches=1MB"),
            parse_component_growth("python_dependencies=1MB"),
        ),
    )
    checks = check_growth(grown, limits)
    assert checks == [
        GrowthCheck(limits.total, 8_951_700, 13_131_500, 447_585),
        GrowthCheck(limits.components[1], 5_650_000, 5_830_000, 1_000_000),
        GrowthCheck(limits.components[0], 0, 4_000_000, 1_000_000),
    ]
    assert [c.within for c in checks] == [False, True, False]
    assert checks[0].over_by == 4_179_800 - 447_585


def test_shrinking_never_fails_and_an_image_against_itself_is_within() -> None:
    limits = GrowthLimits(total=parse_growth("0%"))
    assert all(c.within for c in check_growth(diff_analyses(image_a(), image_b()), limits))
    assert all(c.within for c in check_growth(diff_analyses(image_a(), image_a()), limits))


def test_the_last_limit_of_a_component_wins() -> None:
    limits = GrowthLimits(
        components=(parse_component_growth("other=1MB"), parse_component_growth("other=2MB"))
    )
    assert [limit.text for limit in limits.all()] == ["2MB"]
    assert limits.to_dict() == {"other": "2MB"}


def test_the_result_as_json_and_text() -> None:
    result = growth_result(
        "app:pr", "app:main", diff_analyses(image_b(), image_a()),
        GrowthLimits(total=parse_growth("5%")),
    )  # fmt: skip
    data = result.to_dict()
    assert data["within_limits"] is False
    assert data["size_delta_bytes"] == 4_179_800
    assert data["violations"][0]["over_by"] == 4_179_800 - 447_585
    assert sum(data["components"].values()) == data["size_delta_bytes"]
    lines = render_text(result)
    assert lines[0] == (
        "over growth limits: app:pr against app:main (+4.18 MB, +46.7%; 1 limit exceeded)"
    )
    assert "Image size" in lines[2] and "5% (448 kB): over by 3.73 MB" in lines[2]

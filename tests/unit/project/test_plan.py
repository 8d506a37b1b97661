from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SAMPLE_PROJECT
from workbench.errors import PlanError
from workbench.project.plan import SizeRange, load_plan, parse_plan


def test_the_sample_plan_carries_the_seed_estimates() -> None:
    plan = load_plan(SAMPLE_PROJECT / "plan.toml")
    assert [(t.priority, t.variant, t.saving) for t in plan.tasks] == [
        (1, "no-cache", SizeRange(20_000_000, 50_000_000)),
        (2, "pruned-deps", SizeRange(50_000_000, 150_000_000)),
        (3, "multi-stage", SizeRange(50_000_000, 100_000_000)),
    ]
    assert plan.current_size == 1_590_000_000
    assert plan.target_uncompressed == SizeRange(1_300_000_000, 1_400_000_000)
    assert plan.target_compressed == SizeRange(250_000_000, 300_000_000)
    assert sum(size for _, size in plan.breakdown) == 1_590_000_000
    assert plan.smoke.path == "/health"
    assert plan.smoke.port == 8080


def test_a_task_without_saving_is_named_in_the_error() -> None:
    with pytest.raises(PlanError, match=r"tasks\[1\] lacks `saving`"):
        parse_plan({"tasks": [{"name": "x", "variant": "no-cache"}]})


def test_a_range_with_min_above_max_is_refused() -> None:
    with pytest.raises(PlanError, match="min is larger than max"):
        parse_plan({"targets": {"uncompressed": {"min": "2 GB", "max": "1 GB"}}})


def test_a_bad_size_names_its_field() -> None:
    with pytest.raises(PlanError, match=r"current.size: not a size"):
        parse_plan({"current": {"size": "big"}})


def test_a_file_that_is_not_toml_is_a_plan_error(tmp_path: Path) -> None:
    bad = tmp_path / "plan.toml"
    bad.write_text("[plan\ntitle = 1")
    with pytest.raises(PlanError, match="not valid TOML"):
        load_plan(bad)


def test_smoke_command_may_be_a_string() -> None:
    plan = parse_plan({"smoke": {"command": "python -c 'print(1)'"}})
    assert plan.smoke.command == ("python", "-c", "print(1)")
    assert plan.smoke.port is None

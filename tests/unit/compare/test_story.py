"""The stakeholder's story: the sentence, the plan's estimate beside it, the targets, and
the before/after bar, from synthetic figures."""

from __future__ import annotations

import dataclasses

import pytest

from tests.synthetic import SHAPES, analysis, build_record
from workbench.analysis import COMPONENTS
from workbench.compare.figures import TargetCheck, VariantFigures, plan_vs_measured
from workbench.compare.story import (
    LABEL_SHARE,
    before_after_frame,
    project_story,
    size_range,
    target_sentence,
)
from workbench.project.plan import parse_plan
from workbench.units import human_bytes

MB = 1_000_000
BASE = dict(python_dependencies=770 * MB, build_caches=600 * MB, other=45 * MB)


def _task(priority: int, variant: str, low: str, high: str, name: str = "") -> dict[str, object]:
    return {
        "priority": priority,
        "name": name or f"task {priority}",
        "variant": variant,
        "saving": {"min": low, "max": high},
    }


PLAN = {
    "targets": {
        "uncompressed": {"min": "800 MB", "max": "900 MB"},
        "compressed": {"min": "250 MB", "max": "300 MB"},
    },
    "tasks": [
        _task(1, "no-cache", "20 MB", "50 MB", "Add --no-cache"),
        _task(3, "multi-stage", "50 MB", "100 MB", "Multi-stage"),
        _task(2, "pruned-deps", "50 MB", "150 MB", "Prune"),
    ],
}


def _figure(name: str, smoke: bool | None = None, **shape: int) -> VariantFigures:
    image_id = f"sha256:{name}"
    return VariantFigures(
        name, build_record(name, image_id), analysis(image_id, **shape), smoke_passed=smoke
    )


def sample_figures() -> list[VariantFigures]:
    """Baseline (1.45 GB, pushed: 480 MB), no-cache (849 MB), multi-stage (805 MB); a gzip
    estimate of a third of each size."""
    return [
        VariantFigures(
            name,
            build_record(name, f"sha256:{name}"),
            analysis(f"sha256:{name}", gzip_fraction=1 / 3, **shape),
            pushed_bytes=480 * MB if name == "baseline" else None,
        )
        for name, shape in SHAPES.items()
    ]


def _smoked(results: dict[str, bool | None]) -> list[VariantFigures]:
    """The sample figures (baseline, no-cache, multi-stage) with these smoke results."""
    return [dataclasses.replace(f, smoke_passed=results.get(f.variant)) for f in sample_figures()]


def _plan(*tasks: dict[str, object], baseline: str = "baseline"):
    return parse_plan({"plan": {"baseline_variant": baseline}, "tasks": list(tasks)})


# --- size_range -----------------------------------------------------------------------


def test_a_range_in_one_unit_says_it_once() -> None:
    assert size_range(20 * MB, 50 * MB) == "20.0–50.0 MB"
    assert size_range(800 * MB, 900 * MB) == "800–900 MB"


def test_a_range_across_units_says_both() -> None:
    assert size_range(500_000, 2 * MB) == "500 kB – 2.00 MB"
    assert size_range(900 * MB, 1_200 * MB) == "900 MB – 1.20 GB"


# --- project_story ----------------------------------------------------------------------


def test_the_story_holds_the_best_variant_against_its_tasks() -> None:
    story = project_story("elevendops", sample_figures(), parse_plan(PLAN))
    assert story is not None
    assert (story.best, story.best_bytes, story.baseline_bytes) == (
        "multi-stage",
        805 * MB,
        1449 * MB,
    )
    assert story.saved_bytes == 644 * MB
    assert story.saved_pct == pytest.approx(644 / 1449 * 100)
    # multi-stage installs without a cache too: its own task and the no-cache one, summed
    assert story.plan_tasks == ("P1: Add --no-cache", "P3: Multi-stage")
    assert (story.plan_min_bytes, story.plan_max_bytes) == (70 * MB, 150 * MB)
    assert story.own_task and not story.whole_plan
    assert story.sentence() == (
        "elevendops: multi-stage (not smoke-tested) is 644 MB (44.4 %) smaller than the "
        "baseline; the plan estimated 70.0–150 MB for P1 and P3 together, measured 644 MB."
    )


def test_without_a_plan_the_story_says_there_is_none() -> None:
    story = project_story("p", _smoked({"multi-stage": True}), None)
    assert story is not None and not story.has_plan and story.plan_tasks == ()
    assert story.plan_estimate == ""
    assert story.sentence() == (
        "p: multi-stage (passed its smoke test) is 644 MB (44.4 %) smaller than the "
        "baseline; there is no plan (plan.toml) to hold it against."
    )


def test_a_plan_without_tasks_has_nothing_to_hold_it_against() -> None:
    story = project_story("p", sample_figures(), parse_plan({}))
    assert story is not None and story.has_plan
    assert story.sentence().endswith(
        "smaller than the baseline; the plan has no tasks to hold it against."
    )


def test_no_baseline_figures_no_story() -> None:
    figures = [f for f in sample_figures() if f.variant != "baseline"]
    assert project_story("p", figures, parse_plan(PLAN)) is None
    # the plan's baseline is the one looked for
    assert project_story("p", sample_figures(), _plan(baseline="original")) is None


def test_a_variant_that_failed_its_smoke_test_is_never_best() -> None:
    story = project_story("p", _smoked({"no-cache": True, "multi-stage": False}), parse_plan(PLAN))
    assert story is not None and story.best == "no-cache" and story.best_smoke is True
    assert story.plan_tasks == ("P1: Add --no-cache",)
    assert story.plan_basis == ""  # its own task alone
    assert story.sentence() == (
        "p: no-cache (passed its smoke test) is 600 MB (41.4 %) smaller than the "
        "baseline; the plan estimated 20.0–50.0 MB, measured 600 MB."
    )


def test_when_every_smaller_variant_failed_the_sentence_says_none_works() -> None:
    story = project_story("p", _smoked({"no-cache": False, "multi-stage": False}), parse_plan(PLAN))
    assert story is not None and story.best is None and story.saved_bytes == 0
    assert story.sentence() == (
        "p: no variant that still works is smaller than the baseline (1.45 GB)."
    )


def test_when_no_variant_is_smaller_the_sentence_says_so() -> None:
    figures = [_figure("baseline", **BASE), _figure("no-cache", **{**BASE, "other": 46 * MB})]
    story = project_story("p", figures, parse_plan(PLAN))
    assert story is not None and story.best is None
    assert (story.saved_bytes, story.saved_pct, story.plan_tasks) == (0, 0.0, ())
    assert story.sentence() == (
        "p: no variant that still works is smaller than the baseline (1.42 GB)."
    )
    same = [_figure("baseline", **BASE), _figure("no-cache", **BASE)]
    assert project_story("p", same, None).best is None  # as large is not smaller


def test_the_plans_baseline_variant_is_the_one_held_against() -> None:
    figures = [_figure("original", **BASE), _figure("no-cache", **{**BASE, "build_caches": 0})]
    plan = _plan(_task(1, "no-cache", "500 MB", "700 MB"), baseline="original")
    story = project_story("p", figures, plan)
    assert story is not None and story.baseline == "original" and story.best == "no-cache"
    assert story.sentence() == (
        "p: no-cache (not smoke-tested) is 600 MB (42.4 %) smaller than the original; "
        "the plan estimated 500–700 MB, measured 600 MB."
    )


def test_a_variant_whose_own_task_is_missing_is_held_against_the_tasks_it_includes() -> None:
    plan = _plan(_task(1, "no-cache", "20 MB", "50 MB"), _task(2, "pruned-deps", "1 MB", "2 MB"))
    story = project_story("p", sample_figures(), plan)
    assert story is not None and story.best == "multi-stage"
    assert story.plan_tasks == ("P1: task 1",) and not story.own_task and not story.whole_plan
    assert story.plan_basis == " for P1, which it includes"
    assert story.sentence().endswith(
        "the plan estimated 20.0–50.0 MB for P1, which it includes, measured 644 MB."
    )


def test_combined_is_held_against_every_task_it_includes() -> None:
    figures = [*sample_figures(), _figure("combined", python_dependencies=500 * MB)]
    plan = parse_plan(PLAN)
    story = project_story("p", figures, plan)
    assert story is not None and story.best == "combined"
    assert len(story.plan_tasks) == 3 and not story.own_task and not story.whole_plan
    assert (story.plan_min_bytes, story.plan_max_bytes) == (120 * MB, 300 * MB)
    assert story.plan_basis == " for P1, P2 and P3, which it includes"


def test_a_variant_no_task_is_for_is_held_against_the_whole_plan() -> None:
    figures = [*sample_figures(), _figure("optimized", python_dependencies=500 * MB)]
    story = project_story("p", figures, parse_plan(PLAN))
    assert story is not None and story.best == "optimized"
    assert story.whole_plan and not story.own_task and len(story.plan_tasks) == 3
    assert (story.plan_min_bytes, story.plan_max_bytes) == (120 * MB, 300 * MB)
    assert story.plan_basis == " for its 3 tasks together"
    assert story.sentence().endswith(
        "the plan estimated 120–300 MB for its 3 tasks together, measured 949 MB."
    )
    custom = [*sample_figures(), _figure("custom", python_dependencies=1 * MB)]
    one = project_story("p", custom, _plan(_task(4, "pruned-deps", "20 MB", "50 MB")))
    assert one is not None and one.best == "custom" and one.whole_plan
    assert one.plan_basis == " for P4: task 4"


# --- target_sentence --------------------------------------------------------------------


def test_a_target_met_or_not_names_the_best_image() -> None:
    met = TargetCheck("uncompressed", 800 * MB, 900 * MB, "multi-stage", 807 * MB, True)
    assert target_sentence(met) == "Uncompressed target 800–900 MB: met (multi-stage: 807 MB)"
    missed = TargetCheck("uncompressed", 800 * MB, 900 * MB, "no-cache", 951 * MB, True)
    assert target_sentence(missed) == "Uncompressed target 800–900 MB: not met (no-cache: 951 MB)"


def test_a_compressed_estimate_says_it_is_one() -> None:
    estimate = TargetCheck("compressed", 250 * MB, 300 * MB, "multi-stage", 269 * MB, False)
    assert target_sentence(estimate) == (
        "Compressed target 250–300 MB: met (multi-stage: 269 MB, an estimate)"
    )
    _, targets = plan_vs_measured(parse_plan(PLAN), sample_figures())
    assert [target_sentence(t) for t in targets] == [
        "Uncompressed target 800–900 MB: met (multi-stage: 805 MB)",
        "Compressed target 250–300 MB: met (multi-stage: 268 MB, an estimate)",
    ]


def test_a_target_not_measured_says_so_and_how_to_measure_a_compressed_one() -> None:
    compressed = TargetCheck("compressed", 250 * MB, 300 * MB, None, None, False)
    assert target_sentence(compressed) == (
        "Compressed target 250–300 MB: not measured yet (push an image to a registry to measure it)"
    )
    uncompressed = TargetCheck("uncompressed", 800 * MB, 900 * MB, None, None, True)
    assert target_sentence(uncompressed) == "Uncompressed target 800–900 MB: not measured yet"


# --- before_after_frame -----------------------------------------------------------------


def _pair() -> list[VariantFigures]:
    """Odd byte counts, so a segment rounded anywhere would show."""
    return [
        _figure(
            "baseline", python_dependencies=770_123_457, build_caches=600_000_001, other=45_333
        ),
        _figure("multi-stage", python_dependencies=700_999_999, python_runtime=34_000_003),
    ]


def test_each_bar_adds_up_to_its_image_exactly() -> None:
    figures = _pair()
    frame = before_after_frame(figures, "multi-stage")
    assert list(frame["bar"].unique()) == ["Before: baseline", "After: multi-stage"]
    sizes = {f.variant: f.size_bytes for f in figures}
    for variant, rows in frame.groupby("variant"):
        assert int(rows["bytes"].sum()) == sizes[variant]
        assert rows["start_mb"].iloc[0] == 0.0
        assert rows["end_mb"].iloc[-1] == pytest.approx(sizes[variant] / 1e6, abs=1e-9)
        assert list(rows["start_mb"].iloc[1:]) == pytest.approx(list(rows["end_mb"].iloc[:-1]))
        assert list(rows["order"]) == list(range(len(rows)))


def test_a_component_neither_image_holds_is_left_out() -> None:
    frame = before_after_frame(_pair(), "multi-stage")
    held = ["python_dependencies", "python_runtime", "build_caches", "other"]
    assert [c for c in COMPONENTS if c in set(frame["component"])] == held
    for _, rows in frame.groupby("bar"):
        assert list(rows["component"]) == held  # in the order of COMPONENTS, on both bars
    after = frame[frame["bar"] == "After: multi-stage"].set_index("component")
    assert after.loc["build_caches", "bytes"] == 0  # the baseline holds it: shown as 0 B
    assert after.loc["python_runtime", "label"] == "Python runtime"


def test_a_segment_under_six_percent_of_the_widest_bar_has_no_text() -> None:
    assert LABEL_SHARE == 0.06
    figures = [
        _figure("baseline", python_dependencies=93_900_000, other=6_100_000),  # widest: 100 MB
        _figure("no-cache", python_dependencies=80_000_000, other=5_900_000),
    ]
    frame = before_after_frame(figures, "no-cache").set_index(["variant", "component"])
    assert frame.loc[("baseline", "other"), "text"] == "6.10 MB"
    assert frame.loc[("no-cache", "other"), "text"] == ""
    assert frame.loc[("no-cache", "python_dependencies"), "text"] == "80.0 MB"


def test_the_total_is_on_each_bars_last_segment_only() -> None:
    figures = _pair()
    frame = before_after_frame(figures, "multi-stage")
    for f in figures:
        rows = frame[frame["variant"] == f.variant]
        assert list(rows["total"]) == [""] * (len(rows) - 1) + [human_bytes(f.size_bytes)]


def test_the_frame_is_empty_without_a_best_or_either_image() -> None:
    figures = _pair()
    columns = [
        "bar", "variant", "component", "label", "bytes", "mb", "order",
        "start_mb", "end_mb", "text", "total",
    ]  # fmt: skip
    for best, baseline in [(None, "baseline"), ("combined", "baseline"), ("multi-stage", "x")]:
        frame = before_after_frame(figures, best, baseline)
        assert frame.empty and list(frame.columns) == columns
    named = before_after_frame(figures, "baseline", baseline="multi-stage")
    assert list(named["bar"].unique()) == ["Before: multi-stage", "After: baseline"]

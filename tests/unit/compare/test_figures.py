from __future__ import annotations

from tests.synthetic import MB, SHAPES, analysis, build_record
from workbench.analysis import COMPONENTS
from workbench.compare import figures as compare
from workbench.project.plan import parse_plan


def _figures() -> list[compare.VariantFigures]:
    return [
        compare.VariantFigures(name, build_record(name, f"sha256:{name}"), analysis(name, **shape))
        for name, shape in SHAPES.items()
    ]


def test_the_components_frame_adds_up_to_each_size() -> None:
    figures = _figures()
    frame = compare.components_frame(figures)
    totals = frame.groupby("variant")["bytes"].sum().to_dict()
    assert totals == {f.variant: f.size_bytes for f in figures}
    assert len(frame) == len(figures) * len(COMPONENTS)


def test_savings_per_component_add_up_to_the_total_saving() -> None:
    frame = compare.savings_frame(_figures())
    for variant, rows in frame.groupby("variant"):
        parts = rows[rows["component"] != "total"]["saved_bytes"].sum()
        total = rows[rows["component"] == "total"]["saved_bytes"].item()
        assert parts == total, variant
    no_cache = frame[(frame.variant == "no-cache") & (frame.component == "build_caches")]
    assert no_cache["saved_bytes"].item() == 600 * MB
    assert no_cache["saved_pct"].item() == 100.0


def test_the_waterfall_walks_from_baseline_to_the_best() -> None:
    frame = compare.waterfall_frame(_figures())
    assert list(frame["step"]) == ["baseline", "→ no-cache", "→ multi-stage", "best: multi-stage"]
    savings = frame[frame.kind == "saving"]["delta"].sum()
    assert frame.iloc[0]["end"] + savings == frame.iloc[-1]["end"]


def test_plan_vs_measured_counts_each_task_once() -> None:
    plan = parse_plan(
        {
            "targets": {"uncompressed": {"min": "800 MB", "max": "900 MB"}},
            "tasks": [
                {
                    "priority": 1,
                    "name": "no cache",
                    "variant": "no-cache",
                    "saving": {"min": "20 MB", "max": "50 MB"},
                },
                {
                    "priority": 3,
                    "name": "multi-stage",
                    "variant": "multi-stage",
                    "saving": {"min": "50 MB", "max": "100 MB"},
                },
                {
                    "priority": 2,
                    "name": "prune",
                    "variant": "pruned-deps",
                    "saving": {"min": "50 MB", "max": "150 MB"},
                },
            ],
        }
    )
    tasks, targets = compare.plan_vs_measured(plan, _figures())
    by_variant = {t.variant: t for t in tasks}
    assert by_variant["no-cache"].measured_bytes == 600 * MB
    assert by_variant["no-cache"].verdict == "saves more than planned (12.0× the upper estimate)"
    assert by_variant["multi-stage"].reference == "no-cache"
    assert by_variant["multi-stage"].measured_bytes == 44 * MB
    assert by_variant["multi-stage"].vs_baseline_bytes == 644 * MB
    assert by_variant["multi-stage"].verdict == "saves less than planned"
    assert by_variant["pruned-deps"].verdict == "not built yet"
    [uncompressed] = targets
    assert uncompressed.best_variant == "multi-stage" and uncompressed.met is True


def _smoked(results: dict[str, bool | None]) -> list[compare.VariantFigures]:
    return [
        compare.VariantFigures(f.variant, f.build, f.analysis, smoke_passed=results.get(f.variant))
        for f in _figures()
    ]


def test_a_variant_that_failed_its_smoke_test_is_never_best_and_saves_nothing() -> None:
    figures = _smoked({"baseline": True, "no-cache": True, "multi-stage": False})
    assert compare.best_variant(figures).variant == "no-cache"
    frame = compare.waterfall_frame(figures)
    assert list(frame["step"]) == ["baseline", "→ no-cache", "best: no-cache"]
    shown = dict(
        zip(
            compare.components_frame(figures)["variant"],
            compare.components_frame(figures)["shown"],
            strict=False,
        )
    )
    assert shown == {
        "baseline": "baseline",
        "no-cache": "no-cache",
        "multi-stage": "multi-stage (smoke test failed)",
    }
    savings = compare.savings_frame(figures)
    assert set(savings[savings.variant == "multi-stage"]["smoke"]) == {"failed"}


def test_a_variant_never_smoke_tested_may_be_best_and_says_not_checked() -> None:
    figures = _smoked({"baseline": True})
    assert compare.best_variant(figures).variant == "multi-stage"
    assert [f.smoke for f in figures] == ["passed", "not checked", "not checked"]
    assert all(f.shown == f.variant for f in figures)  # only a failure is marked


def test_when_every_variant_failed_none_is_best() -> None:
    figures = _smoked({"no-cache": False, "multi-stage": False})
    assert compare.best_variant(figures) is None
    assert list(compare.waterfall_frame(figures)["step"]) == ["baseline"]


def test_plan_vs_measured_does_not_count_a_broken_variant() -> None:
    plan = parse_plan(
        {
            "targets": {"uncompressed": {"min": "800 MB", "max": "900 MB"}},
            "tasks": [
                {"priority": 1, "name": "no cache", "variant": "no-cache",
                 "saving": {"min": "20 MB", "max": "50 MB"}},
                {"priority": 3, "name": "multi-stage", "variant": "multi-stage",
                 "saving": {"min": "50 MB", "max": "100 MB"}},
            ],
        }
    )  # fmt: skip
    figures = _smoked({"no-cache": None, "multi-stage": False})
    tasks, [target] = compare.plan_vs_measured(plan, figures)
    no_cache, multi_stage = tasks
    assert no_cache.counted and no_cache.smoke == "not checked"
    assert not multi_stage.counted and multi_stage.smoke == "failed"
    assert multi_stage.verdict == "not counted: the image failed its smoke test"
    assert target.best_variant != "multi-stage"
    frame = compare.plan_frame(tasks)
    assert set(frame["kind"]) == {"Plan estimate", compare.MEASURED, compare.NOT_COUNTED}
    assert "P3: multi-stage (smoke test failed)" in set(frame["task"])


def test_the_size_history_has_every_succeeded_build_with_its_dockerfile() -> None:
    from tests.conftest import TINY_PROJECT
    from tests.synthetic import add_analysed_build
    from workbench.project import load_project
    from workbench.store import Store

    store = Store()
    project = load_project(TINY_PROJECT)
    first = add_analysed_build(store, project, "baseline", SHAPES["baseline"])
    add_analysed_build(store, project, "no-cache", SHAPES["no-cache"])
    failed = store.add_build(
        project_key=project.key, project_path=str(project.path), variant="baseline",
        tag="t", builder="buildkit", request_key="k", dockerfile_sha256="1" * 64,
    )  # fmt: skip
    store.update_build(failed, status="failed")
    unanalysed = store.add_build(
        project_key=project.key, project_path=str(project.path), variant="baseline",
        tag="t", builder="buildkit", request_key="k", dockerfile_sha256="2" * 64,
    )  # fmt: skip
    store.update_build(unanalysed, status="succeeded", image_id="sha256:" + "9" * 64)
    frame = compare.size_history_frame(project, store)
    assert frame["variant"].tolist() == ["baseline", "no-cache", "baseline"]
    assert frame["size_bytes"].tolist()[:2] == [sum(SHAPES["baseline"].values()),
                                                sum(SHAPES["no-cache"].values())]  # fmt: skip
    assert frame["mb"].isna().tolist() == [False, False, True]
    assert frame["dockerfile"].tolist() == ["0" * 12, "0" * 12, "2" * 12]
    assert frame["image"].tolist()[0] == first.removeprefix("sha256:")[:12]

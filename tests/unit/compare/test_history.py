"""A project's build history beside the baseline, read from a real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.synthetic import analysis
from workbench.analysis.model import SCHEMA_VERSION
from workbench.compare.history import HistoryRow, build_history
from workbench.store import Store

KEY = "project-key"
MB = 1_000_000


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "workbench.db")


def _analyse(store: Store, image_id: str, size: int) -> None:
    store.save_analysis(image_id, "synthetic", analysis(image_id, other=size).to_dict())


def _build(
    store: Store,
    variant: str,
    image_id: str | None = None,
    size: int | None = None,
    status: str = "succeeded",
    project_key: str = KEY,
    **values: object,
) -> int:
    """A build of a variant that ended as ``status``; its image analysed when ``size``."""
    build_id = store.add_build(
        project_key=project_key,
        project_path="/projects/p",
        variant=variant,
        tag=f"workbench/p:{variant}",
        builder="buildkit",
        request_key=variant,
        dockerfile_sha256="0" * 64,
        requested_at=100.0,
    )
    store.update_build(build_id, status=status, image_id=image_id, **values)
    if size is not None:
        assert image_id is not None
        _analyse(store, image_id, size)
    return build_id


def _by_id(rows: list[HistoryRow]) -> dict[int, HistoryRow]:
    return {row.id: row for row in rows}


def test_the_history_is_newest_first_with_each_builds_fields(store: Store) -> None:
    first = _build(
        store, "baseline", "sha256:b1", 100 * MB, started_at=101.0, duration_s=12.5,
        steps_done=7, steps_total=7, cache_hits=3,
    )  # fmt: skip
    failed = _build(store, "no-cache", status="failed", error="step 4 failed", steps_total=7)
    queued = _build(store, "multi-stage", status="queued")
    _build(store, "baseline", "sha256:x", 5 * MB, project_key="another-project")
    rows = build_history(store, KEY)
    assert [row.id for row in rows] == [queued, failed, first]
    oldest = rows[-1]
    assert (oldest.variant, oldest.status, oldest.builder) == ("baseline", "succeeded", "buildkit")
    assert (oldest.started_at, oldest.duration_s) == (101.0, 12.5)
    assert (oldest.steps_done, oldest.steps_total, oldest.cache_hits) == (7, 7, 3)
    assert (oldest.image_id, oldest.error) == ("sha256:b1", None)
    assert rows[1].error == "step 4 failed" and rows[1].image_id is None
    assert rows[0].started_at == 100.0  # not started yet: when it was asked for
    assert build_history(store, "nobody") == []


def test_the_size_is_the_stored_analysis_and_none_until_analysed(store: Store) -> None:
    build = _build(store, "no-cache", "sha256:n1")
    [row] = build_history(store, KEY)
    assert row.size_bytes is None and row.saved_bytes is None
    _analyse(store, "sha256:n1", 42 * MB)
    [row] = build_history(store, KEY)
    assert (row.id, row.size_bytes) == (build, 42 * MB)


def test_an_analysis_of_another_schema_is_not_a_size(store: Store) -> None:
    _build(store, "no-cache", "sha256:old")
    stale = {**analysis("sha256:old", other=9 * MB).to_dict(), "schema": SCHEMA_VERSION - 1}
    store.save_analysis("sha256:old", "older", stale)
    [row] = build_history(store, KEY)
    assert row.size_bytes is None


def test_savings_are_against_the_newest_succeeded_baseline_image(store: Store) -> None:
    old_base = _build(store, "baseline", "sha256:b-old", 1000 * MB)
    smaller = _build(store, "no-cache", "sha256:small", 600 * MB)
    new_base = _build(store, "baseline", "sha256:b-new", 800 * MB)
    larger = _build(store, "multi-stage", "sha256:large", 900 * MB)
    broken = _build(store, "baseline", "sha256:b-broken", 10 * MB, status="failed")
    rows = _by_id(build_history(store, KEY))
    assert rows[smaller].saved_bytes == 200 * MB
    assert rows[larger].saved_bytes == -100 * MB  # larger than the baseline
    assert rows[new_base].saved_bytes == 0
    assert rows[old_base].saved_bytes == -200 * MB
    assert rows[broken].saved_bytes == 790 * MB  # a failed build is never the baseline
    assert [row.id for row in rows.values() if row.is_baseline] == [new_base]


def test_savings_need_both_images_analysed(store: Store) -> None:
    _build(store, "baseline", "sha256:b-old", 1000 * MB)
    unanalysed = _build(store, "no-cache", "sha256:n")
    rows = _by_id(build_history(store, KEY))
    assert rows[unanalysed].saved_bytes is None
    newest_base = _build(store, "baseline", "sha256:b-new")  # not analysed: no savings at all
    variant = _build(store, "multi-stage", "sha256:m", 500 * MB)
    rows = _by_id(build_history(store, KEY))
    assert all(row.saved_bytes is None for row in rows.values())
    assert [row.id for row in rows.values() if row.is_baseline] == [newest_base]
    assert rows[variant].size_bytes == 500 * MB


def test_without_a_baseline_build_nothing_is_saved_or_the_baseline(store: Store) -> None:
    _build(store, "no-cache", "sha256:n", 600 * MB)
    _build(store, "baseline", status="failed")
    rows = build_history(store, KEY)
    assert all(row.saved_bytes is None and not row.is_baseline for row in rows)
    [by_other] = [r for r in build_history(store, KEY, baseline="no-cache") if r.image_id]
    assert by_other.is_baseline and by_other.saved_bytes == 0


def test_still_works_is_the_images_newest_smoke_test(store: Store) -> None:
    fixed = _build(store, "no-cache", "sha256:fixed")
    broke = _build(store, "multi-stage", "sha256:broke")
    never = _build(store, "pruned-deps", "sha256:never")
    no_image = _build(store, "combined", status="failed")
    store.save_smoke_result("sha256:fixed", False, {})
    store.save_smoke_result("sha256:fixed", True, {})
    store.save_smoke_result("sha256:broke", True, {})
    store.save_smoke_result("sha256:broke", False, {})
    store.save_smoke_result("sha256:elsewhere", True, {})
    rows = _by_id(build_history(store, KEY))
    assert rows[fixed].still_works is True
    assert rows[broke].still_works is False
    assert rows[never].still_works is None
    assert rows[no_image].still_works is None


def test_the_limit_keeps_the_newest_builds_and_their_savings(store: Store) -> None:
    _build(store, "baseline", "sha256:b", 1000 * MB)
    ids = [_build(store, "no-cache", f"sha256:n{i}", (900 - i) * MB) for i in range(4)]
    rows = build_history(store, KEY, limit=2)
    assert [row.id for row in rows] == ids[:1:-1]
    assert [row.saved_bytes for row in rows] == [103 * MB, 102 * MB]  # beyond the limit
    assert not any(row.is_baseline for row in rows)
    assert len(build_history(store, KEY)) == 5

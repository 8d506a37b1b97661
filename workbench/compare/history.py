"""A project's build history beside the baseline: each build with its image's size, what
it saves against the baseline, and whether the image still works.

Read in three queries whatever the number of builds, without the builds' logs (up to
2 MB each), so the Builds page lists hundreds of builds quickly.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.analysis.model import SCHEMA_VERSION
from workbench.compare.figures import BASELINE
from workbench.store import Store

_COLUMNS = (
    "id, variant, status, builder, requested_at, started_at, duration_s, steps_done, "
    "steps_total, cache_hits, image_id, error"
)


@dataclass(frozen=True)
class HistoryRow:
    """One build, its image's size and saving against the baseline, and its smoke test.

    ``size_bytes`` is ``None`` until the image is analysed; ``saved_bytes`` is the newest
    baseline image's size minus this one (negative: larger), ``None`` unless both are
    analysed; ``still_works`` is the image's newest smoke test (``None``: never tested).
    """

    id: int
    variant: str
    status: str
    builder: str
    started_at: float
    duration_s: float | None
    steps_done: int
    steps_total: int
    cache_hits: int
    image_id: str | None
    error: str | None
    size_bytes: int | None = None
    saved_bytes: int | None = None
    still_works: bool | None = None
    is_baseline: bool = False  # the newest baseline image, the one savings are against


def _smoke_results(store: Store, image_ids: list[str]) -> dict[str, bool]:
    """Per image that was smoke-tested, whether its newest test passed."""
    if not image_ids:
        return {}
    marks = ", ".join("?" for _ in image_ids)
    with store.connect() as db:
        rows = db.execute(
            "SELECT image_id, passed FROM smoke_results WHERE id IN (SELECT MAX(id) FROM "
            f"smoke_results WHERE image_id IN ({marks}) GROUP BY image_id)",
            image_ids,
        ).fetchall()
    return {row["image_id"]: bool(row["passed"]) for row in rows}


def build_history(
    store: Store, project_key: str, baseline: str = BASELINE, limit: int = 200
) -> list[HistoryRow]:
    """A project's builds, newest first, each beside the newest baseline image.

    Args:
        store: where the builds, analyses and smoke tests are.
        project_key: the project's key.
        baseline: the variant savings are measured against.
        limit: how many builds, newest first.
    """
    with store.connect() as db:
        builds = db.execute(
            f"SELECT {_COLUMNS} FROM builds WHERE project_key = ? ORDER BY id DESC LIMIT ?",
            (project_key, limit),
        ).fetchall()
        reference = db.execute(
            "SELECT image_id FROM builds WHERE project_key = ? AND variant = ? AND "
            "status = 'succeeded' AND image_id IS NOT NULL ORDER BY id DESC LIMIT 1",
            (project_key, baseline),
        ).fetchone()
    base_image = reference["image_id"] if reference else None
    images = sorted({b["image_id"] for b in builds if b["image_id"]} | {base_image} - {None})
    sizes = store.analysed_sizes(images, SCHEMA_VERSION)
    smoke = _smoke_results(store, images)
    base_size = sizes.get(base_image) if base_image else None
    rows = []
    for b in builds:
        size = sizes.get(b["image_id"]) if b["image_id"] else None
        saved = base_size - size if base_size is not None and size is not None else None
        rows.append(
            HistoryRow(
                id=b["id"],
                variant=b["variant"],
                status=b["status"],
                builder=b["builder"],
                started_at=b["started_at"] or b["requested_at"],
                duration_s=b["duration_s"],
                steps_done=b["steps_done"],
                steps_total=b["steps_total"],
                cache_hits=b["cache_hits"],
                image_id=b["image_id"],
                error=b["error"],
                size_bytes=size,
                saved_bytes=saved,
                still_works=smoke.get(b["image_id"]) if b["image_id"] else None,
                is_baseline=bool(base_image) and b["image_id"] == base_image,
            )
        )
    return rows

"""Stamps: cheap signatures of what a page's figures are made of, for cache keys.

A page caches its figures, frames and charts under a stamp of the store rows they are
read from, so a cached figure is reused until a build, an analysis, a push or a smoke
test changes it, and never longer.  Each stamp is one indexed query that reads no log
and no analysis body (those are what make the figures slow to read).
"""

from __future__ import annotations

from workbench.store import Store

Stamp = tuple[tuple[object, ...], ...]

_PER_BUILD = """
SELECT b.id, b.variant, b.image_id,
       (SELECT MAX(a.created_at) FROM analyses a WHERE a.image_id = b.image_id),
       (SELECT MAX(p.id) FROM pushes p WHERE p.image_id = b.image_id),
       (SELECT MAX(s.id) FROM smoke_results s WHERE s.image_id = b.image_id)
FROM builds b
WHERE b.project_key = ? AND b.status = 'succeeded'
ORDER BY b.id DESC
"""


def figures_stamp(store: Store, project_key: str) -> Stamp:
    """Per succeeded build of a project, newest first: its id, variant and image, and
    that image's newest analysis time, push id and smoke-test id.

    Everything :func:`workbench.compare.figures.project_figures` and the size history
    read changes this stamp: a new build, a re-analysis, a push, a smoke test.
    """
    with store.connect() as db:
        return tuple(tuple(row) for row in db.execute(_PER_BUILD, (project_key,)))


def analyses_stamp(store: Store) -> Stamp:
    """How many analyses the store holds and when the newest was saved: a new or
    replaced analysis changes it (the lists of stored images are cached under it)."""
    with store.connect() as db:
        row = db.execute("SELECT COUNT(*), MAX(created_at) FROM analyses").fetchone()
    return (tuple(row),)


def image_stamp(store: Store, image_id: str) -> Stamp:
    """An image's newest analysis time, push id and smoke-test id (its cache key)."""
    with store.connect() as db:
        row = db.execute(
            "SELECT (SELECT MAX(created_at) FROM analyses WHERE image_id = ?), "
            "(SELECT MAX(id) FROM pushes WHERE image_id = ?), "
            "(SELECT MAX(id) FROM smoke_results WHERE image_id = ?)",
            (image_id, image_id, image_id),
        ).fetchone()
    return ((image_id, *tuple(row)),)


def history_stamp(store: Store, project_key: str) -> Stamp:
    """Per status, how many builds a project has, the newest, when the last ended, their
    steps done and to do and their cache hits; with the newest smoke test and analysis:
    a build that queues, learns its steps, moves a step or ends, and a new smoke test or
    analysis, changes it."""
    with store.connect() as db:
        rows = db.execute(
            "SELECT status, COUNT(*), MAX(id), MAX(ended_at), SUM(steps_done), SUM(steps_total), "
            "SUM(cache_hits) FROM builds "
            "WHERE project_key = ? GROUP BY status ORDER BY status",
            (project_key,),
        ).fetchall()
        newest = db.execute(
            "SELECT (SELECT MAX(id) FROM smoke_results), (SELECT MAX(created_at) FROM analyses)"
        ).fetchone()
    return (*(tuple(row) for row in rows), tuple(newest))

"""What the Compare page shows, read once per change of the store, and its charts drawn
ahead of a visit.

The Compare page draws eight charts.  Building their Vega-Lite specs takes 0.1–0.3 s of
the page's run the first time a project's figures change (more while the browser
draws).  :func:`prepare_in_background` builds them on a thread, once per figures key,
after any page's run: the Compare page then finds them in the cache
(:func:`ui.figures.chart_spec`).  The thread calls only cached functions; the page and
it make the same frames, so they share the cache's entries.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ui.figures import FiguresKey, chart_spec, figures_key, figures_of, size_history
from workbench.project import Project, load_project
from workbench.project.plan import Plan
from workbench.store import Store

if TYPE_CHECKING:
    import pandas as pd

    from workbench.compare import TargetComparison, TaskComparison, VariantFigures


@dataclass(frozen=True)
class CompareData:
    """The frames the Compare page draws and tabulates, for one figures key."""

    figures: list[VariantFigures]
    components: pd.DataFrame
    savings: pd.DataFrame
    waterfall: pd.DataFrame
    ladder: pd.DataFrame | None  # the optimize ladder, with a result of two steps or more
    history: pd.DataFrame
    plan: Plan | None
    tasks: list[TaskComparison]
    targets: list[TargetComparison]
    plan_chart: pd.DataFrame | None
    figures_table: pd.DataFrame

    def charts(self) -> list[tuple[str, tuple[Any, ...]]]:
        """Each chart the page draws (a name of :data:`ui.figures.CHARTS`) and its data."""
        drawn: list[tuple[str, tuple[Any, ...]]] = [("components", (self.components,))]
        if len(self.savings):
            drawn += [("waterfall", (self.waterfall,)), ("savings", (self.savings,))]
        if self.ladder is not None:
            drawn.append(("ladder", (self.ladder,)))
        if self.history["mb"].notna().any():
            drawn.append(("size_history", (self.history,)))
        if self.plan_chart is not None:
            drawn.append(("plan", (self.plan_chart,)))
        drawn += [("compressed", (self.figures_table,)), ("durations", (self.figures_table,))]
        return drawn


def readable_plan(project: Project) -> Plan | None:
    """The project's plan, or ``None`` when it has none or it cannot be read (the page
    says why)."""
    from workbench.errors import WorkbenchError

    try:
        return project.plan()
    except WorkbenchError:
        return None  # the page says why


def _ladder(project: Project, store: Store) -> pd.DataFrame | None:
    from workbench.findings.optimize import latest_optimization

    optimization = latest_optimization(project, store)[1]
    if optimization is None:
        return None
    from workbench.findings.ladder import ladder_frame

    ladder = ladder_frame(optimization)
    return ladder if len(ladder) > 1 else None


def compare_data(project: Project, store: Store, key: FiguresKey, plan: Plan | None) -> CompareData:
    """What the Compare page shows for a project whose figures ``key`` names, with its
    plan (``None``: it has none, or it cannot be read)."""
    from workbench import compare

    figures = figures_of(key)
    tasks, targets = compare.plan_vs_measured(plan, figures) if plan is not None else ([], [])
    return CompareData(
        figures=figures,
        components=compare.components_frame(figures),
        savings=compare.savings_frame(figures),
        waterfall=compare.waterfall_frame(figures),
        ladder=_ladder(project, store),
        history=size_history(key),
        plan=plan,
        tasks=tasks,
        targets=targets,
        plan_chart=compare.plan_frame(tasks) if plan is not None else None,
        figures_table=compare.figures_frame(figures),
    )


_lock = threading.Lock()
_prepared: set[FiguresKey] = set()


def _prepare(key: FiguresKey) -> None:
    with contextlib.suppress(Exception):  # the page, when visited, says what went wrong
        project = load_project(key.project)
        store = Store(Path(key.store))
        data = compare_data(project, store, key, readable_plan(project))
        if len(data.figures) >= 2:
            for name, args in data.charts():
                chart_spec(name, *args)


def prepare_in_background(project: Project | None, store: Store | None = None) -> None:
    """Build the Compare page's charts for ``project`` on a thread, once per figures key
    (a build, an analysis, a push or a smoke test makes a new one)."""
    if project is None:
        return
    try:
        key = figures_key(project, store)
    except Exception:  # noqa: BLE001 - an unreadable store: the pages say so
        return
    with _lock:
        if key in _prepared:
            return
        _prepared.add(key)
        if len(_prepared) > 64:
            _prepared.clear()
            _prepared.add(key)
    threading.Thread(
        target=_prepare, args=(key,), name="workbench-compare-charts", daemon=True
    ).start()

"""Cached read models of what the pages show: figures, stored images, chart specs.

Each is kept with ``st.cache_data`` under a key made of what it is read from: a stamp of
the store rows (:mod:`workbench.compare.stamps`: build ids, analysis times, push and
smoke ids) or the frame a chart draws.  A rerun, another page or another tab reuses it
until a build, an analysis, a push or a smoke test changes those rows.

Charts are cached as Vega-Lite specs and drawn with ``st.vega_lite_chart``: a cached
chart costs no Altair at all (building and validating one takes 20–100 ms, importing
Altair a second or more), so :data:`CHARTS` names each chart's function instead of
importing it.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import streamlit as st

from workbench.compare.stamps import Stamp, analyses_stamp, figures_stamp, history_stamp
from workbench.project import Project, load_project
from workbench.store import Store

if TYPE_CHECKING:
    import pandas as pd
    from streamlit.delta_generator import DeltaGenerator

    from workbench.compare import VariantFigures
    from workbench.compare.history import HistoryRow

# Each chart a page draws: the module and function that make it from its data.
CHARTS: dict[str, str] = {
    "components": "workbench.compare.charts:components_chart",
    "savings": "workbench.compare.charts:savings_chart",
    "waterfall": "workbench.compare.charts:waterfall_chart",
    "plan": "workbench.compare.charts:plan_chart",
    "before_after": "workbench.compare.charts:before_after_chart",
    "compressed": "workbench.compare.charts:compressed_chart",
    "durations": "workbench.compare.charts:durations_chart",
    "layers": "workbench.compare.charts:layers_chart",
    "component_bars": "workbench.compare.charts:component_bars",
    "component_delta": "workbench.compare.diff_charts:component_delta_chart",
    "size_history": "workbench.compare.diff_charts:size_history_chart",
    "ladder": "workbench.findings.ladder:ladder_chart",
}


class FiguresKey(NamedTuple):
    """What a project's figures are read from: the store, the project, the rows' stamp."""

    store: str
    project: str
    stamp: Stamp


def figures_key(project: Project, store: Store | None = None) -> FiguresKey:
    """The key of a project's figures now (one quick query)."""
    store = store or Store()
    return FiguresKey(str(store.path), str(project.path), figures_stamp(store, project.key))


@st.cache_data(max_entries=32, show_spinner=False)
def figures_of(key: FiguresKey) -> list[VariantFigures]:
    """The figures a key names (:func:`workbench.compare.figures.project_figures`)."""
    from workbench.compare.figures import project_figures

    return project_figures(load_project(key.project), Store(Path(key.store)))


def project_figures(project: Project, store: Store | None = None) -> list[VariantFigures]:
    """Per variant, its newest analysed image's figures, read again only when they change."""
    return figures_of(figures_key(project, store))


@st.cache_data(max_entries=32, show_spinner=False)
def _newest(key: FiguresKey) -> dict[str, tuple[str, str]]:
    latest = Store(Path(key.store)).latest_images(load_project(key.project).key)
    return {variant: (b.tag, b.image_id) for variant, b in latest.items() if b.image_id}


def newest_images(project: Project, store: Store | None = None) -> dict[str, tuple[str, str]]:
    """Per variant, the tag and image of its newest succeeded build (read again when a
    build succeeds)."""
    return _newest(figures_key(project, store))


@st.cache_data(max_entries=16, show_spinner=False)
def size_history(key: FiguresKey) -> pd.DataFrame:
    """Every succeeded build of the project with its image's size, oldest first
    (:func:`workbench.compare.figures.size_history_frame`), read again when they change."""
    from workbench.compare.figures import size_history_frame

    return size_history_frame(load_project(key.project), Store(Path(key.store)))


@st.cache_data(max_entries=16, show_spinner=False)
def _history(store: str, project_key: str, stamp: Stamp) -> list[HistoryRow]:
    from workbench.compare.history import build_history

    return build_history(Store(Path(store)), project_key)


def build_history(project: Project, store: Store | None = None) -> list[HistoryRow]:
    """The project's builds, newest first, with each image's size, saving against the
    baseline and smoke test (read again when a build, a smoke test or an analysis moves)."""
    store = store or Store()
    return _history(str(store.path), project.key, history_stamp(store, project.key))


@st.cache_data(max_entries=32, show_spinner=False)
def _stored_analyses(store: str, stamp: Stamp, limit: int) -> list[tuple[str, tuple[str, ...]]]:
    from workbench.analysis.model import SCHEMA_VERSION

    analyses = Store(Path(store)).all_analyses(limit=limit, schema=SCHEMA_VERSION)
    return [(data["image_id"], tuple(data.get("tags") or ())) for data in analyses]


def stored_images(
    limit: int = 100, store: Store | None = None
) -> list[tuple[str, tuple[str, ...]]]:
    """The images with a stored analysis, newest first: (image id, tags); read again only
    when an analysis is added or replaced (the analyses themselves are not kept)."""
    store = store or Store()
    return _stored_analyses(str(store.path), analyses_stamp(store), limit)


@st.cache_data(max_entries=256, show_spinner=False)
def chart_spec(name: str, *data: Any) -> dict[str, Any]:
    """The Vega-Lite spec of the chart :data:`CHARTS` names, drawn from ``data``.

    Not validated against the Vega-Lite schema here (half the cost of a spec): the unit
    tests validate every chart function's output."""
    module, function = CHARTS[name].split(":")
    return getattr(importlib.import_module(module), function)(*data).to_dict(validate=False)


def show_chart(name: str, *data: Any, where: DeltaGenerator | None = None) -> None:
    """Draw a chart of :data:`CHARTS` from its data, as wide as its container; its
    description, else its title, is its accessible name."""
    spec = chart_spec(name, *data)
    title = spec.get("title")
    alt = None if "description" in spec else title.get("text") if isinstance(title, dict) else title
    (where or st).vega_lite_chart(
        spec, theme="streamlit", width="stretch", alt=str(alt) if alt else None
    )

"""The Report page's helpers: the report's figures at once, its charts drawn in the background.

Drawing a report's charts as SVG and PNG (vl-convert) takes a second or more, so the page
shows the report's figures straight away (cached under the figures' stamp), the HTML with
its charts (the preview) is drawn on a lane of the process's jobs, and a download makes
its file when it is clicked, from what was drawn already if it was.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import streamlit as st

from ui.figures import FiguresKey, figures_of
from workbench.jobs import FAILED, Job, process_jobs
from workbench.project import load_project
from workbench.report import Report, build_report, report_from_figures, report_html, report_zip
from workbench.store import Store

REPORT = "report"  # the jobs' kind, on its own lane (jobs.py gives an unknown kind one)
KEPT = 8  # drawn reports kept in the process, newest last


class Drawn:
    """Reports drawn with their charts, by the key of the figures they were drawn from."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._drawn: OrderedDict[FiguresKey, tuple[Report, str]] = OrderedDict()

    def get(self, key: FiguresKey) -> tuple[Report, str] | None:
        with self._lock:
            return self._drawn.get(key)

    def put(self, key: FiguresKey, drawn: tuple[Report, str]) -> None:
        with self._lock:
            self._drawn[key] = drawn
            while len(self._drawn) > KEPT:
                self._drawn.popitem(last=False)


@st.cache_resource(show_spinner=False)
def _drawn() -> Drawn:
    return Drawn()


def _draw(key: FiguresKey) -> tuple[Report, str]:
    """The report with its charts, and its HTML, read from the store (any thread)."""
    report = build_report(load_project(key.project), Store(Path(key.store)))
    return report, report_html(report)


@st.cache_data(max_entries=16, show_spinner=False)
def summary(key: FiguresKey) -> Report:
    """The report's figures without its charts (quick), read again when they change.

    Raises:
        WorkbenchError: the baseline and a variant are not both analysed, or the plan is
            malformed (the page says so).
    """
    project = load_project(key.project)
    return report_from_figures(
        figures_of(key),
        project_name=project.path.name,
        project_path=str(project.path),
        plan=project.plan(),
        with_charts=False,
    )


def drawn_now(key: FiguresKey) -> tuple[Report, str]:
    """The drawn report, drawing it here when the background has not yet (a download)."""
    drawn = _drawn()
    found = drawn.get(key)
    if found is None:
        found = _draw(key)
        drawn.put(key, found)
    return found


def html_file(key: FiguresKey) -> str:
    """The HTML report (for a download button: called when it is clicked)."""
    return drawn_now(key)[1]


def zip_file(key: FiguresKey) -> bytes:
    """Every file of the report in a zip (for a download button: called when clicked)."""
    return report_zip(drawn_now(key)[0])


def _start(key: FiguresKey) -> Job:
    drawn = _drawn()
    return process_jobs().submit(
        REPORT, key, lambda: drawn.put(key, _draw(key)), label=Path(key.project).name
    )


def preview(key: FiguresKey, height: int = 900) -> None:
    """The HTML report in a frame; while its charts are drawn, that it is being drawn."""
    found = _drawn().get(key)
    if found is not None:
        st.iframe(found[1], height=height)
        return
    # one drawing per figures' key: a new build or analysis makes a new key (and a retry)
    job = process_jobs().job(REPORT, key)
    if job is not None and job.state == FAILED:
        st.error(f"The report's charts could not be drawn: {job.error}")
        return

    @st.fragment(run_every=0.5)
    def _drawing() -> None:
        current = process_jobs().job(REPORT, key)
        if current is None and st.session_state.get("report_asked") == key:
            _start(key)  # its second run: the page has shown (vl-convert holds the GIL)
        elif current is not None and current.finished:
            st.rerun(scope="app")
        st.session_state["report_asked"] = key
        st.status("Drawing the report's charts (SVG) for the preview…", state="running")

    st.session_state.pop("report_asked", None)
    _drawing()

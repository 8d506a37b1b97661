"""Report: one click exports the stakeholder report (the HTML alone, or everything as a zip)."""

from __future__ import annotations

import streamlit as st

from ui.state import require_project
from workbench.errors import WorkbenchError
from workbench.project import load_project
from workbench.report import Report, build_report, report_html, report_zip
from workbench.store import Store
from workbench.units import UNITS_NOTE, human_bytes


@st.cache_data(ttl=30, max_entries=4, show_spinner="Drawing the report's charts…")
def _report(path: str, stamp: tuple) -> Report:
    return build_report(load_project(path))


@st.cache_data(ttl=30, max_entries=4, show_spinner=False)
def _html(path: str, stamp: tuple) -> str:
    return report_html(_report(path, stamp))


st.title("Report")
st.caption(
    "The Compare page's figures as a report to send around: an HTML file that opens "
    f"offline, or everything in a zip (HTML, Markdown, CSV, JSON, a PNG per chart). {UNITS_NOTE}"
)
project = require_project()

# The newest image per variant: a new build or analysis makes a new report.
stamp = tuple(
    sorted((v, b.id, b.image_id or "") for v, b in Store().latest_images(project.key).items())
)
try:
    report = _report(str(project.path), stamp)
except WorkbenchError as exc:
    st.error(str(exc))
    st.stop()

h = report.headline
st.markdown(
    f"**{h.baseline}** {human_bytes(h.baseline_bytes)} → **{h.best}** "
    f"{human_bytes(h.best_bytes)}: saves **{human_bytes(h.saved_bytes)}** "
    f"({h.saved_pct:.1f} %)."
)
html = _html(str(project.path), stamp)
left, right = st.columns(2)
left.download_button(
    "Download the HTML report",
    data=html,
    file_name=f"{project.name}-report.html",
    mime="text/html",
    icon=":material/download:",
    type="primary",
    key="report_download_html",
    on_click="ignore",
    width="stretch",
)
right.download_button(
    "Download everything (zip)",
    data=lambda: report_zip(report),
    file_name=f"{project.name}-report.zip",
    mime="application/zip",
    icon=":material/folder_zip:",
    key="report_download_zip",
    on_click="ignore",
    width="stretch",
)
st.caption(
    f"Generated {report.date}. The same from a terminal: "
    f"`workbench report {project.path} --out DIR`."
)
st.subheader("Preview")
st.iframe(html, height=900)

"""Report: one click exports the stakeholder report (the HTML alone, or everything as a zip)."""

from __future__ import annotations

import streamlit as st

from ui.figures import figures_key
from ui.report import html_file, preview, summary, zip_file
from ui.state import require_project
from workbench.errors import WorkbenchError
from workbench.units import UNITS_NOTE, human_bytes

st.title("Report")
st.caption(
    "The Compare page's figures as a report to send around: an HTML file that opens "
    f"offline, or everything in a zip (HTML, Markdown, CSV, JSON, a PNG per chart). {UNITS_NOTE}"
)
project = require_project()

# The newest image per variant, its analysis, push and smoke test: a change makes a new report.
key = figures_key(project)
try:
    report = summary(key)
except WorkbenchError as exc:
    st.error(str(exc))
    st.stop()

h = report.headline
st.markdown(
    f"**{h.baseline}** {human_bytes(h.baseline_bytes)} → **{h.best}** "
    f"{human_bytes(h.best_bytes)}: saves **{human_bytes(h.saved_bytes)}** "
    f"({h.saved_pct:.1f} %)."
)
left, right = st.columns(2)
left.download_button(
    "Download the HTML report",
    data=lambda: html_file(key),
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
    data=lambda: zip_file(key),
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
preview(key)

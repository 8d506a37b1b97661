"""The workbench app: navigation, and the sidebar every page shares (project, engine)."""

from __future__ import annotations

import contextlib

import streamlit as st

from ui.compare_data import prepare_in_background
from ui.stakeholder import STAKEHOLDER_VIEW, apply_large_type, stakeholder_mode
from ui.state import current_project, engine_status
from ui.warm import warm_up
from workbench.build.service import build_service
from workbench.errors import WorkbenchError
from workbench.home import SAMPLE_PROJECT
from workbench.project import load_project
from workbench.project.recent import recent_projects, remember_project

st.set_page_config(
    page_title="Image workbench", page_icon=":material/deployed_code:", layout="wide"
)
warm_up()  # once per process: the pages' heavy modules load in the background
st.session_state.setdefault("project_path", str(SAMPLE_PROJECT))
# The process's build worker; starting it marks builds a dead process left running as
# interrupted, so after a restart the history says so.  A store error shows on the pages.
with contextlib.suppress(WorkbenchError):
    build_service()

# A link with ?view=stakeholder opens in stakeholder mode; the address bar says the mode
if "stakeholder_mode" not in st.session_state:
    st.session_state["stakeholder_mode"] = st.query_params.get("view") == STAKEHOLDER_VIEW
OVERVIEW = st.Page("app_pages/overview.py", title="Overview", icon=":material/home:", default=True)
COMPARE = st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:")
ENGINEER_PAGES = [
    OVERVIEW,
    st.Page("app_pages/variants.py", title="Variants", icon=":material/difference:"),
    st.Page("app_pages/builds.py", title="Builds", icon=":material/construction:"),
    st.Page("app_pages/breakdown.py", title="Breakdown", icon=":material/stacked_bar_chart:"),
    st.Page("app_pages/dependencies.py", title="Dependencies", icon=":material/inventory_2:"),
    COMPARE,
    st.Page("app_pages/diff.py", title="Diff", icon=":material/compare:"),
    st.Page("app_pages/report.py", title="Report", icon=":material/description:"),
]
STAKEHOLDER_PAGES = [OVERVIEW, COMPARE]


def _open_project(folder: str) -> None:
    """Make a folder the current project, or say why it cannot be."""
    try:
        project = load_project(folder)
    except WorkbenchError as exc:
        st.session_state["sidebar_error"] = str(exc)
        return
    st.session_state.pop("sidebar_error", None)
    st.session_state["project_path"] = str(project.path)
    st.session_state["sidebar_recent"] = str(project.path)
    if project.path != SAMPLE_PROJECT:
        remember_project(project.path)


def _on_pick() -> None:
    _open_project(st.session_state["sidebar_recent"])


def _on_type() -> None:
    folder = st.session_state["sidebar_folder"].strip()
    if folder:
        _open_project(folder)


with st.sidebar:
    st.toggle(
        "Stakeholder mode",
        key="stakeholder_mode",
        help="Only the headline figures, Compare and plan vs measured, in large type. "
        "The address then ends in ?view=stakeholder: a link to share.",
    )
    if stakeholder_mode():
        st.query_params["view"] = STAKEHOLDER_VIEW
    elif st.query_params.get("view") == STAKEHOLDER_VIEW:
        del st.query_params["view"]
    st.subheader("Project")
    current = st.session_state["project_path"]
    choices = list(dict.fromkeys([current, str(SAMPLE_PROJECT), *recent_projects()]))
    if st.session_state.get("sidebar_recent") not in choices:
        st.session_state["sidebar_recent"] = current
    st.selectbox(
        "Project",
        choices,
        key="sidebar_recent",
        on_change=_on_pick,
        help="The bundled sample and the folders you opened before.",
    )
    st.text_input(
        "Open a folder",
        key="sidebar_folder",
        on_change=_on_type,
        placeholder="/path/to/project (holds a Dockerfile)",
    )
    if error := st.session_state.get("sidebar_error"):
        st.error(error)
    st.caption(f"`{current}`")

    st.subheader("Engine")
    status = engine_status()
    if status.reachable:
        st.success(
            f"Docker {status.version} · {status.storage_driver}", icon=":material/check_circle:"
        )
    else:
        st.error("No engine answers. Run `workbench engine ensure` (as root) or set DOCKER_HOST.")

apply_large_type()
try:
    st.navigation(STAKEHOLDER_PAGES if stakeholder_mode() else ENGINEER_PAGES).run()
finally:  # after the page's run (st.stop too): Compare's charts, ahead of a visit
    prepare_in_background(current_project())

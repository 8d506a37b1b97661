"""The workbench app: navigation, and the sidebar every page shares (project, engine)."""

from __future__ import annotations

import streamlit as st

from ui.state import engine_status
from workbench.errors import WorkbenchError
from workbench.home import SAMPLE_PROJECT
from workbench.project import load_project
from workbench.recent import recent_projects, remember_project

st.set_page_config(
    page_title="Image workbench", page_icon=":material/deployed_code:", layout="wide"
)
st.session_state.setdefault("project_path", str(SAMPLE_PROJECT))

pages = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/home:", default=True),
]

with st.sidebar:
    st.subheader("Project")
    choices = list(dict.fromkeys([str(SAMPLE_PROJECT), *recent_projects()]))
    picked = st.selectbox(
        "Recent projects",
        choices,
        index=choices.index(st.session_state["project_path"])
        if st.session_state["project_path"] in choices
        else 0,
        key="sidebar_recent",
        help="The bundled sample comes first; folders you opened follow.",
    )
    typed = st.text_input(
        "Or a project folder",
        value="",
        key="sidebar_folder",
        placeholder="/path/to/project (holds a Dockerfile)",
    )
    wanted = typed.strip() or picked
    try:
        project = load_project(wanted)
    except WorkbenchError as exc:
        st.error(str(exc))
    else:
        if str(project.path) != st.session_state["project_path"]:
            st.session_state["project_path"] = str(project.path)
            if project.path != SAMPLE_PROJECT:
                remember_project(project.path)
        st.caption(f"`{project.path}`")

    st.subheader("Engine")
    status = engine_status()
    if status.reachable:
        st.success(
            f"Docker {status.version} · {status.storage_driver}", icon=":material/check_circle:"
        )
    else:
        st.error("No engine answers. Run `workbench engine ensure` (as root) or set DOCKER_HOST.")

st.navigation(pages).run()

"""Cached read models and shared widgets for the pages."""

from __future__ import annotations

import docker
import streamlit as st

from workbench import engine
from workbench.engine import EngineStatus
from workbench.errors import WorkbenchError
from workbench.project import Project, load_project


@st.cache_data(ttl=5, max_entries=4, show_spinner=False)
def _engine_status(host: str) -> EngineStatus:
    return engine.status()


def engine_status() -> EngineStatus:
    """The engine's status, re-asked at most every 5 s per host; never raises."""
    return _engine_status(engine.engine_host())


@st.cache_resource(show_spinner=False)
def engine_client() -> docker.DockerClient:
    """One client per process; raises EngineUnavailable when no engine answers."""
    return engine.connect()


def current_project() -> Project | None:
    """The project picked in the sidebar, or None (the sidebar shows why)."""
    try:
        return load_project(st.session_state.get("project_path", ""))
    except WorkbenchError:
        return None


def engine_banner(status: EngineStatus) -> None:
    """A banner saying what to do when no engine answers."""
    if not status.reachable:
        st.error(
            f"{status.error}  \nStored history and analyses stay visible; building and "
            "analysing need the engine.",
            icon=":material/error:",
        )

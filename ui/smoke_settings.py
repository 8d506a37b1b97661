"""The Builds page's smoke settings: the plan's ``[smoke]`` table, edited and saved per
project under the workbench home (never in the user's files)."""

from __future__ import annotations

import shlex

import streamlit as st

from workbench.errors import WorkbenchError
from workbench.project import Project, SmokeSettings
from workbench.project.smoke import forget_smoke_settings, load_smoke_settings, save_smoke_settings

SOURCES = {
    "saved": "your saved settings (in the workbench home)",
    "plan": "the project's plan.toml",
    "defaults": "the defaults (the project has no plan.toml)",
}


def has_smoke_settings(project: Project) -> bool:
    """Whether the project says how to smoke-test its images (a plan, or saved settings)."""
    try:
        return load_smoke_settings(project)[1] != "defaults"
    except WorkbenchError:
        return False


def _words(text: str) -> tuple[str, ...] | None:
    """Shell words of a field; ``None`` when it is empty."""
    return tuple(shlex.split(text)) if text.strip() else None


def _env(text: str) -> dict[str, str]:
    """``KEY=VALUE`` lines (blank lines and ``#`` comments skipped).

    Raises:
        ValueError: a line without ``=``, naming it.
    """
    env = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"environment line {number} is not KEY=VALUE")  # no value echoed
        env[key.strip()] = value
    return env


def _edited(key: str) -> SmokeSettings:
    """The settings as the form holds them.

    Raises:
        ValueError: a field is malformed, naming it.
    """
    state = st.session_state
    port, status = state[f"{key}_port"].strip(), state[f"{key}_status"].strip()
    for name, value in (("port", port), ("status", status)):
        if value and not value.isdigit():
            raise ValueError(f"{name} must be a whole number, not {value!r}")
    return SmokeSettings(
        path=state[f"{key}_path"].strip() or "/health",
        port=int(port) if port else None,
        status=int(status) if status else None,
        timeout_s=float(state[f"{key}_timeout"]),
        env=_env(state[f"{key}_env"]),
        env_file=state[f"{key}_env_file"].strip() or None,
        command=_words(state[f"{key}_command"]),
        entrypoint=_words(state[f"{key}_entrypoint"]),
        check=_words(state[f"{key}_check"]) or (),
    )


def _fields(key: str, settings: SmokeSettings) -> None:
    """The form's widgets, filled with the settings in force."""
    left, middle, right = st.columns(3)
    left.text_input("Port", str(settings.port or ""), key=f"{key}_port", help="Empty: exposed.")
    middle.text_input("Path", settings.path, key=f"{key}_path")
    right.text_input(
        "Expected status", str(settings.status or ""), key=f"{key}_status", help="Empty: 2xx/3xx."
    )
    st.number_input("Timeout (s)", 1.0, 3600.0, float(settings.timeout_s), key=f"{key}_timeout")
    st.text_area(
        "Environment (KEY=VALUE per line)",
        "\n".join(f"{k}={v}" for k, v in settings.env.items()),
        key=f"{key}_env",
        help="Given to the container; the values are never shown in logs, results or reports.",
    )
    st.text_input(
        "Env file (relative to the project)", settings.env_file or "", key=f"{key}_env_file"
    )
    words = shlex.join
    st.text_input("Command (replaces CMD)", words(settings.command or ()), key=f"{key}_command")
    st.text_input(
        "Entrypoint (replaces ENTRYPOINT)",
        words(settings.entrypoint or ()),
        key=f"{key}_entrypoint",
    )
    st.text_input(
        "Check inside the container (instead of the HTTP probe)",
        words(settings.check),
        key=f"{key}_check",
    )


def smoke_settings_editor(project: Project) -> None:
    """Edit the project's smoke settings; saved under the workbench home, per project."""
    key = f"builds_smoke_settings_{project.key}"
    try:
        settings, source = load_smoke_settings(project)
    except WorkbenchError as exc:
        st.error(str(exc))
        return
    st.caption(f"In force: {SOURCES[source]}.")
    with st.form(key):
        _fields(key, settings)
        save = st.form_submit_button("Save")
    if save:
        try:
            where = save_smoke_settings(project, _edited(key))
        except (ValueError, WorkbenchError) as exc:
            st.error(str(exc))
        else:
            st.success(f"Saved in {where}.")
    if source == "saved" and st.button("Back to the plan's settings", key=f"{key}_forget"):
        forget_smoke_settings(project)
        st.rerun()

"""A project's smoke settings: its plan's ``[smoke]`` table, with overrides saved on top.

Overrides are the user's, kept under the workbench home and never in the project's
folder: ``WORKBENCH_HOME/projects/<project key>/smoke.toml``, written atomically with
mode 0600 (its ``env`` values are often secrets). The file holds the settings that
differ from the plan's when they were saved: a ``[smoke]`` table with the keys the plan
has otherwise, and ``unset``, the keys set back to "not set" (``port = None`` where the
plan names a port). Keys it does not hold keep following the plan, and loading it back
on the same plan gives exactly the settings saved.

:func:`read_env_file` reads an ``env_file`` (``KEY=VALUE`` lines, as ``docker run
--env-file`` reads them: ``#`` comments and blank lines skipped, values taken as they
are) on the workbench's side.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import tomllib
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from workbench.errors import PlanError, ProjectError, SmokeError
from workbench.home import workbench_home
from workbench.project.folder import Project
from workbench.project.plan import SmokeSettings, parse_smoke

SMOKE_FILE = "smoke.toml"
UNSETTABLE = ("port", "status", "env_file", "command", "entrypoint")


def smoke_settings_path(project: Project) -> Path:
    """Where a project's saved smoke settings live, under the workbench home."""
    return workbench_home() / "projects" / project.key / SMOKE_FILE


def plan_smoke_settings(project: Project) -> tuple[SmokeSettings, str]:
    """The plan's ``[smoke]`` settings and ``"plan"``; the defaults and ``"defaults"``
    when the project has no plan.

    Raises:
        PlanError: the plan is malformed.
    """
    plan = project.plan()
    return (plan.smoke, "plan") if plan is not None else (SmokeSettings(), "defaults")


def load_smoke_settings(project: Project) -> tuple[SmokeSettings, str]:
    """A project's smoke settings: the plan's, with the saved overrides on top.

    Returns:
        The settings and where they came from: ``"saved"`` when overrides are saved,
        else ``"plan"`` or ``"defaults"``.

    Raises:
        PlanError: the plan or the saved file is malformed (one line naming the key).
    """
    base, source = plan_smoke_settings(project)
    path = smoke_settings_path(project)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return base, source
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"cannot read the saved smoke settings {path}: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(
            f"{path} is not valid TOML: {exc}; fix it or forget the saved smoke settings"
        ) from exc
    return _overlay(base, data, str(path)), "saved"


def _overlay(base: SmokeSettings, data: dict[str, Any], source: str) -> SmokeSettings:
    """The saved document's keys on top of ``base``.

    Raises:
        PlanError: naming the first key that is unknown or wrong.
    """
    for key in data:
        if key not in ("smoke", "unset"):
            raise PlanError(f"{source}: `{key}` is not expected; only [smoke] and unset are")
    unset = data.get("unset", [])
    if not isinstance(unset, list) or any(key not in UNSETTABLE for key in unset):
        raise PlanError(f"{source}: unset: expected a list of keys among {', '.join(UNSETTABLE)}")
    table = data.get("smoke", {})
    settings = parse_smoke(table, f"{source}: smoke", base)
    for key in unset:
        if key in table:
            raise PlanError(f"{source}: smoke.{key} is both set and in unset; keep one")
    return replace(settings, **dict.fromkeys(unset))


def _document(base: SmokeSettings, settings: SmokeSettings) -> dict[str, Any]:
    """What the saved file holds: the settings that differ from ``base``."""
    table: dict[str, Any] = {}
    unset = []
    for field in fields(SmokeSettings):
        value = getattr(settings, field.name)
        if value == getattr(base, field.name):
            continue
        if value is None:
            unset.append(field.name)
        elif isinstance(value, tuple):
            table[field.name] = list(value)
        elif field.name == "env":
            table[field.name] = dict(value)
        else:
            table[field.name] = value
    return {**({"unset": unset} if unset else {}), "smoke": table}


def save_smoke_settings(project: Project, settings: SmokeSettings) -> Path:
    """Save a project's smoke settings (atomically, mode 0600) and return where they went.

    :func:`load_smoke_settings` gives them back exactly, as long as the plan keeps the
    keys they do not change.

    Raises:
        PlanError: a setting is invalid (named, as a plan's would be).
        ProjectError: the workbench home lies inside the project's folder.
    """
    import tomlkit

    path = smoke_settings_path(project)
    if path.resolve().is_relative_to(project.path.resolve()):
        raise ProjectError(
            f"the workbench home {workbench_home()} is inside the project {project.path}; "
            "set WORKBENCH_HOME to a folder outside it to save smoke settings"
        )
    base, _ = plan_smoke_settings(project)
    body = tomlkit.dumps(_document(base, settings))
    if _overlay(base, tomllib.loads(body), "smoke settings") != settings:  # names a bad key
        raise PlanError("these smoke settings do not survive a save as TOML; check their values")
    text = (
        f"# Smoke settings of {project.path}, saved by the workbench on top of the\n"
        "# plan's [smoke]; delete this file to forget them.\n" + body
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, scratch = tempfile.mkstemp(dir=path.parent, prefix=".smoke-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:  # mkstemp makes it 0600
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(scratch, 0o600)
        os.replace(scratch, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(scratch)
        raise
    return path


def forget_smoke_settings(project: Project) -> bool:
    """Delete a project's saved smoke settings; return whether there were some."""
    path = smoke_settings_path(project)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def env_file_path(env_file: str, folder: Path | None) -> Path:
    """An ``env_file`` setting as a path: relative ones are relative to ``folder``."""
    path = Path(env_file).expanduser()
    return path if path.is_absolute() or folder is None else folder / path


def read_env_file(path: Path) -> dict[str, str]:
    """The variables of an env file: ``KEY=VALUE`` lines, ``#`` comments, blank lines.

    Values are taken as they are (no quotes removed), as ``docker run --env-file``
    takes them; messages name the file and the line, never a value.

    Raises:
        SmokeError: the file is missing or unreadable, or a line is not ``KEY=VALUE``.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SmokeError(f"no env file {path}; create it or fix the env_file setting") from exc
    except UnicodeDecodeError as exc:
        raise SmokeError(f"the env file {path} is not UTF-8 text") from exc
    except OSError as exc:
        raise SmokeError(f"cannot read the env file {path}: {exc.strerror or exc}") from exc
    env = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.lstrip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key or any(char.isspace() for char in key) or "\0" in line:
            raise SmokeError(f"{path} line {number}: expected KEY=VALUE (a name without spaces)")
        env[key] = value
    return env

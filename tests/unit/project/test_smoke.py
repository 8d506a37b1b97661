"""A project's smoke settings: the plan's, the overrides saved under the home, env files."""

from __future__ import annotations

import stat
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_PROJECT, TINY_PROJECT
from workbench.errors import PlanError, ProjectError, SmokeError
from workbench.project.folder import Project, load_project
from workbench.project.plan import SmokeSettings
from workbench.project.smoke import (
    env_file_path,
    forget_smoke_settings,
    load_smoke_settings,
    read_env_file,
    save_smoke_settings,
    smoke_settings_path,
)

TINY_PLAN = SmokeSettings(path="/health", port=8000, timeout_s=30.0)


def _files(folder: Path) -> dict[str, float]:
    return {str(p.relative_to(folder)): p.stat().st_mtime for p in sorted(folder.rglob("*"))}


def _project(tmp_path: Path, plan: str | None = None) -> Project:
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "Dockerfile").write_text("FROM scratch\n")
    if plan is not None:
        (folder / "plan.toml").write_text(plan)
    return load_project(folder)


def test_the_settings_come_from_the_plan_else_the_defaults(tmp_path: Path) -> None:
    assert load_smoke_settings(load_project(TINY_PROJECT)) == (TINY_PLAN, "plan")
    assert load_smoke_settings(load_project(SAMPLE_PROJECT))[0].port == 8080
    assert load_smoke_settings(_project(tmp_path)) == (SmokeSettings(), "defaults")


def test_saved_settings_round_trip_exactly(workbench_home: Path) -> None:
    project = load_project(TINY_PROJECT)
    before = _files(TINY_PROJECT)
    settings = SmokeSettings(
        path="/ready",
        port=None,  # the plan names 8000: saved as "unset"
        status=418,
        timeout_s=2.5,
        env={"TOKEN": 's3"cr\\et\nline two \x7f é 😀', "EMPTY": "", "dotted.name": "="},
        env_file="smoke.env",
        command=("python", "-m", "http.server", "8000"),
        entrypoint=(),
        check=("sh", "-c", "test -f /app/ok"),
    )
    path = save_smoke_settings(project, settings)
    assert path == workbench_home / "projects" / project.key / "smoke.toml"
    assert path == smoke_settings_path(project)
    assert load_smoke_settings(project) == (settings, "saved")
    assert _files(TINY_PROJECT) == before  # never written into the project
    assert list(path.parent.glob("*.tmp")) == []
    assert 'unset = ["port"]' in path.read_text()


def test_the_saved_file_is_private(tmp_path: Path) -> None:
    project = _project(tmp_path)
    path = save_smoke_settings(project, SmokeSettings(env={"TOKEN": "secret"}))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path = save_smoke_settings(project, SmokeSettings(env={"TOKEN": "other"}))  # replaced
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_smoke_settings(project)[0].env == {"TOKEN": "other"}


def test_saved_keys_sit_on_top_of_the_plan(tmp_path: Path) -> None:
    project = _project(tmp_path, "[smoke]\nport = 8000\ntimeout_s = 30\n")
    save_smoke_settings(project, SmokeSettings(port=8000, timeout_s=30.0, status=404))
    (project.path / "plan.toml").write_text("[smoke]\nport = 9000\ntimeout_s = 30\n")
    # the port was not changed by the saved settings, so it follows the plan
    assert load_smoke_settings(project) == (
        SmokeSettings(port=9000, timeout_s=30.0, status=404),
        "saved",
    )


def test_saving_the_plans_own_settings_still_says_saved(tmp_path: Path) -> None:
    project = _project(tmp_path, "[smoke]\nport = 8000\n")
    plan_settings, source = load_smoke_settings(project)
    assert source == "plan"
    save_smoke_settings(project, plan_settings)
    assert load_smoke_settings(project) == (plan_settings, "saved")


def test_forget_goes_back_to_the_plan() -> None:
    project = load_project(TINY_PROJECT)
    assert forget_smoke_settings(project) is False
    save_smoke_settings(project, replace(TINY_PLAN, status=200))
    assert load_smoke_settings(project)[1] == "saved"
    assert forget_smoke_settings(project) is True
    assert load_smoke_settings(project) == (TINY_PLAN, "plan")
    assert not smoke_settings_path(project).exists()


def test_invalid_settings_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    project = _project(tmp_path)
    with pytest.raises(PlanError, match=r"smoke settings: smoke.status: expected an HTTP status"):
        save_smoke_settings(project, SmokeSettings(status=42))
    with pytest.raises(PlanError, match=r"smoke.env.PORT: expected a string"):
        save_smoke_settings(project, SmokeSettings(env={"PORT": 8000}))  # type: ignore[dict-item]
    assert not smoke_settings_path(project).exists()


def test_a_home_inside_the_project_is_refused(tmp_path: Path, monkeypatch) -> None:
    project = _project(tmp_path)
    monkeypatch.setenv("WORKBENCH_HOME", str(project.path / ".workbench"))
    with pytest.raises(ProjectError, match="is inside the project .*set WORKBENCH_HOME"):
        save_smoke_settings(project, SmokeSettings(env={"TOKEN": "secret"}))
    assert list(project.path.rglob("smoke.toml")) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[smoke\n", r"smoke.toml is not valid TOML: .*forget the saved smoke settings"),
        ("[smoke]\nport = 'x'\n", r"smoke.toml: smoke.port: expected a port number"),
        ("[smoke]\nwhat = 1\n", r"smoke.toml: smoke.what is not a smoke setting"),
        ("other = 1\n", r"smoke.toml: `other` is not expected"),
        ('unset = ["path"]\n', r"smoke.toml: unset: expected a list of keys among port,"),
        ('unset = ["port"]\n[smoke]\nport = 1\n', r"smoke.port is both set and in unset"),
    ],
)
def test_a_malformed_saved_file_is_one_line_naming_the_key(tmp_path: Path, text, message) -> None:
    project = _project(tmp_path)
    path = smoke_settings_path(project)
    path.parent.mkdir(parents=True)
    path.write_text(text)
    with pytest.raises(PlanError, match=message) as caught:
        load_smoke_settings(project)
    assert "\n" not in str(caught.value)


def test_an_env_file_is_key_value_lines(tmp_path: Path) -> None:
    env_file = tmp_path / "smoke.env"
    env_file.write_text(
        '# a comment\n\nTOKEN=s3cret=with=equals\n  SPACED=kept as is \nEMPTY=\nQUOTED="q"\r\n'
    )
    assert read_env_file(env_file) == {
        "TOKEN": "s3cret=with=equals",
        "SPACED": "kept as is ",
        "EMPTY": "",
        "QUOTED": '"q"',
    }


def test_a_bad_env_file_is_one_line_naming_the_file_never_a_value(tmp_path: Path) -> None:
    with pytest.raises(SmokeError, match=r"^no env file .*missing.env; create it"):
        read_env_file(tmp_path / "missing.env")
    bad = tmp_path / "bad.env"
    bad.write_text("GOOD=1\njust-a-secret-value\n")
    with pytest.raises(SmokeError, match=r"bad.env line 2: expected KEY=VALUE") as caught:
        read_env_file(bad)
    assert "just-a-secret-value" not in str(caught.value)
    bad.write_text("A KEY=1\n")
    with pytest.raises(SmokeError, match="line 1"):
        read_env_file(bad)
    bad.write_bytes(b"A=\xff\n")
    with pytest.raises(SmokeError, match="not UTF-8"):
        read_env_file(bad)


def test_an_env_file_setting_is_relative_to_the_project(tmp_path: Path) -> None:
    assert env_file_path("smoke.env", tmp_path) == tmp_path / "smoke.env"
    assert env_file_path("/etc/smoke.env", tmp_path) == Path("/etc/smoke.env")
    assert env_file_path("smoke.env", None) == Path("smoke.env")

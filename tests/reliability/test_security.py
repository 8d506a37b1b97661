"""Security: the app binds 127.0.0.1, README says what exposing it means, no credentials kept.

A build argument's secret value and a password in ``DOCKER_HOST`` must never reach
the store's files (database, WAL, shared memory), a written report, or a message.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.reliability import fakes
from tests.synthetic import fill_store
from workbench.project import load_project
from workbench.store import Store

BUILD_SECRET = "bUiLd-aRg-SeCrEt-0042"
HOST_PASSWORD = "h0st-PaSsWoRd-77"


def test_the_app_binds_loopback_only_and_headless() -> None:
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["headless"] is True
    assert config["browser"]["gatherUsageStats"] is False


def test_the_readme_says_what_exposing_the_app_means() -> None:
    readme = " ".join((REPO_ROOT / "README.md").read_text("utf-8").split())
    assert "binds to 127.0.0.1 only" in readme
    assert "access to a Docker engine is root on the engine's machine" in readme


def _files_hold(folder: Path, needle: str) -> list[str]:
    return [
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file() and needle.encode() in path.read_bytes()
    ]


def test_the_store_and_a_report_hold_no_credentials(
    faults, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    monkeypatch.setenv("DOCKER_HOST", f"tcp://alice:{HOST_PASSWORD}@127.0.0.1:9")
    fakes.install(monkeypatch, tmp_path)
    project_dir = fakes.make_project(tmp_path / "project")
    store = Store()
    service = fakes.service(store)
    faults.inject("a secret build argument and a DOCKER_HOST password, printed by the build")
    build = fakes.spec(project_dir, "secret", build_args={"API_TOKEN": BUILD_SECRET})
    (record,) = service.wait([service.submit(build)], timeout=60)
    assert record.status == "succeeded"
    assert "API_TOKEN=****" in record.log
    assert "talking to tcp://alice:****@127.0.0.1:9" in record.log
    fill_store(store, load_project(project_dir))

    out = tmp_path / "report"
    env = {**os.environ}
    done = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "report", str(project_dir), "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    status = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "engine", "status"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert status.returncode == 2 and "tcp://alice:***@127.0.0.1:9" in status.stderr
    assert sorted(p.name for p in out.iterdir())  # the report was written
    for secret in (BUILD_SECRET, HOST_PASSWORD):
        assert _files_hold(home, secret) == []
        assert _files_hold(out, secret) == []
        assert secret not in done.stdout + done.stderr + status.stdout + status.stderr


def test_no_shell_command_is_built_from_a_string() -> None:
    """Every subprocess gets an argument list: no ``shell=True``, ``os.system`` or ``popen``."""
    forbidden = ("shell=True", "os.system(", "os.popen(", "create_subprocess_shell(")
    sources = [
        *sorted((REPO_ROOT / "workbench").rglob("*.py")),
        *sorted((REPO_ROOT / "ui").rglob("*.py")),
        *sorted((REPO_ROOT / "app_pages").rglob("*.py")),
        REPO_ROOT / "streamlit_app.py",
    ]
    offenders = [
        f"{path.relative_to(REPO_ROOT)}: {needle}"
        for path in sources
        for needle in forbidden
        if needle in path.read_text("utf-8")
    ]
    assert len(sources) > 20 and offenders == []

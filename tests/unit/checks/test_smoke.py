"""Unit tests of the smoke test's pieces that need no engine: settings, results, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_PROJECT, TINY_PROJECT
from workbench.checks.smoke import (
    SmokeResult,
    _check_for,
    _exposed_ports,
    describe,
    latest_smoke,
    run_smoke,
    settings_for_image,
)
from workbench.errors import PlanError, SmokeError
from workbench.project import load_project
from workbench.project.plan import SmokeSettings
from workbench.project.smoke import save_smoke_settings
from workbench.store import Store


def test_settings_come_from_the_plan_of_the_project_an_image_names() -> None:
    settings, source = settings_for_image({"org.workbench.project-path": str(SAMPLE_PROJECT)})
    assert source == "plan"
    assert settings == SmokeSettings(path="/health", port=8080, check=(), timeout_s=90.0)
    assert settings_for_image({"org.workbench.project-path": str(TINY_PROJECT)})[0].port == 8000


def test_without_labels_or_plan_the_defaults_apply(tmp_path) -> None:
    assert settings_for_image(None) == (SmokeSettings(), "defaults")
    gone = {"org.workbench.project-path": str(tmp_path / "gone")}
    assert settings_for_image(gone) == (SmokeSettings(), "defaults")


def test_exposed_ports_are_tcp_only_and_sorted() -> None:
    config = {"ExposedPorts": {"9000/tcp": {}, "53/udp": {}, "8080/tcp": {}}}
    assert _exposed_ports(config) == [8080, 9000]
    assert _exposed_ports({}) == []


def test_a_result_round_trips_through_the_store() -> None:
    result = SmokeResult(
        image="x:1", image_id="sha256:abc", passed=False, mode="http", check="GET /health",
        seconds_to_ready=None, seconds=1.5, exit_code=1, error="it died", log_tail="boom",
        checked_at=123.0,
    )  # fmt: skip
    assert SmokeResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result
    Store().save_smoke_result(result.image_id, result.passed, result.to_dict())
    again = latest_smoke("sha256:abc")
    assert again is not None and not again.passed and again.exit_code == 1
    assert latest_smoke("sha256:never") is None
    assert result.summary() == "failed: it died"


def test_no_engine_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.errors import EngineUnavailable

    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    with pytest.raises(EngineUnavailable):
        run_smoke("x:1")


def test_an_image_without_a_port_needs_one(monkeypatch: pytest.MonkeyPatch) -> None:
    class API:
        @staticmethod
        def inspect_image(ref):
            return {"Id": "sha256:x", "Config": {"Labels": None}}

    class Client:
        api = API()

    with pytest.raises(SmokeError, match="exposes no port"):
        run_smoke("x:1", client=Client())


TINY_LABELS = {"org.workbench.project-path": str(TINY_PROJECT)}
TINY_CONFIG = {"Labels": TINY_LABELS, "ExposedPorts": {"8000/tcp": {}}}


def _project(tmp_path: Path, smoke: str) -> dict:
    """A project folder with a plan's [smoke] table; the config of an image built from it."""
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "Dockerfile").write_text("FROM scratch\n")
    (folder / "plan.toml").write_text(f"[smoke]\n{smoke}")
    return {"Labels": {"org.workbench.project-path": str(folder)}, "ExposedPorts": {"80/tcp": {}}}


def test_saved_settings_come_before_the_plan() -> None:
    project = load_project(TINY_PROJECT)
    save_smoke_settings(project, SmokeSettings(port=8000, timeout_s=5.0, env={"A": "1"}))
    settings, source = settings_for_image(TINY_LABELS)
    assert source == "saved"
    assert settings == SmokeSettings(port=8000, timeout_s=5.0, env={"A": "1"})


def test_a_malformed_smoke_table_is_not_silently_the_defaults(tmp_path: Path) -> None:
    config = _project(tmp_path, "port = 'eighty'\n")
    with pytest.raises(PlanError, match=r"plan.toml: smoke.port: expected a port number"):
        settings_for_image(config["Labels"])


def test_the_description_names_env_keys_never_values() -> None:
    settings = SmokeSettings(env={"B": "two", "A": "one"})
    assert describe(settings, "http", "/health", 8000, ["A", "B"]) == (
        "GET /health on port 8000 (env: A, B)"
    )
    assert describe(SmokeSettings(), "http", "/health", 8000, []) == "GET /health on port 8000"
    full = SmokeSettings(status=404, command=("python", "-m", "http.server"), entrypoint=())
    assert describe(full, "http", "/x", 80, ["TOKEN"]) == (
        "GET /x on port 80 expecting HTTP 404 "
        "(entrypoint: (none); command: python -m http.server; env: TOKEN)"
    )
    check = SmokeSettings(check=("python", "-c", "import app"), status=404)
    assert describe(check, "command", "/health", None, []) == "python -c import app"


def test_options_go_on_top_of_the_settings(tmp_path: Path, monkeypatch) -> None:
    config = _project(
        tmp_path,
        'port = 80\ncheck = "true"\nenv_file = "smoke.env"\nenv = { A = "v-plan", B = "v-plan" }\n',
    )
    folder = Path(config["Labels"]["org.workbench.project-path"])
    (folder / "smoke.env").write_text("A=v-file\nC=v-file\n")
    check = _check_for("x:1", config, {"env": {"B": "v-option"}, "command": "serve --fast"})
    assert check.settings_from == "plan" and check.mode == "command"
    assert check.run.environment == {"A": "v-plan", "B": "v-option", "C": "v-file"}
    assert check.run.command == ("serve", "--fast") and check.run.entrypoint is None
    assert check.env_keys == ("A", "B", "C")
    assert check.description == "true (command: serve --fast; env: A, B, C)"
    assert "v-" not in repr(check)
    http = _check_for("x:1", config, {"path": "/ready", "status": 201, "entrypoint": ""})
    assert http.mode == "http" and http.probe_path == "/ready" and http.run.entrypoint == ()
    assert http.description.startswith("GET /ready on port 80 expecting HTTP 201 (")
    # an env file given as an option is relative to the current folder, not the project's
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.env").write_text("D=v-mine\n")
    mine = _check_for("x:1", config, {"env_file": "mine.env"})
    assert mine.run.environment == {"D": "v-mine", "A": "v-plan", "B": "v-plan"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"status": 42}, r"^bad smoke option status: expected an HTTP status from 100 to 599"),
        ({"timeout_s": -1}, r"^bad smoke option timeout_s: expected a number of seconds above 0"),
        ({"port": 0}, r"^bad smoke option port: expected a port number"),
        ({"command": "sh -c 'x"}, r"^bad smoke option command: No closing quotation"),
        ({"command": []}, r"^bad smoke option command: empty"),
        ({"env": {"A": 1}}, r"^bad smoke option env.A: expected a string"),
    ],
)
def test_a_bad_option_is_one_line_naming_it(options, message) -> None:
    with pytest.raises(SmokeError, match=message):
        _check_for("x:1", TINY_CONFIG, options)


class _Containers:
    """Containers of a fake engine: any attempt to list or create one is recorded."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def list(self, **kwargs):
        self.calls.append("list")
        return []

    def create(self, *args, **kwargs):
        self.calls.append("create")
        raise AssertionError("no container may be created")


def test_a_missing_env_file_fails_before_any_container(tmp_path: Path) -> None:
    config = _project(tmp_path, 'env_file = "missing.env"\n')
    containers = _Containers()

    class API:
        @staticmethod
        def inspect_image(ref):
            return {"Id": "sha256:x", "Config": config}

    class Client:
        api = API()

    Client.containers = containers
    with pytest.raises(SmokeError, match=r"^no env file .*app/missing.env; create it") as caught:
        run_smoke("x:1", client=Client())
    assert "\n" not in str(caught.value)
    with pytest.raises(SmokeError, match=r"^no env file .*elsewhere.env"):
        run_smoke("x:1", env_file=tmp_path / "elsewhere.env", client=Client())
    assert containers.calls == []


def test_a_result_keeps_env_keys_through_the_store() -> None:
    result = SmokeResult(
        image="x:1", image_id="sha256:keys", passed=True, mode="http",
        check="GET /health on port 8000 (env: A, B)", seconds_to_ready=0.5, seconds=1.0,
        env_keys=("A", "B"), status_expected=204,
    )  # fmt: skip
    data = json.loads(json.dumps(result.to_dict()))
    assert data["env_keys"] == ["A", "B"] and data["status_expected"] == 204
    assert SmokeResult.from_dict(data) == result
    Store().save_smoke_result(result.image_id, result.passed, result.to_dict())
    again = latest_smoke("sha256:keys")
    assert again is not None and again.env_keys == ("A", "B")
    old = {k: v for k, v in data.items() if k not in ("env_keys", "status_expected")}
    assert SmokeResult.from_dict(old).env_keys == ()  # results stored before these fields

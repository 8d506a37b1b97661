"""Smoke tests on real images: the tiny fixture answers; a dying process fails fast; a
silent one times out; an interrupt still removes the container; the CLI says one line;
an app that needs environment variables and another command passes, its values never
shown or stored."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
from dataclasses import replace
from pathlib import Path

import docker
import pytest
from typer.testing import CliRunner

from tests.conftest import TINY_PROJECT
from workbench.build.service import BuildService, BuildSpec
from workbench.checks.smoke import latest_smoke, run_smoke
from workbench.errors import SmokeError
from workbench.labels import SMOKE, SMOKE_OWNER
from workbench.project import load_project
from workbench.store import Store

pytestmark = pytest.mark.docker

EXITS = (
    "FROM python:3.11-slim-bookworm\nEXPOSE 8000\n"
    'CMD ["python", "-c", "import sys; print(\'boom\', flush=True); sys.exit(1)"]\n'
)
SILENT = 'FROM python:3.11-slim-bookworm\nEXPOSE 8000\nCMD ["sleep", "300"]\n'
# its own CMD refuses to run without SMOKE_TOKEN; SERVE (the command given) serves on 8000
NEEDS_ENV = (
    "FROM python:3.11-slim-bookworm\nEXPOSE 8000\n"
    'CMD ["python", "-c", "import os; raise SystemExit(0 if os.getenv(\'SMOKE_TOKEN\') else 3)"]\n'
)
SERVE = [
    "sh",
    "-c",
    'test -n "$SMOKE_TOKEN" && echo "token=$SMOKE_TOKEN" && exec python -m http.server 8000',
]
SECRET = "tok-5f1e0c9b-not-for-logs"


@pytest.fixture(scope="module")
def images(docker_client: docker.DockerClient, stand_ins, tmp_path_factory) -> dict[str, str]:
    """The tiny fixture's baseline, an image whose command exits 1, one that never answers,
    one that needs an environment variable and another command."""
    store = Store(tmp_path_factory.mktemp("smoke-home") / "workbench.db")
    service = BuildService(store)
    project = load_project(TINY_PROJECT)
    specs = {
        "baseline": BuildSpec(project, "baseline", project.dockerfile_text()),
        "exits": BuildSpec(project, "smoke-exits", EXITS),
        "silent": BuildSpec(project, "smoke-silent", SILENT),
        "needs_env": BuildSpec(project, "smoke-needs-env", NEEDS_ENV),
    }
    ids = {name: service.submit(spec) for name, spec in specs.items()}
    records = dict(zip(ids, service.wait(ids.values(), timeout=600), strict=True))
    for name, record in records.items():
        assert record.status == "succeeded", f"{name}: {record.error}\n{record.log_tail(30)}"
    return {name: record.image_id for name, record in records.items()}


def _leftovers(client: docker.DockerClient, image_id: str) -> list:
    return [
        c
        for c in client.containers.list(all=True, filters={"label": SMOKE})
        if c.attrs.get("Image") == image_id
    ]


def test_the_tiny_image_passes_and_the_result_is_kept(images, docker_client) -> None:
    result = run_smoke(images["baseline"], client=docker_client)
    assert result.passed, result.error + "\n" + result.log_tail
    assert result.mode == "http" and result.check == "GET /health on port 8000"
    assert result.settings_from == "plan"  # the tiny fixture's plan: port 8000, 30 s
    assert result.http_status == 200 and result.host_port
    assert 0 < result.seconds_to_ready < 30
    assert result.peak_memory_bytes and result.peak_memory_bytes > 1_000_000
    assert result.error == "" and result.log_tail == ""
    assert replace(latest_smoke(images["baseline"]), checked_at=result.checked_at) == result
    assert Store().latest_smoke_result(images["baseline"])["passed"] is True
    assert _leftovers(docker_client, images["baseline"]) == []


def test_a_command_check_runs_inside_the_container(images, docker_client) -> None:
    result = run_smoke(
        images["baseline"], check=["python", "-c", "import app.server"], client=docker_client
    )
    assert result.passed and result.mode == "command"
    failing = run_smoke(
        images["baseline"], check=["python", "-c", "import nothing_here"], timeout_s=3,
        client=docker_client,
    )  # fmt: skip
    assert not failing.passed and "exited with code 1" in failing.error
    assert _leftovers(docker_client, images["baseline"]) == []


def test_a_process_that_exits_fails_fast_with_its_code_and_log(images, docker_client) -> None:
    result = run_smoke(images["exits"], client=docker_client)
    assert not result.passed
    assert result.exit_code == 1
    assert "exited with code 1" in result.error
    assert result.seconds < 15  # the plan allows 30 s; it did not wait for them
    assert "boom" in result.log_tail
    assert latest_smoke(images["exits"]).passed is False
    assert _leftovers(docker_client, images["exits"]) == []


def test_a_silent_image_times_out_and_is_removed(images, docker_client) -> None:
    result = run_smoke(images["silent"], timeout_s=2, client=docker_client)
    assert not result.passed and result.exit_code is None
    assert result.error.startswith("not ready within 2 s")
    assert result.seconds < 15
    assert _leftovers(docker_client, images["silent"]) == []


def test_an_interrupt_removes_the_container(images, docker_client) -> None:
    def interrupt(line: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_smoke(images["silent"], timeout_s=30, client=docker_client, on_progress=interrupt)
    assert _leftovers(docker_client, images["silent"]) == []


def test_the_cli_says_one_line_and_exits_non_zero(images, docker_client) -> None:
    from workbench.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["smoke", images["exits"]])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith(f"error: smoke test of {images['exits']} failed: the container's")
    assert "exited with code 1" in lines[0]
    assert _leftovers(docker_client, images["exits"]) == []
    passed = runner.invoke(app, ["smoke", images["baseline"], "--json"])
    assert passed.exit_code == 0 and '"passed": true' in passed.stdout
    missing = runner.invoke(app, ["smoke", "workbench-test/none:missing"])
    assert missing.exit_code == 2 and "has no image" in missing.stderr


def test_leftovers_of_a_dead_process_are_removed(images, docker_client, tmp_path: Path) -> None:
    from workbench.checks.smoke import remove_leftovers

    container = docker_client.containers.create(
        images["silent"],
        labels={SMOKE: "1", SMOKE_OWNER: f"{os.uname().nodename}:999999999"},
    )
    try:
        assert container.name in remove_leftovers(docker_client)
    finally:
        with contextlib.suppress(docker.errors.NotFound):
            container.remove(force=True)
    assert _leftovers(docker_client, images["silent"]) == []


def _no_secret_anywhere(image_id: str, result) -> None:
    """The value is in no text of the result, nor in what the store keeps."""
    assert SECRET not in json.dumps(result.to_dict())
    assert SECRET not in json.dumps(Store().latest_smoke_result(image_id))


def test_an_app_that_needs_env_and_a_command_passes(images, docker_client) -> None:
    image = images["needs_env"]
    own = run_smoke(image, client=docker_client)  # its CMD without the variable
    assert not own.passed and own.exit_code == 3
    result = run_smoke(
        image, env={"SMOKE_TOKEN": SECRET}, command=SERVE, path="/", client=docker_client
    )
    assert result.passed, result.error + "\n" + result.log_tail
    assert result.http_status == 200 and result.env_keys == ("SMOKE_TOKEN",)
    assert result.check == f"GET / on port 8000 (command: {' '.join(SERVE)}; env: SMOKE_TOKEN)"
    _no_secret_anywhere(image, result)
    assert _leftovers(docker_client, image) == []


def test_the_expected_status_and_a_masked_log_tail(images, docker_client) -> None:
    image = images["needs_env"]
    found = run_smoke(
        image, env={"SMOKE_TOKEN": SECRET}, command=SERVE, status=404, client=docker_client
    )  # http.server has no /health: 404 is what this check expects
    assert found.passed and found.http_status == 404 and found.status_expected == 404
    wrong = run_smoke(
        image, env={"SMOKE_TOKEN": SECRET}, command=SERVE, status=418, timeout_s=3,
        client=docker_client,
    )  # fmt: skip
    assert not wrong.passed and "it answered HTTP 404, not the 418 expected" in wrong.error
    assert "token=****" in wrong.log_tail  # the server printed the value: masked
    _no_secret_anywhere(image, wrong)
    assert _leftovers(docker_client, image) == []


def test_an_env_file_is_read_and_a_missing_one_starts_nothing(
    images, docker_client, tmp_path: Path
) -> None:
    image = images["needs_env"]
    env_file = tmp_path / "smoke.env"
    env_file.write_text(f"# for the smoke test\n\nSMOKE_TOKEN={SECRET}\n")
    result = run_smoke(image, env_file=env_file, command=SERVE, path="/", client=docker_client)
    assert result.passed, result.error + "\n" + result.log_tail
    assert result.env_keys == ("SMOKE_TOKEN",)
    _no_secret_anywhere(image, result)
    before = {c.id for c in docker_client.containers.list(all=True, filters={"label": SMOKE})}
    with pytest.raises(SmokeError, match="no env file .*missing.env") as caught:
        run_smoke(image, env_file=tmp_path / "missing.env", command=SERVE, client=docker_client)
    assert "\n" not in str(caught.value)
    after = {c.id for c in docker_client.containers.list(all=True, filters={"label": SMOKE})}
    assert after <= before and _leftovers(docker_client, image) == []


def test_a_hanging_check_times_out_and_leaves_nothing(images, docker_client) -> None:
    image = images["needs_env"]
    result = run_smoke(
        image, env={"SMOKE_TOKEN": SECRET}, command=SERVE, check=["sleep", "300"], timeout_s=3,
        client=docker_client,
    )  # fmt: skip
    assert not result.passed and result.mode == "command"
    assert result.error.startswith("not ready within 3 s: the check command")
    assert result.seconds < 20
    _no_secret_anywhere(image, result)
    assert _leftovers(docker_client, image) == []


def test_the_cli_passes_env_and_command_and_never_prints_the_value(images, docker_client) -> None:
    from workbench.cli import app

    image = images["needs_env"]
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["smoke", image, "--env", f"SMOKE_TOKEN={SECRET}", "--command", shlex.join(SERVE),
         "--path", "/", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["env_keys"] == ["SMOKE_TOKEN"]
    assert SECRET not in result.output
    failing = runner.invoke(
        app,
        ["smoke", image, "--env", f"SMOKE_TOKEN={SECRET}", "--command", shlex.join(SERVE),
         "--status", "418", "--timeout", "3", "--show-log"],
    )  # fmt: skip
    assert failing.exit_code == 1 and "token=****" in failing.stderr
    assert SECRET not in failing.output
    assert _leftovers(docker_client, image) == []

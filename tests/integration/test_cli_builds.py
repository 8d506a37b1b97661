"""`workbench build` and `workbench history` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TINY_PROJECT

pytestmark = pytest.mark.docker


def workbench(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workbench.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


def test_a_failing_third_step_exits_non_zero_with_one_clear_line(tmp_path: Path, stand_ins) -> None:
    project = tmp_path / "broken"
    project.mkdir()
    (project / "Dockerfile").write_text("FROM debian:bookworm-slim\nRUN echo one\nRUN exit 3\n")
    result = workbench("build", str(project), "--variant", "baseline")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: build of baseline failed: step [3/3] RUN exit 3 failed with exit code 3"
    ]
    assert "Traceback" not in result.stderr + result.stdout
    history = json.loads(workbench("history", "--json").stdout)
    assert history[0]["status"] == "failed" and history[0]["variant"] == "baseline"
    assert history[0]["failed_step"] == "[3/3] RUN exit 3"


def test_build_smoke_tests_each_image_and_a_broken_one_fails_the_command(
    tmp_path: Path, stand_ins
) -> None:
    result = workbench("build", str(TINY_PROJECT), "-v", "baseline", "--smoke", "--json")
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)
    assert row["status"] == "succeeded" and row["smoke"]["passed"] is True
    assert row["smoke"]["summary"].startswith("smoke test passed: GET /health on port 8000")

    broken = tmp_path / "broken-app"
    broken.mkdir()
    (broken / "Dockerfile").write_text(
        'FROM python:3.11-slim-bookworm\nEXPOSE 8000\nCMD ["python", "-c", "raise SystemExit(3)"]\n'
    )
    (broken / "plan.toml").write_text("[smoke]\nport = 8000\ntimeout_s = 20\n")
    result = workbench("build", str(broken), "--smoke")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: baseline: smoke test failed: the container's command exited with code 3 "
        + errors[0].split("exited with code 3 ", 1)[1]
    ]
    assert "before it was ready" in errors[0]
    assert "succeeded" in result.stdout  # the build itself succeeded


def test_build_json_lists_each_variant(stand_ins) -> None:
    result = workbench("build", str(TINY_PROJECT), "-v", "baseline", "-v", "no-cache", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [row["variant"] for row in rows] == ["baseline", "no-cache"]
    assert set(rows[0]) == {
        "variant",
        "tag",
        "image_id",
        "status",
        "duration_s",
        "cache_hits",
        "error",
    }
    assert all(row["status"] == "succeeded" and row["image_id"] for row in rows)
    assert rows[0]["tag"] == "workbench/tiny:baseline"


def test_an_unknown_variant_is_one_line_and_exit_2(stand_ins) -> None:
    result = workbench("build", str(TINY_PROJECT), "--variant", "turbo")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: unknown variant 'turbo'")
    assert len(result.stderr.strip().splitlines()) == 1


def test_history_works_with_the_engine_down() -> None:
    result = workbench("history", env={"DOCKER_HOST": "tcp://127.0.0.1:9"})
    assert result.returncode == 0
    result = workbench("build", str(TINY_PROJECT), env={"DOCKER_HOST": "tcp://127.0.0.1:9"})
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: No Docker engine answers")


def test_variants_lists_and_shows() -> None:
    listing = workbench("variants", str(TINY_PROJECT))
    assert listing.returncode == 0
    assert [line.split()[0] for line in listing.stdout.splitlines()][:3] == [
        "baseline",
        "no-cache",
        "multi-stage",
    ]
    diff = workbench("variants", str(TINY_PROJECT), "--diff", "no-cache")
    assert "+RUN uv sync --frozen --no-dev --no-install-project --no-cache" in diff.stdout


def test_analyze_answers_from_the_store_the_second_time(stand_ins) -> None:
    built = workbench("build", str(TINY_PROJECT), "-v", "baseline", "--json")
    assert built.returncode == 0, built.stderr
    tag = json.loads(built.stdout)[0]["tag"]
    first = workbench("analyze", tag, "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert sum(report["components"].values()) == report["size_bytes"]
    assert report["components"]["application_code"] > 0  # /app/app, from the Dockerfile
    assert report["components"]["build_caches"] > 0  # uv's cache left by uv sync
    assert report["compressed"]["estimate"] is True and report["compressed"]["gzip_bytes"] > 0
    assert report["stand_in_base"] == "python:3.11-slim-bookworm"
    second = workbench("analyze", tag, "--json")
    assert json.loads(second.stdout) == report


def test_analyze_a_missing_image_is_one_line_and_exit_2() -> None:
    result = workbench("analyze", "workbench/nothing:here")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: the engine has no image")

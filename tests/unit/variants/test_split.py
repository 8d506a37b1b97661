"""The stage a multi-stage build splits: its installs, targets, and where each step goes."""

from __future__ import annotations

from tests.unit.variants.golden import case_input, dockerfile
from workbench.variants.instructions import parse
from workbench.variants.split import fresh_name, from_line, prepare, runtime_image


def test_fresh_names_keep_clear_of_the_baselines_stages() -> None:
    assert fresh_name(set()) == "builder"
    assert fresh_name({"Builder"}) == "deps"
    assert fresh_name({"builder", "deps", "python-deps"}) == "deps-2"


def test_from_line_names_the_stage_and_may_change_the_image() -> None:
    (ins,) = parse("FROM --platform=linux/amd64 python:3.12 AS app\n").instructions
    assert from_line(ins, "builder") == "FROM --platform=linux/amd64 python:3.12 AS builder\n"
    assert from_line(ins, "runtime", "python:3.12-slim") == (
        "FROM --platform=linux/amd64 python:3.12-slim AS runtime\n"
    )


def test_prepare_reads_installs_set_up_steps_targets_and_venvs() -> None:
    stage = prepare(parse(case_input("poetry-run")), 0)
    assert stage.last_install == 5
    assert stage.setup == {2: (frozenset({"poetry"}), True)}
    assert [(t.source, tool) for t, tool in stage.targets] == [("/app/.venv", "poetry")]
    assert stage.venvs == {"poetry": "/app/.venv"}
    assert stage.tools == {"poetry"}
    assert stage.stays == {}
    assert runtime_image(stage) == "python:3.12-slim"


def test_prepare_keeps_uv_and_its_image_when_the_runtime_needs_uv() -> None:
    text = dockerfile(
        "FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim",
        "COPY . /app",
        "WORKDIR /app",
        "RUN uv sync --locked",
        "CMD uv run --env-file .env app",
    )
    stage = prepare(parse(text), 0)
    assert stage.stays == {"uv": "line 5: uv run --env-file has no equivalent without uv"}
    assert runtime_image(stage) == "ghcr.io/astral-sh/uv:python3.12-bookworm-slim"

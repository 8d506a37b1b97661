"""The no-cache transform: golden cases, one command at a time, what it leaves alone."""

from __future__ import annotations

import pytest

from tests.unit.variants.golden import (
    CASE_NAMES,
    CASES,
    case_input,
    check_golden,
    dockerfile,
    outputs,
)
from workbench.variants.instructions import parse
from workbench.variants.no_cache import to_no_cache, unchanged_reason


@pytest.mark.parametrize("case", CASE_NAMES)
def test_golden(case: str) -> None:
    check_golden(case, "no-cache", to_no_cache)


@pytest.mark.parametrize("case", outputs("no-cache"))
def test_no_cache_is_idempotent(case: str) -> None:
    once = (CASES / case / "no-cache.Dockerfile").read_text()
    assert to_no_cache(once) == once


def test_no_cache_of_the_plan_is_its_priority_1_change() -> None:
    out = to_no_cache(case_input("plan"))
    assert "RUN uv sync --frozen --no-dev --no-install-project --no-cache\n" in out
    changed = [line for line in out.splitlines() if line not in case_input("plan").splitlines()]
    assert changed == [
        "RUN apt-get update && apt-get install -y --no-install-recommends curl"
        " && rm -rf /var/lib/apt/lists/*",
        "RUN uv sync --frozen --no-dev --no-install-project --no-cache",
    ]


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        ("uv sync --frozen", "uv sync --frozen --no-cache"),
        ("uv pip install --system -r r.txt", "uv pip install --system -r r.txt --no-cache"),
        ("uv --directory /x sync", "uv --directory /x sync --no-cache"),
        ("/root/.local/bin/uv pip sync r.txt", "/root/.local/bin/uv pip sync r.txt --no-cache"),
        ("pip3 install six", "pip3 install six --no-cache-dir"),
        ("python3.11 -m pip install six", "python3.11 -m pip install six --no-cache-dir"),
        ("sudo -E pip install six", "sudo -E pip install six --no-cache-dir"),
        ("pip install six > /dev/null", "pip install six --no-cache-dir > /dev/null"),
        ("pip --no-cache-dir install six", "pip --no-cache-dir install six"),
        ("pip install --no-cache /wheels/*", "pip install --no-cache /wheels/*"),
        ("pip wheel -w /w six", "pip wheel -w /w six --no-cache-dir"),
        (
            "poetry install --no-root",
            "poetry install --no-root && rm -rf /root/.cache/pypoetry/cache"
            " /root/.cache/pypoetry/artifacts",
        ),
        (
            "POETRY_VIRTUALENVS_IN_PROJECT=1 poetry install",
            "POETRY_VIRTUALENVS_IN_PROJECT=1 poetry install && rm -rf /root/.cache/pypoetry",
        ),
        ("poetry install && rm -rf ~/.cache/pypoetry", "same"),
        ("uv sync -n", "uv sync -n"),
        ("UV_NO_CACHE=1 uv sync", "UV_NO_CACHE=1 uv sync"),
        ("pip download six", "pip download six"),
        ("uv run app.py", "uv run app.py"),
        ("apt-get -y install curl;", "apt-get -y install curl; rm -rf /var/lib/apt/lists/*"),
        ("apt install -y curl", "apt install -y curl && rm -rf /var/lib/apt/lists/*"),
        ("apt-get install -y x && rm -rf /var/lib/apt/lists", "same"),
        ("apt-get update", "apt-get update"),
        (
            "apt-get install -y gcc && pip install x",
            "apt-get install -y gcc && pip install x --no-cache-dir && rm -rf /var/lib/apt/lists/*",
        ),
    ],
)
def test_no_cache_commands(run: str, expected: str) -> None:
    expected = run if expected == "same" else expected
    assert to_no_cache(f"FROM x\nRUN {run}\n") == f"FROM x\nRUN {expected}\n"


def test_no_cache_respects_environment_and_cache_mounts() -> None:
    text = dockerfile(
        "FROM x",
        "ENV UV_NO_CACHE=1 PIP_NO_CACHE_DIR=off",
        "RUN uv sync && pip install six",
        "FROM y",
        "RUN --mount=type=cache,target=/root/.cache/uv uv sync",
        "RUN --mount=type=cache,target=/var/lib/apt apt-get install -y curl",
    )
    assert to_no_cache(text) == text


def test_no_cache_follows_the_style_of_leading_operators() -> None:
    text = "FROM x\nRUN apt-get update \\\n  && apt-get install -y curl\n"
    assert to_no_cache(text) == (
        "FROM x\nRUN apt-get update \\\n  && apt-get install -y curl \\\n"
        "  && rm -rf /var/lib/apt/lists/*\n"
    )


def test_no_cache_edits_only_the_changed_instruction() -> None:
    text = dockerfile(
        "FROM x  ",
        "# keep   me",
        "RUN echo   hi \\",
        "  there",
        "",
        "RUN pip install six",
        'CMD  [ "a" ]',
    )
    out = to_no_cache(text)
    assert out == text.replace("pip install six", "pip install six --no-cache-dir")


def test_no_cache_removes_poetrys_cache_by_its_variable() -> None:
    text = dockerfile(
        "FROM x",
        "ENV POETRY_CACHE_DIR=/tmp/poetry POETRY_VIRTUALENVS_IN_PROJECT=1",
        "RUN poetry config virtualenvs.create true && poetry install --only main",
    )
    assert to_no_cache(text) == text.replace("main\n", "main && rm -rf $POETRY_CACHE_DIR\n")


def test_the_reason_no_cache_changes_nothing_names_the_installs() -> None:
    assert unchanged_reason(parse(case_input("cache-mounted"))) == (
        "every dependency install already mounts a cache"
        " (line 5: apt-get install; line 10: pip install)"
    )
    text = dockerfile(
        "FROM x",
        "RUN --mount=type=cache,target=/root/.cache/uv uv sync",
        "RUN pip install --no-cache-dir six",
    )
    assert unchanged_reason(parse(text)) == (
        "every dependency install already mounts a cache (line 2: uv sync)"
        " or runs without one (line 3: pip install)"
    )
    assert unchanged_reason(parse(case_input("no-install"))) is None

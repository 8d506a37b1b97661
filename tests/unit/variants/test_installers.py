"""The installers: their set-up steps, their settings, uv's images and their Python bases."""

from __future__ import annotations

import pytest

from workbench.variants.dockerfile import parse_copy
from workbench.variants.installers import (
    copied_installer,
    env_only_for,
    installer_packages,
    mentions,
    plain_python_base,
    setup_tools,
)
from workbench.variants.installs import find_installs
from workbench.variants.instructions import parse
from workbench.variants.shell import parse_run


def _run(line: str):
    return parse_run(parse(f"FROM x\n{line}\n").instructions[1])


@pytest.mark.parametrize(
    ("image", "base"),
    [
        ("ghcr.io/astral-sh/uv:python3.11-bookworm-slim", "python:3.11-slim-bookworm"),
        ("ghcr.io/astral-sh/uv:0.8.3-python3.12-trixie-slim", "python:3.12-slim-trixie"),
        ("ghcr.io/astral-sh/uv:python3.13-bookworm", "python:3.13-bookworm"),
        ("ghcr.io/astral-sh/uv:python3.12-alpine", "python:3.12-alpine"),
        ("astral/uv:python3.10-bullseye-slim", "python:3.10-slim-bullseye"),
        ("ghcr.io/astral-sh/uv:bookworm-slim", None),
        ("ghcr.io/astral-sh/uv:latest", None),
        ("ghcr.io/astral-sh/uv:python3.11-bookworm-slim@sha256:0123", None),
        ("python:3.11-slim-bookworm", None),
    ],
)
def test_the_plain_python_base_of_a_uv_image(image: str, base: str | None) -> None:
    assert plain_python_base(image) == base


def test_installer_packages_are_installs_of_installers_only() -> None:
    def names(line: str) -> frozenset[str]:
        return installer_packages(find_installs(_run(line))[0])

    assert names('RUN pip install "poetry==1.8.3"') == {"poetry"}
    assert names("RUN pip install --no-cache-dir uv pipenv") == {"uv", "pipenv"}
    assert names("RUN pip install poetry poetry-plugin-export") == {"poetry"}
    assert names("RUN pip install poetry requests") == frozenset()
    assert names("RUN pip install -r requirements.txt") == frozenset()
    assert names("RUN poetry install") == frozenset()


@pytest.mark.parametrize(
    ("line", "tools", "only"),
    [
        ("RUN pip install poetry && poetry config virtualenvs.in-project true", {"poetry"}, True),
        ("RUN curl -sSL https://install.python-poetry.org | python3 -", {"poetry"}, True),
        ("RUN curl -LsSf https://astral.sh/uv/install.sh | sh", {"uv"}, True),
        ("RUN pipx install poetry", {"poetry"}, True),
        ('RUN ["pip", "install", "uv"]', {"uv"}, True),
        (
            "RUN apt-get install -y curl && curl -LsSf https://astral.sh/uv/install.sh | sh",
            {"uv"},
            False,
        ),
        ("RUN pip install poetry && poetry install", {"poetry"}, False),
        ("RUN pip install -r requirements.txt", set(), False),
    ],
)
def test_setup_tools_and_whether_that_is_all_a_run_does(line: str, tools: set, only: bool) -> None:
    assert setup_tools(_run(line)) == (frozenset(tools), only)


def test_copied_installer_and_env_only_for() -> None:
    copy = parse(
        "FROM x\nCOPY --from=ghcr.io/astral-sh/uv:0.8 /uv /uvx /bin/\nCOPY --from=b /w /w\n"
    ).instructions
    assert copied_installer(parse_copy(copy[1])) == "uv"
    assert copied_installer(parse_copy(copy[2])) is None
    assert env_only_for(["UV_COMPILE_BYTECODE", "UV_LINK_MODE"]) == "uv"
    assert env_only_for(["POETRY_VERSION", "POETRY_VIRTUALENVS_IN_PROJECT"]) == "poetry"
    assert env_only_for(["UV_LINK_MODE", "PYTHONUNBUFFERED"]) is None
    assert env_only_for(["PIP_NO_CACHE_DIR"]) is None


def test_mentions_finds_the_installer_as_a_word() -> None:
    assert mentions("uv", '["sh", "-c", "uv run app"]')
    assert mentions("uv", "/usr/local/bin/uvx ruff")
    assert not mentions("uv", '["python", "-m", "uvicorn"]')
    assert not mentions("uv", "/srv/uv/app.py")
    assert mentions("poetry", "poetry show")

"""The runtime's apt lines: build-only packages stay in the builder, what it runs stays."""

from __future__ import annotations

from tests.unit.variants.golden import dockerfile
from workbench.variants.instructions import parse
from workbench.variants.split import prepare


def _split(*lines: str):
    stage = prepare(parse(dockerfile(*lines)), 0)
    return stage, stage.apt


def test_a_line_of_only_build_tools_is_dropped_from_the_runtime() -> None:
    stage, apt = _split(
        "FROM python:3.11-slim",
        "RUN apt-get update && apt-get install -y gcc libpq-dev && rm -rf /var/lib/apt/lists/*",
        "COPY requirements.txt .",
        "RUN pip install -r requirements.txt",
    )
    assert apt.left == {1: ("gcc", "libpq-dev")}
    assert apt.texts == {1: None}
    assert apt.block_at == 1
    assert apt.kept == []


def test_the_other_packages_stay_on_the_runtime_line() -> None:
    _, apt = _split(
        "FROM python:3.11-slim",
        "RUN apt-get update && apt-get install -y --no-install-recommends gcc curl libpq-dev=15.*",
        "RUN pip install psycopg2",
    )
    assert apt.left == {1: ("gcc", "libpq-dev")}
    assert apt.texts == {
        1: "RUN apt-get update && apt-get install -y --no-install-recommends curl\n"
    }


def test_continuation_lines_lose_only_the_build_only_words() -> None:
    _, apt = _split(
        "FROM debian:bookworm-slim",
        "RUN apt-get update \\",
        "    && apt-get install -y \\",
        "        python3-venv \\",
        "        build-essential \\",
        "        python3-dev \\",
        "    && rm -rf /var/lib/apt/lists/*",
        "RUN python3 -m venv /venv && /venv/bin/pip install six",
    )
    assert apt.texts[1] == (
        "RUN apt-get update \\\n"
        "    && apt-get install -y \\\n"
        "        python3-venv \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    )
    assert apt.packages() == ["build-essential", "python3-dev"]


def test_a_package_the_runtime_runs_stays() -> None:
    _, apt = _split(
        "FROM python:3.11-slim",
        "RUN apt-get update && apt-get install -y build-essential make pkg-config",
        "RUN pip install -r requirements.txt",
        "COPY . .",
        "RUN make assets",
        'HEALTHCHECK CMD ["pkg-config", "--version"]',
    )
    assert apt.left == {1: ("build-essential",)}
    assert apt.texts[1] == "RUN apt-get update && apt-get install -y make pkg-config\n"
    assert apt.kept == [
        "make stays in the runtime (the runtime runs make, line 2)",
        "pkg-config stays in the runtime (the runtime runs pkg-config, line 2)",
    ]


def test_a_metapackage_stays_when_nothing_else_gives_its_command() -> None:
    _, apt = _split(
        "FROM python:3.11-slim",
        "RUN apt-get update && apt-get install -y build-essential",
        "RUN pip install -r requirements.txt",
        'CMD ["make", "serve"]',
    )
    assert apt.left == {}
    assert apt.kept == ["build-essential stays in the runtime (the runtime runs make, line 2)"]


def test_apt_lines_after_the_installs_and_without_build_tools_are_left_alone() -> None:
    _, apt = _split(
        "FROM python:3.11-slim",
        "RUN apt-get update && apt-get install -y curl",
        "RUN pip install -r requirements.txt",
        "RUN apt-get update && apt-get install -y gcc",
    )
    assert apt.left == {}
    assert apt.texts == {}


def test_other_commands_of_the_line_stay_and_apt_housekeeping_goes() -> None:
    _, apt = _split(
        "FROM python:3.11-slim",
        "RUN apt-get update && apt-get install -y gcc && useradd -m app"
        " && rm -rf /var/lib/apt/lists/*",
        "RUN pip install -r requirements.txt",
    )
    assert apt.texts[1] == "RUN useradd -m app\n"


def test_an_install_in_the_same_run_leaves_its_build_tools_with_the_builder() -> None:
    stage, apt = _split(
        "FROM python:3.11-slim",
        "RUN apt-get update && apt-get install -y gcc libpq-dev && pip install psycopg2",
        "CMD python",
    )
    assert apt.left == {1: ("gcc", "libpq-dev")}
    assert apt.texts == {}
    assert 1 in stage.installs

"""The multi-stage transform: golden cases, the plan's template, where dependencies go."""

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
from workbench.errors import CannotTransform
from workbench.variants.instructions import parse
from workbench.variants.multi_stage import to_multi_stage
from workbench.variants.no_cache import to_no_cache


@pytest.mark.parametrize("case", CASE_NAMES)
def test_golden(case: str) -> None:
    check_golden(case, "multi-stage", to_multi_stage)


@pytest.mark.parametrize("case", outputs("multi-stage"))
def test_multi_stage_output_already_has_no_cache(case: str) -> None:
    once = (CASES / case / "multi-stage.Dockerfile").read_text()
    assert to_no_cache(once) == once


def _instructions(text: str) -> list[tuple[str, str]]:
    return [(i.keyword, " ".join(i.value.split())) for i in parse(text).instructions]


def test_multi_stage_of_the_plans_dockerfile_is_the_plans_template() -> None:
    ours = _instructions(to_multi_stage(case_input("plan")))
    template = _instructions((CASES / "plan" / "template.Dockerfile").read_text())
    link_mode = ("ENV", "UV_LINK_MODE=copy")
    assert [i for i in ours if i != link_mode] == template


def test_multi_stage_copies_user_site_packages_to_the_users_home() -> None:
    out = to_multi_stage(
        dockerfile(
            "FROM python:3.11",
            "RUN useradd -m app",
            "USER app",
            "RUN pip install --user six",
            "CMD python",
        )
    )
    assert "COPY --chown=app --from=builder /root/.local /home/app/.local\n" in out
    builder = out.split("AS runtime")[0]
    assert "USER" not in builder
    assert "useradd" not in builder


def test_multi_stage_keeps_uv_when_the_runtime_runs_it() -> None:
    text = dockerfile(
        "FROM python:3.11",
        "COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv",
        "COPY pyproject.toml uv.lock ./",
        "RUN uv sync --frozen",
        'CMD ["uv", "run", "app.py"]',
    )
    runtime = to_multi_stage(text).split("AS runtime")[1]
    assert "COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv\n" in runtime
    assert "pyproject.toml" not in runtime
    runtime = to_multi_stage(text.replace('"uv", "run", ', '"python", ')).split("AS runtime")[1]
    assert "astral-sh/uv" not in runtime


def test_multi_stage_keeps_the_stage_name_and_global_args() -> None:
    out = to_multi_stage(
        dockerfile("ARG V=3.11", "FROM python:${V} AS builder", "RUN pip install six")
    )
    assert out.startswith("ARG V=3.11\n")
    assert "FROM python:${V} AS deps\n" in out
    assert "FROM python:${V} AS builder\n" in out
    assert "COPY --from=deps /install/ /\n" in out


def test_multi_stage_follows_uv_project_environment() -> None:
    out = to_multi_stage(
        dockerfile(
            "FROM python:3.11",
            "ENV UV_PROJECT_ENVIRONMENT=/opt/env",
            "WORKDIR /src",
            "RUN uv sync",
        )
    )
    assert "COPY --from=builder /opt/env /opt/env\n" in out


def test_multi_stage_refuses_pip_root() -> None:
    with pytest.raises(CannotTransform, match="--root"):
        to_multi_stage("FROM python\nRUN pip install --root /r six\n")


def test_multi_stage_refuses_an_already_multi_stage_file() -> None:
    with pytest.raises(CannotTransform, match="already has 2 stages"):
        to_multi_stage(case_input("multi-stage-input"))

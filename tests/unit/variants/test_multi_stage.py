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
from workbench.variants.multi_stage import apply_multi_stage, to_multi_stage
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


def test_multi_stage_copies_the_folder_pip_root_writes() -> None:
    out = to_multi_stage("FROM python\nRUN pip install --root /r six\n")
    assert "RUN pip install --root /r six --no-cache-dir\n" in out
    assert out.endswith("COPY --from=builder /r /r\n")


def test_multi_stage_refuses_a_pip_root_it_cannot_follow() -> None:
    with pytest.raises(CannotTransform, match="--root"):
        to_multi_stage("FROM python\nRUN pip install --root / six\n")
    with pytest.raises(CannotTransform, match="--root"):
        to_multi_stage("FROM python\nRUN pip install --root $SOMEWHERE six\n")


def test_multi_stage_refuses_an_already_multi_stage_file() -> None:
    with pytest.raises(CannotTransform, match="already has 2 stages"):
        to_multi_stage(case_input("multi-stage-input"))


def _stages(text: str) -> tuple[str, str]:
    builder, runtime = to_multi_stage(text).split("# Runtime stage")
    return builder, runtime


def test_multi_stage_of_uvs_guide_runs_the_venv_on_the_plain_python_base() -> None:
    builder, runtime = _stages(case_input("uv-guide"))
    assert "FROM ghcr.io/astral-sh/uv:python3.11-bookworm-slim AS builder\n" in builder
    assert "--mount=type=bind,source=uv.lock,target=uv.lock \\\n" in builder
    assert (
        "RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-dev --no-editable\n"
        in builder
    )
    assert "ENV UV_PYTHON_DOWNLOADS=0\n" in builder
    assert "FROM python:3.11-slim-bookworm AS runtime\n" in runtime
    assert "uv" not in runtime.replace(".venv", "")
    assert runtime.endswith('USER nonroot\nCMD ["hello"]\n')
    notes = apply_multi_stage(parse(case_input("uv-guide"))).changes
    assert notes == (
        "builder stage runs uv sync without caches; runtime copies /app/.venv",
        "runtime FROM python:3.11-slim-bookworm (the Python image"
        " ghcr.io/astral-sh/uv:python3.11-bookworm-slim is built on) without uv",
        "CMD runs hello from the venv (was uv run hello, line 14)",
        "uv sync --no-editable (line 10), so the venv does not point back at the builder's source",
    )


def test_multi_stage_keeps_uv_where_a_command_needs_it_and_says_why() -> None:
    text = case_input("uv-guide").replace('"run", "hello"', '"run", "--with", "rich", "hello"')
    builder, runtime = _stages(text)
    assert "FROM ghcr.io/astral-sh/uv:python3.11-bookworm-slim AS runtime\n" in runtime
    assert "UV_PYTHON_DOWNLOADS" not in builder
    assert "ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy\n" in runtime
    assert 'CMD ["uv", "run", "--with", "rich", "hello"]\n' in runtime
    notes = apply_multi_stage(parse(text)).changes
    assert notes[-1] == (
        "uv stays in the runtime (line 14: uv run --with installs more packages when it starts)"
    )


def test_multi_stage_gives_a_venv_uv_may_sync_to_the_user_created_after_the_install() -> None:
    builder, runtime = _stages(
        dockerfile(
            "FROM python:3.11",
            "COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv",
            "WORKDIR /app",
            "COPY . .",
            "RUN uv sync --frozen",
            "RUN useradd -m app",
            "USER app",
            'CMD ["uv", "run", "--with", "rich", "app"]',
        )
    )
    assert runtime.endswith(
        "COPY . .\nRUN useradd -m app\n\n# The dependencies, installed in the builder stage\n"
        "COPY --chown=app --from=builder /app/.venv /app/.venv\nUSER app\n"
        'CMD ["uv", "run", "--with", "rich", "app"]\n'
    )
    assert "COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv\n" in runtime
    assert "RUN uv sync --frozen --no-cache\n" in builder, "uv run would resync a non-editable venv"


def test_multi_stage_refuses_an_installer_the_runtime_needs_but_only_the_builder_gets() -> None:
    text = dockerfile(
        "FROM python:3.12",
        "ENV POETRY_VIRTUALENVS_IN_PROJECT=1",
        "COPY . .",
        "RUN pip install poetry && poetry install",
        'CMD ["poetry", "run", "-C", "src", "app"]',
    )
    with pytest.raises(CannotTransform, match="line 4: poetry is set up in the same RUN"):
        to_multi_stage(text)


def test_multi_stage_leaves_the_wheels_in_the_builder() -> None:
    builder, runtime = _stages(
        dockerfile(
            "FROM python:3.11-slim",
            "COPY requirements.txt .",
            "RUN pip wheel --wheel-dir /wheels -r requirements.txt",
            "RUN pip install --no-index --find-links /wheels -r requirements.txt",
            "COPY . /app",
        )
    )
    assert "RUN pip wheel --wheel-dir /wheels -r requirements.txt --no-cache-dir\n" in builder
    assert "--find-links /wheels -r requirements.txt --root=/install --no-cache-dir\n" in builder
    assert "wheel" not in runtime
    assert "COPY --from=builder /install/ /\n" in runtime


def test_multi_stage_copies_the_python_uv_downloads_when_the_image_has_none() -> None:
    _, runtime = _stages(
        dockerfile(
            "FROM ghcr.io/astral-sh/uv:bookworm-slim",
            "WORKDIR /app",
            "COPY . .",
            "RUN uv sync --locked",
            'CMD ["uv", "run", "app"]',
        )
    )
    assert "FROM ghcr.io/astral-sh/uv:bookworm-slim AS runtime\n" in runtime
    assert (
        "COPY --from=builder /root/.local/share/uv/python /root/.local/share/uv/python\n" in runtime
    )
    assert runtime.endswith('ENV PATH="/app/.venv/bin:$PATH"\nCMD ["app"]\n')


def test_multi_stage_of_a_final_stage_names_its_new_stage_apart_from_the_others() -> None:
    text = dockerfile(
        "FROM python:3.12 AS builder",
        "RUN echo a",
        "FROM python:3.12 AS deps",
        "RUN echo b",
        "FROM python:3.12-slim",
        "COPY . /app",
        "RUN pip install -r /app/requirements.txt",
    )
    result = apply_multi_stage(parse(text))
    assert "FROM python:3.12-slim AS python-deps\n" in result.text
    assert result.text.endswith("COPY --from=python-deps /install/ /\n")
    assert result.changes == (
        "already has 3 stages: a new python-deps stage runs pip install without caches;"
        " the final stage copies /install/",
    )


def test_multi_stage_of_a_final_stage_without_installs_gets_the_no_cache_fixes() -> None:
    result = apply_multi_stage(parse(case_input("pip-prefix")))
    assert result.text == to_no_cache(case_input("pip-prefix"))
    assert result.changes == (
        "already has 2 stages; its final stage (line 8) installs no Python dependencies, so it"
        " gets the no-cache fixes: apt lists removed after apt-get install (line 9)",
    )
    with pytest.raises(CannotTransform, match="already has 2 stages, and its final stage"):
        to_multi_stage(case_input("uv-guide-multi-stage"))


def test_multi_stage_moves_a_poetry_install_into_the_system_into_a_venv() -> None:
    builder, runtime = _stages(
        dockerfile(
            "FROM python:3.11-slim",
            'RUN pip install "poetry==2.1.3"',
            "WORKDIR /code",
            "COPY pyproject.toml poetry.lock ./",
            "RUN poetry config virtualenvs.create false && poetry install --only main --no-root",
            "COPY . .",
            'CMD ["python", "-m", "inventory"]',
        )
    )
    assert (
        "RUN poetry config virtualenvs.in-project true && poetry install --only main --no-root"
        " && rm -rf /root/.cache/pypoetry\n" in builder
    )
    assert runtime.endswith(
        "COPY --from=builder /code/.venv /code/.venv\n"
        'ENV PATH="/code/.venv/bin:$PATH"\nCOPY . .\nCMD ["python", "-m", "inventory"]\n'
    )
    assert "poetry" not in runtime


def test_multi_stage_leaves_build_only_packages_in_the_builder_and_says_so() -> None:
    result = apply_multi_stage(parse(case_input("compiled-deps")))
    builder, runtime = result.text.split("AS runtime")
    assert "build-essential \\\n        libpq-dev \\\n        libxml2-dev libxslt1-dev" in builder
    assert "libpq-dev" not in runtime.split("# Build-only")[0]
    assert "        curl \\\n" in runtime
    assert result.changes[1:] == (
        "make stays in the runtime (the runtime runs make, line 12)",
        "build-essential, libpq-dev, libxml2-dev, libxslt1-dev and pkg-config stay in the"
        " builder stage (build-only, lines 6 and 12)",
        "the runtime libraries the builder's extensions load are resolved when the variant is"
        " built (read from the built builder stage, installed in the runtime instead)",
    )


def test_multi_stage_with_a_library_plan_installs_it_in_the_runtime() -> None:
    from workbench.variants.libraries import LibraryPlan, RuntimePackage, save_plan

    so = "psycopg2/_psycopg.cpython-311-x86_64-linux-gnu.so"
    plan = LibraryPlan(packages=(RuntimePackage("libpq5", (f"needed by {so}",)),))
    given = apply_multi_stage(parse(case_input("pip-system")), libraries=plan)
    assert "#   libpq5: needed by psycopg2/_psycopg" in given.text
    assert given.changes[-1] == (
        f"the runtime installs libpq5 (needed by {so}) instead (read from the builder stage)"
    )
    pending = to_multi_stage(case_input("pip-system"))
    save_plan(pending, plan)
    kept = apply_multi_stage(parse(case_input("pip-system")))
    assert kept.text == given.text
    assert kept.changes[-1].endswith(
        "(read from the builder stage at its last build, and again at each build)"
    )

"""The cache-mount transform: golden cases, cache folders, users, existing mounts."""

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
from workbench.variants.cache_mount import to_cache_mount, unchanged_reason
from workbench.variants.instructions import parse


@pytest.mark.parametrize("case", CASE_NAMES)
def test_golden(case: str) -> None:
    check_golden(case, "cache-mount", to_cache_mount)


@pytest.mark.parametrize("case", outputs("cache-mount"))
def test_cache_mount_is_idempotent(case: str) -> None:
    once = (CASES / case / "cache-mount.Dockerfile").read_text()
    assert to_cache_mount(once) == once


def test_cache_mount_follows_uv_cache_dir_and_xdg() -> None:
    out = to_cache_mount(
        dockerfile(
            "FROM x",
            "ENV XDG_CACHE_HOME=/cache UV_LINK_MODE=copy",
            "RUN pip install six",
            "RUN uv sync --cache-dir=.uvc",
            "WORKDIR /w",
            "RUN UV_CACHE_DIR=/u uv pip install six",
        )
    )
    assert "RUN --mount=type=cache,target=/cache/pip \\\n    pip install six\n" in out
    assert "--mount=type=cache,target=/.uvc \\\n    uv sync --cache-dir=.uvc\n" in out
    assert "--mount=type=cache,target=/u \\\n    UV_CACHE_DIR=/u uv pip install six\n" in out
    assert "ENV UV_LINK_MODE=copy\n" not in out.split("\n", 2)[2]


def test_cache_mount_adds_uv_link_mode_once_per_stage() -> None:
    out = to_cache_mount(dockerfile("FROM x", "RUN uv sync", "RUN uv pip install six"))
    assert out.count("ENV UV_LINK_MODE=copy\n") == 1
    out = to_cache_mount(dockerfile("FROM x", "RUN uv sync --link-mode=copy"))
    assert "UV_LINK_MODE" not in out


def test_cache_mount_for_a_non_root_user_owns_its_cache() -> None:
    out = to_cache_mount(
        dockerfile("FROM x", "RUN useradd -m app", "USER app", "RUN pip install --user six")
    )
    assert out == dockerfile(
        "FROM x",
        "RUN useradd -m app",
        "USER app",
        "RUN mkdir -p /home/app/.cache/pip",
        "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000 \\",
        "    pip install --user six",
    )


def test_cache_mount_for_a_numeric_user() -> None:
    out = to_cache_mount(dockerfile("FROM x", "ENV HOME=/h", "USER 5000:6000", "RUN uv sync"))
    assert "--mount=type=cache,target=/h/.cache/uv,uid=5000,gid=6000 \\\n" in out


def test_cache_mount_refuses_a_user_of_unknown_uid() -> None:
    with pytest.raises(CannotTransform, match="uid of user 'someone'"):
        to_cache_mount(dockerfile("FROM x", "USER someone", "RUN uv sync"))


def test_cache_mount_keeps_existing_mounts() -> None:
    text = dockerfile("FROM x", "RUN --mount=type=cache,target=/root/.cache/uv uv sync")
    assert to_cache_mount(text) == text


def test_cache_mount_mounts_poetrys_cache_and_drops_its_removal() -> None:
    out = to_cache_mount(
        dockerfile(
            "FROM x",
            "ENV POETRY_CACHE_DIR=/tmp/poetry POETRY_VIRTUALENVS_IN_PROJECT=1",
            "RUN poetry install --no-root && rm -rf $POETRY_CACHE_DIR",
        )
    )
    assert out.endswith(
        "RUN --mount=type=cache,target=/tmp/poetry \\\n    poetry install --no-root\n"
    )


def test_cache_mount_keeps_poetrys_virtualenvs_out_of_the_mount() -> None:
    out = to_cache_mount(dockerfile("FROM x", "RUN poetry install"))
    assert out == dockerfile(
        "FROM x",
        "RUN --mount=type=cache,target=/root/.cache/pypoetry/cache \\",
        "    --mount=type=cache,target=/root/.cache/pypoetry/artifacts \\",
        "    poetry install",
    )


def test_cache_mount_drops_pips_short_no_cache_flag() -> None:
    out = to_cache_mount(dockerfile("FROM x", "RUN pip install --no-cache /wheels/*"))
    assert out.endswith(
        "RUN --mount=type=cache,target=/root/.cache/pip \\\n    pip install /wheels/*\n"
    )


def test_the_reason_cache_mount_changes_nothing_names_the_mounted_installs() -> None:
    assert unchanged_reason(parse(case_input("uv-guide"))) == (
        "every dependency install already mounts a cache (line 5: uv sync; line 10: uv sync)"
    )
    assert unchanged_reason(parse(case_input("no-install"))) is None

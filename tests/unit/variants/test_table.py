"""The table of variants and deriving them from a project folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.unit.variants.golden import CASE_NAMES, CASES, case_input
from workbench.errors import ProjectError, VariantError, WorkbenchError
from workbench.variants.model import Variant
from workbench.variants.table import (
    PLAN_TASKS,
    VARIANT_NAMES,
    VARIANTS,
    derive_variant,
    derive_variants,
    variant_order,
)


def test_the_golden_cases_cover_what_the_plan_needs() -> None:
    assert {
        "plan",
        "pip-system",
        "apt-comments",
        "multi-stage-input",
        "heredoc",
        "no-from",
    } <= set(CASE_NAMES)


def test_names_plan_tasks_and_order_come_from_the_one_table() -> None:
    assert VARIANT_NAMES == (
        "baseline",
        "no-cache",
        "multi-stage",
        "cache-mount",
        "pruned-deps",
        "combined",
        "custom",
        "optimized",
    )
    assert PLAN_TASKS == {
        "baseline": None,
        "no-cache": "priority 1",
        "multi-stage": "priority 3",
        "cache-mount": None,
        "pruned-deps": "priority 2",
        "combined": "priority 1+2+3",
        "custom": None,
        "optimized": None,
    }
    assert [kind.name for kind in VARIANTS] == list(VARIANT_NAMES)
    assert sorted(["zzz", "custom", "aaa", "baseline"], key=variant_order) == [
        "baseline",
        "custom",
        "aaa",
        "zzz",
    ]


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_derive_variants_gives_every_variant_in_order(project: Path, fake_lock: list) -> None:
    before = _hashes(project)
    found = derive_variants(project, drop=["IDNA"])
    assert [v.name for v in found] == list(VARIANT_NAMES)
    assert all(isinstance(v, Variant) for v in found)
    assert _hashes(project) == before, "the user's files never change"
    by_name = {v.name: v for v in found}
    assert by_name["custom"].error == "no custom Dockerfile saved for this project yet"
    assert by_name["optimized"].error.startswith("no optimize run has kept a fix yet; run ")
    for name in VARIANT_NAMES[:-2]:
        assert by_name[name].ok, (name, by_name[name].error)
        assert "\n" not in by_name[name].summary
    combined_task = by_name["combined"].plan_task
    assert [by_name[n].plan_task for n in VARIANT_NAMES if n != "combined"] == [
        PLAN_TASKS[n] for n in VARIANT_NAMES if n != "combined"
    ]
    assert combined_task == "priority 1+2+3"
    assert len(fake_lock) == 1, "the lock is regenerated once, shared by pruned and combined"


def test_baseline_is_the_dockerfile_untouched(project: Path) -> None:
    variant = derive_variant(project, "baseline")
    assert variant.dockerfile == (project / "Dockerfile").read_text()
    assert variant.diff == ""
    assert variant.plan_task is None
    assert variant.requires_buildkit is False
    assert variant.extra_files == {}


def test_no_cache_variant(project: Path) -> None:
    variant = derive_variant(project, "no-cache")
    assert variant.summary == "--no-cache on uv sync (line 11)"
    assert variant.plan_task == "priority 1"
    assert variant.diff.startswith("--- Dockerfile (baseline)\n+++ Dockerfile (no-cache)\n")
    assert "-RUN uv sync --frozen --no-dev --no-install-project\n" in variant.diff
    assert "+RUN uv sync --frozen --no-dev --no-install-project --no-cache\n" in variant.diff


def test_multi_stage_variant(project: Path) -> None:
    variant = derive_variant(project, "multi-stage")
    assert variant.plan_task == "priority 3"
    assert variant.summary == (
        "builder stage runs uv sync without caches; runtime copies /app/.venv"
        " and leaves out uv, pyproject.toml, uv.lock"
    )
    assert "COPY --from=builder /app/.venv /app/.venv\n" in variant.dockerfile


def test_cache_mount_variant_requires_buildkit(project: Path) -> None:
    variant = derive_variant(project, "cache-mount")
    assert variant.requires_buildkit is True
    assert variant.plan_task is None
    assert "RUN --mount=type=cache,target=/root/.cache/uv \\\n" in variant.dockerfile


@pytest.mark.parametrize("case", ["heredoc", "no-from"])
def test_untransformable_dockerfiles_give_variants_that_say_why(
    tmp_path: Path, home: Path, case: str
) -> None:
    (tmp_path / "Dockerfile").write_text(case_input(case))
    found = {v.name: v for v in derive_variants(tmp_path, drop=["six"])}
    assert found["baseline"].ok
    expected = (CASES / case / "no-cache.error").read_text().strip()
    for name in ("no-cache", "multi-stage", "cache-mount", "combined"):
        assert found[name].error == f"Dockerfile {expected}", name
        assert found[name].dockerfile is None
    assert found["pruned-deps"].error == f"no pyproject.toml in {tmp_path}"


def test_a_transform_that_changes_nothing_is_not_offered(tmp_path: Path, home: Path) -> None:
    (tmp_path / "Dockerfile").write_text(case_input("no-install"))
    found = {v.name: v for v in derive_variants(tmp_path)}
    assert found["no-cache"].error == (
        "nothing to change: every dependency install already runs without a cache"
    )
    assert found["multi-stage"].error.startswith("Dockerfile has no Python dependency install")
    assert found["cache-mount"].error.startswith("nothing to change")


def test_the_dockerfile_name_is_configurable(project: Path) -> None:
    (project / "Dockerfile").rename(project / "Dockerfile.prod")
    variant = derive_variant(project, "no-cache", dockerfile="Dockerfile.prod")
    assert variant.diff.startswith("--- Dockerfile.prod (baseline)\n")


def test_unknown_variant_names_the_known_ones(project: Path) -> None:
    with pytest.raises(VariantError) as caught:
        derive_variant(project, "smaller")
    message = str(caught.value)
    assert isinstance(caught.value, WorkbenchError)
    assert "\n" not in message
    assert message == (
        "unknown variant 'smaller'; known variants: baseline, no-cache, multi-stage,"
        " cache-mount, pruned-deps, combined, custom, optimized"
    )


def test_missing_project_or_dockerfile_is_a_project_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="is not a folder"):
        derive_variants(tmp_path / "nope")
    with pytest.raises(ProjectError, match=r"^no Dockerfile in "):
        derive_variants(tmp_path)


def test_the_golden_cases_cover_the_installer_layouts_users_measured() -> None:
    assert {
        "uv-guide",
        "uv-guide-multi-stage",
        "poetry-run",
        "pip-wheels",
        "uv-pip-system",
        "pip-prefix",
        "cache-mounted",
    } <= set(CASE_NAMES)


def test_a_dockerfile_whose_installs_mount_their_caches_says_so(tmp_path: Path, home: Path) -> None:
    (tmp_path / "Dockerfile").write_text(case_input("cache-mounted"))
    found = {v.name: v for v in derive_variants(tmp_path)}
    expected = (
        "nothing to change: every dependency install already mounts a cache"
        " (line 5: apt-get install; line 10: pip install)"
    )
    assert found["no-cache"].error == expected
    assert found["cache-mount"].error == expected
    assert found["multi-stage"].ok


def test_the_multi_stage_variant_of_uvs_guide_says_what_it_did(tmp_path: Path, home: Path) -> None:
    (tmp_path / "Dockerfile").write_text(case_input("uv-guide"))
    variant = derive_variant(tmp_path, "multi-stage")
    assert variant.summary == (
        "builder stage runs uv sync without caches; runtime copies /app/.venv;"
        " runtime FROM python:3.11-slim-bookworm (the Python image"
        " ghcr.io/astral-sh/uv:python3.11-bookworm-slim is built on) without uv;"
        " CMD runs hello from the venv (was uv run hello, line 14);"
        " uv sync --no-editable (line 10), so the venv does not point back at the builder's source"
    )
    assert variant.requires_buildkit
    assert derive_variant(tmp_path, "no-cache").error == (
        "nothing to change: every dependency install already mounts a cache"
        " (line 5: uv sync; line 10: uv sync)"
    )

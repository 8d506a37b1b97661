"""The combined variant: multi-stage, no-cache installs and pruned dependencies together."""

from __future__ import annotations

from pathlib import Path

from tests.unit.variants.golden import case_input
from workbench.variants.table import derive_variant


def test_combined_variant_says_what_it_chose(project: Path, fake_lock: list) -> None:
    variant = derive_variant(project, "combined", drop=["idna"])
    assert variant.summary.startswith(
        "multi-stage with no-cache installs; cache-mount not used (it is the alternative to"
        " no-cache); drops idna"
    )
    assert variant.dockerfile == derive_variant(project, "multi-stage").dockerfile
    assert set(variant.extra_files) == {"pyproject.toml", "uv.lock"}
    without = derive_variant(project, "combined")
    assert without.plan_task == "priority 1+3"
    assert "no pruning (no dependencies chosen to drop)" in without.summary


def test_combined_falls_back_to_no_cache_for_multi_stage_input(tmp_path: Path, home) -> None:
    (tmp_path / "Dockerfile").write_text(case_input("multi-stage-input"))
    variant = derive_variant(tmp_path, "combined")
    assert variant.ok
    assert variant.summary.startswith("no-cache (multi-stage skipped: already has 2 stages")
    assert variant.plan_task == "priority 1"

"""The Dockerfile a build builds: the classic builder's form of a builder's bind-mounted wheels."""

from __future__ import annotations

from pathlib import Path

from tests.unit.variants.golden import CASES, case_input
from workbench.build import prepare
from workbench.project import load_project
from workbench.variants.multi_stage import to_multi_stage
from workbench.variants.syntax import needs_buildkit


def _project(tmp_path: Path):
    (tmp_path / "Dockerfile").write_text(case_input("pip-wheels"))
    return load_project(tmp_path)


def test_buildkit_builds_the_bind_mounts_as_they_are(tmp_path: Path) -> None:
    text = to_multi_stage(case_input("pip-wheels"))
    assert prepare.for_builder(_project(tmp_path), text, "buildkit") == text


def test_the_classic_builder_gets_the_variant_derived_for_it(tmp_path: Path) -> None:
    text = to_multi_stage(case_input("pip-wheels"))
    classic = prepare.for_builder(_project(tmp_path), text, "classic")
    assert classic == (CASES / "pip-wheels" / "multi-stage-classic.Dockerfile").read_text()
    assert not needs_buildkit(classic)


def test_a_text_that_is_not_our_derivation_gets_its_wheels_copied_and_removed(
    tmp_path: Path,
) -> None:
    text = to_multi_stage(case_input("pip-wheels")).replace("USER app", "USER root")
    classic = prepare.for_builder(_project(tmp_path), text, "classic")
    assert "RUN pip install --no-cache /wheels/* && rm -rf /wheels\n" in classic
    assert not needs_buildkit(classic)


def test_other_dockerfiles_never_ask_which_builder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(prepare, "available_builders", lambda: 1 / 0)
    text = case_input("pip-system")
    assert prepare.for_builder(_project(tmp_path), text, None) == text

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SAMPLE_PROJECT
from workbench.errors import ProjectError
from workbench.project import load_project, slug


def test_the_sample_has_everything() -> None:
    project = load_project(SAMPLE_PROJECT)
    assert project.name == "elevendops"
    assert project.pyproject and project.lock and project.plan_file
    assert "uv sync --frozen --no-dev --no-install-project\n" in project.dockerfile_text()
    assert project.key.startswith("elevendops-")


def test_a_missing_folder_says_what_to_pick(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="no project folder"):
        load_project(tmp_path / "nowhere")


def test_a_folder_without_dockerfile_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="has no Dockerfile"):
        load_project(tmp_path)


def test_a_bare_folder_with_only_a_dockerfile(tmp_path: Path) -> None:
    folder = tmp_path / "Mon Projet é"
    folder.mkdir()
    (folder / "Dockerfile").write_text("FROM scratch\n")
    project = load_project(folder)
    assert project.plan() is None
    assert project.pyproject is None
    assert project.name == "mon-projet"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("ElevenDops", "elevendops"), ("my_app 2", "my-app-2"), ("***", "project")],
)
def test_slug_fits_image_names(name: str, expected: str) -> None:
    assert slug(name) == expected

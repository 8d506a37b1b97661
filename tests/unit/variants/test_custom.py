"""The custom variant: a Dockerfile the user edits, saved per project."""

from __future__ import annotations

import re
from pathlib import Path

from workbench.project import project_key
from workbench.variants.custom import (
    delete_custom_dockerfile,
    load_custom_dockerfile,
    save_custom_dockerfile,
)
from workbench.variants.table import derive_variant


def test_project_key_is_a_slug_and_a_hash(tmp_path: Path) -> None:
    key = project_key(tmp_path / "My Project!")
    assert re.fullmatch(r"my-project-[0-9a-f]{8}", key)
    assert key == project_key(tmp_path / "x" / ".." / "My Project!")
    assert key != project_key(tmp_path / "other" / "My Project!")


def test_custom_dockerfile_is_saved_under_the_workbench_home(project: Path, home: Path) -> None:
    assert load_custom_dockerfile(project) is None
    path = save_custom_dockerfile(project, "FROM scratch\n")
    assert path == home / "projects" / project_key(project) / "custom.Dockerfile"
    assert load_custom_dockerfile(project) == "FROM scratch\n"
    variant = derive_variant(project, "custom")
    assert variant.ok
    assert variant.dockerfile == "FROM scratch\n"
    assert variant.summary == f"your own Dockerfile (saved in {path})"
    assert "+FROM scratch\n" in variant.diff
    assert delete_custom_dockerfile(project) is True
    assert load_custom_dockerfile(project) is None


def test_custom_text_overrides_the_saved_one(project: Path) -> None:
    save_custom_dockerfile(project, "FROM scratch\n")
    text = "FROM x\nRUN --mount=type=cache,target=/c true\n"
    variant = derive_variant(project, "custom", custom_text=text)
    assert variant.dockerfile == text
    assert variant.requires_buildkit is True
    assert variant.summary == "your own Dockerfile (edited, not saved)"
    bad = derive_variant(project, "custom", custom_text="RUN true\n")
    assert bad.error == "the custom Dockerfile has no FROM instruction"

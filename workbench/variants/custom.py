"""The custom variant: a Dockerfile the user edits, saved per project under the workbench home."""

from __future__ import annotations

from pathlib import Path

from workbench.home import workbench_home
from workbench.project import project_key


def custom_dockerfile_path(project_dir: Path) -> Path:
    """Where a project's custom Dockerfile lives, under the workbench home."""
    return workbench_home() / "projects" / project_key(project_dir) / "custom.Dockerfile"


def load_custom_dockerfile(project_dir: Path) -> str | None:
    """Return the project's saved custom Dockerfile, None if none was saved."""
    path = custom_dockerfile_path(project_dir)
    return path.read_text("utf-8") if path.is_file() else None


def save_custom_dockerfile(project_dir: Path, text: str) -> Path:
    """Save a project's custom Dockerfile (atomically) and return where it went."""
    path = custom_dockerfile_path(project_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".tmp")
    scratch.write_text(text, "utf-8")
    scratch.replace(path)
    return path


def delete_custom_dockerfile(project_dir: Path) -> bool:
    """Delete the project's custom Dockerfile; return whether there was one."""
    path = custom_dockerfile_path(project_dir)
    if path.is_file():
        path.unlink()
        return True
    return False

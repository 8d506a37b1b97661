"""A project on disk: the folder with a Dockerfile, and what lies beside it."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import ProjectError
from workbench.project.plan import PLAN_FILE, Plan, load_plan


@dataclass(frozen=True)
class Project:
    """A Python project with a Dockerfile, as the workbench sees it."""

    path: Path
    dockerfile: Path
    pyproject: Path | None
    lock: Path | None
    plan_file: Path | None

    @property
    def name(self) -> str:
        """The folder's name, as used in image tags."""
        return slug(self.path.name)

    @property
    def key(self) -> str:
        """A stable key: the name plus a short hash of the absolute path."""
        return project_key(self.path)

    def dockerfile_text(self) -> str:
        try:
            return self.dockerfile.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ProjectError(f"{self.dockerfile} is not UTF-8 text") from exc

    def plan(self) -> Plan | None:
        """The project's plan, or None when it has no plan file."""
        return load_plan(self.plan_file) if self.plan_file else None


def slug(name: str) -> str:
    """A lower-case name fit for an image repository."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return cleaned or "project"


def project_key(folder: str | Path) -> str:
    """A project's stable key: a slug of its folder's name and a hash of its absolute path.

    For example ``elevendops-1a2b3c4d``.
    """
    path = Path(folder).expanduser().resolve()
    digest = hashlib.sha256(str(path).encode("utf-8")).hexdigest()[:8]
    return f"{slug(path.name)}-{digest}"


def load_project(path: str | Path, dockerfile: str = "Dockerfile") -> Project:
    """Look at a project folder.

    Args:
        path: the folder.
        dockerfile: the Dockerfile's name inside it.

    Raises:
        ProjectError: when the folder or its Dockerfile is missing.
    """
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise ProjectError(f"no project folder at {folder}; pick a folder that holds a Dockerfile")
    folder = folder.resolve()
    docker_file = folder / dockerfile
    if not docker_file.is_file():
        raise ProjectError(f"{folder} has no {dockerfile}; pick a folder that holds one")

    def optional(name: str) -> Path | None:
        candidate = folder / name
        return candidate if candidate.is_file() else None

    return Project(
        path=folder,
        dockerfile=docker_file,
        pyproject=optional("pyproject.toml"),
        lock=optional("uv.lock"),
        plan_file=optional(PLAN_FILE),
    )

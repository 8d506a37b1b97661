"""The audit's sources: the project files and folders the image holds.

What the Dockerfile's final stage copies from the project (manifests excepted), or the
folders and files the user names instead; and, back the other way, the project file an
image path comes from (the start scripts are read from the project through it).
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import AuditError
from workbench.project import Project
from workbench.project.manifests import is_manifest
from workbench.variants import dockerfile as df


@dataclass(frozen=True)
class CopiedSource:
    """A project path a final-stage COPY/ADD puts into the image.

    Attributes:
        source: the path in the project (relative, POSIX).
        dest: where it lands in the image (absolute).
        is_dir: whether the source is a folder.
    """

    source: str
    dest: str
    is_dir: bool


def audit_sources(
    project: Project, dockerfile_text: str, sources: Sequence[str] | None = None
) -> list[CopiedSource]:
    """The sources to scan: those given, else those the Dockerfile copies.

    Args:
        project: the project.
        dockerfile_text: its Dockerfile.
        sources: folders/files relative to the project; by default those the
            Dockerfile copies.

    Returns:
        At least one source.

    Raises:
        AuditError: a given source is not in the project, or there is none to scan.
    """
    if sources:
        copies = given_sources(project.path, sources)
    else:
        copies = copied_sources(dockerfile_text, project.path)
    if not copies:
        raise AuditError(
            "the Dockerfile copies no project files to scan; name the source folders "
            "(`--source backend`)"
        )
    return copies


def given_sources(project_dir: Path, sources: Sequence[str]) -> list[CopiedSource]:
    """The folders and files named by the user, as if copied to ``/<name>``.

    Raises:
        AuditError: one of them is not in the project.
    """
    copies = []
    for rel in sources:
        path = (project_dir / rel).resolve()
        if not path.exists():
            raise AuditError(f"{rel} is not in {project_dir}; name folders inside the project")
        copies.append(
            CopiedSource(path.relative_to(project_dir).as_posix(), "/" + path.name, path.is_dir())
        )
    return copies


def copied_sources(dockerfile_text: str, project_dir: Path) -> list[CopiedSource]:
    """The project files and folders the Dockerfile's final stage copies (manifests excepted).

    Args:
        dockerfile_text: the Dockerfile.
        project_dir: the build context.

    Returns:
        One entry per source that exists in the project (globs expanded).
    """
    out: list[CopiedSource] = []
    for spec, dest in df.final_stage_context_copies(dockerfile_text):
        into_folder = spec.dest.endswith("/") or len(spec.sources) > 1
        for pattern in spec.sources:
            if "://" in pattern:
                continue
            for match in _matches(pattern, project_dir):
                if match.is_file() and is_manifest(match.name):
                    continue
                out.append(_copied(match, project_dir, dest, into_folder))
    return out


def _matches(pattern: str, project_dir: Path) -> list[Path]:
    """The project paths a COPY source pattern names (``.`` is the project itself)."""
    if pattern.strip("/") in ("", "."):
        return [project_dir]
    return sorted(project_dir.glob(pattern.strip("/"))) if pattern.strip("/.") else []


def _copied(match: Path, project_dir: Path, dest: str, into_folder: bool) -> CopiedSource:
    """Where one matched project path lands in the image."""
    rel = match.relative_to(project_dir).as_posix()
    if match.is_dir():
        target = dest  # a folder's content lands in dest
    elif into_folder or dest.endswith("/"):
        target = posixpath.join(dest, match.name)
    else:
        target = dest
    return CopiedSource("." if rel == "." else rel, posixpath.normpath(target), match.is_dir())


def project_file(target: str, copies: Sequence[CopiedSource], project_dir: Path) -> Path | None:
    """The project file an absolute image path was copied from, if one was."""
    for copy in copies:
        if copy.is_dir:
            prefix = copy.dest.rstrip("/") + "/"
            if target.startswith(prefix):
                return project_dir / copy.source / target[len(prefix) :]
        elif target == copy.dest:
            return project_dir / copy.source
    return None

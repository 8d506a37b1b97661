"""The optimized variant: the Dockerfile ``workbench optimize`` found and proved, saved per
project under the workbench home (never in the project).

An optimize run (:mod:`workbench.findings.optimize`) builds each fix, keeps those that
pass their smoke test and save bytes, and saves the result here: the Dockerfile, the
files it overlays on the build context (a ``.dockerignore``, pruned manifests), and a
line saying which fixes it holds.  The table of variants derives ``optimized`` from it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from workbench.home import workbench_home
from workbench.project import project_key

FILE_NAME = "optimized.json"


@dataclass(frozen=True)
class SavedOptimized:
    """The optimized Dockerfile of a project.

    Attributes:
        dockerfile: its text.
        extra_files: files overlaid on the build context (relative path -> content).
        summary: the fixes it holds, in one line.
    """

    dockerfile: str
    extra_files: Mapping[str, bytes] = field(default_factory=dict)
    summary: str = ""


def optimized_path(project_dir: Path) -> Path:
    """Where a project's optimized Dockerfile lives, under the workbench home."""
    return workbench_home() / "projects" / project_key(project_dir) / FILE_NAME


def save_optimized(project_dir: Path, saved: SavedOptimized) -> Path:
    """Save a project's optimized Dockerfile (atomically); return where it went."""
    path = optimized_path(project_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "dockerfile": saved.dockerfile,
        "summary": saved.summary,
        "extra_files": {
            name: base64.b64encode(content).decode("ascii")
            for name, content in saved.extra_files.items()
        },
    }
    scratch = path.with_suffix(".tmp")
    scratch.write_text(json.dumps(data, indent=2), "utf-8")
    scratch.replace(path)
    return path


def load_optimized(project_dir: Path) -> SavedOptimized | None:
    """The project's saved optimized Dockerfile, ``None`` when no run saved one (or the
    file is unreadable)."""
    path = optimized_path(project_dir)
    try:
        data = json.loads(path.read_text("utf-8"))
        files = {n: base64.b64decode(c) for n, c in (data.get("extra_files") or {}).items()}
        return SavedOptimized(data["dockerfile"], files, data.get("summary", ""))
    except (OSError, ValueError, KeyError, TypeError):
        return None

"""Recently opened projects, kept in the workbench home."""

from __future__ import annotations

import json
from pathlib import Path

from workbench.home import workbench_home

MAX_RECENT = 10


def _file() -> Path:
    return workbench_home() / "recent_projects.json"


def recent_projects() -> list[str]:
    """Folders opened before, newest first; unreadable files give an empty list."""
    try:
        data = json.loads(_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [str(item) for item in data if isinstance(item, str)][:MAX_RECENT]


def remember_project(path: str | Path) -> list[str]:
    """Put a folder first in the recent list and return the list."""
    folder = str(Path(path))
    items = [folder] + [item for item in recent_projects() if item != folder]
    target = _file()
    scratch = target.with_suffix(".tmp")
    scratch.write_text(json.dumps(items[:MAX_RECENT], indent=1), encoding="utf-8")
    scratch.replace(target)
    return items[:MAX_RECENT]

"""Where the workbench keeps its state: ``WORKBENCH_HOME`` or ``.workbench/``."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PROJECT = REPO_ROOT / "samples" / "elevendops"


def workbench_home() -> Path:
    """Return the workbench home folder, creating it if needed.

    ``WORKBENCH_HOME`` when set, else ``.workbench`` in the current working folder.
    """
    home = Path(os.environ.get("WORKBENCH_HOME") or Path.cwd() / ".workbench").expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home

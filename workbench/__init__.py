"""The Docker image optimization workbench: the core, free of any UI."""

from __future__ import annotations

__version__ = "0.1.0"

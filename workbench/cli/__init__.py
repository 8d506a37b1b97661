"""The ``workbench`` command line (:mod:`workbench.cli.app`), one module per command group."""

from __future__ import annotations

from workbench.cli.app import app, main

__all__ = ["app", "main"]

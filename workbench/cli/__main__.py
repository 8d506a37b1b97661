"""``python -m workbench.cli``: the same as the ``workbench`` console script."""

from __future__ import annotations

from workbench.cli.app import main

main()

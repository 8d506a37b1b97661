"""Unused and development-only dependencies, from the audit's candidates."""

from __future__ import annotations

from tests.unit.analysis.analysis_archives import File
from tests.unit.findings.images import findings_of
from workbench.findings.model import Removal
from workbench.findings.unused_dependencies import RULE

SITE = "app/.venv/lib/python3.11/site-packages"


def test_each_candidate_with_bytes_is_a_finding_at_the_install_line() -> None:
    removals = (
        Removal(
            "pytest",
            "pytest>=8",
            "dev-tool",
            "certain",
            "a test runner",
            1800,
            ("pytest", "pluggy"),
        ),
        Removal("six", "six>=1.16", "unused", "guess", "no file imports it", 40, ("six",), False),
        Removal("gone", "gone", "unused", "certain", "", None),
    )
    found = findings_of(
        [[File("app/.venv/pyvenv.cfg", b"h"), File(f"{SITE}/pytest/__init__.py", b"p" * 1800)]],
        ["RUN uv sync --frozen"],
        rule=RULE,
        removals=removals,
    )
    assert [(f.title, f.bytes, f.line, f.fix, f.certainty, f.detail) for f in found] == [
        (
            "pytest: development tool (pytest>=8)",
            1800,
            3,
            "pruned-deps",
            "certain",
            "pytest, pluggy",
        ),
        ("six: unused dependency (six>=1.16)", 40, 3, None, "guess", "six"),
    ]

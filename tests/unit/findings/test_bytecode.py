"""Bytecode: its bytes per layer of the Dockerfile, a trade-off with no default fix."""

from __future__ import annotations

from tests.unit.analysis.analysis_archives import File
from tests.unit.findings.images import BASE, findings_of
from workbench.findings.bytecode import RULE

SITE = "app/.venv/lib/python3.11/site-packages"


def test_pyc_files_of_the_install_layer_are_a_trade_off() -> None:
    [finding] = findings_of(
        [
            [
                File(f"{SITE}/__pycache__/a.cpython-311.pyc", b"c" * 700),
                File(f"{SITE}/a.py", b"a" * 90),
            ]
        ],
        ["RUN uv sync"],
        rule=RULE,
        base=[*BASE, File("usr/lib/python3.11/__pycache__/os.cpython-311.pyc", b"o" * 5)],
    )
    assert (finding.bytes, finding.line, finding.fix, finding.trade_off) == (700, 3, None, True)

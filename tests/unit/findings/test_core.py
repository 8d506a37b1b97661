"""The chain of rules: every rule module tried, the findings ranked."""

from __future__ import annotations

from tests.unit.analysis.analysis_archives import File
from tests.unit.findings.images import analysed, dockerfile
from workbench.findings import RULE_IDS, RULES, run_findings
from workbench.findings.core import Core


def test_every_rule_has_an_id_and_a_find() -> None:
    assert RULE_IDS == (
        "installer-cache",
        "apt-cache",
        "apt-recommends",
        "build-tools",
        "installer-inputs",
        "chown-duplicate",
        "deleted-later",
        "context-files",
        "unused-dependency",
        "bytecode",
    )
    assert all(callable(rule.find) for rule in RULES)


def test_findings_of_several_rules_come_largest_first() -> None:
    instructions = ["COPY --from=uv /uv /bin/uv", "RUN uv sync"]
    analysis = analysed(
        [
            [File("usr/bin/uv", b"u" * 400)],
            [File("root/.cache/uv/x", b"c" * 900), File("app/.venv/pyvenv.cfg", b"h")],
        ],
        instructions,
    )
    found = run_findings(analysis, dockerfile=dockerfile(instructions))
    assert [(f.rule, f.bytes, f.line) for f in found] == [
        ("installer-cache", 900, 4),
        ("build-tools", 400, 3),
    ]
    assert Core(analysis, dockerfile(instructions)).run() == found

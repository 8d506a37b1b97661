"""Findings and their JSON; the audit's candidates read from its stored JSON."""

from __future__ import annotations

import json

from workbench.analysis import PathSize
from workbench.findings.model import Finding, Removal, ranked, removals

FINDING = Finding(
    rule="installer-cache",
    title="uv's cache left in the image (line 22)",
    bytes=596_304_761,
    layer=8,
    line=22,
    instruction="RUN uv sync --frozen",
    why="why",
    fix="no-cache",
    paths=(PathSize("/root/.cache/uv/a", 10),),
)


def test_the_json_has_the_documented_keys_and_reads_back() -> None:
    data = json.loads(json.dumps(FINDING.to_dict()))
    assert {"rule", "title", "bytes", "layer", "line", "fix", "certainty"} <= set(data)
    assert data["paths"] == [{"path": "/root/.cache/uv/a", "bytes": 10}]
    assert Finding.from_dict(data) == FINDING


def test_ranked_is_largest_first() -> None:
    small = Finding("bytecode", "t", 5, 1, 3, "", "", None)
    assert ranked([small, FINDING]) == [FINDING, small]


def test_removals_come_from_the_audits_json() -> None:
    audit = {
        "candidates": [
            {"name": "ruff", "requirement": "ruff>=0.7", "kind": "dev-tool", "certainty": "certain",
             "reason": "a linter", "bytes": 50, "packages": ["ruff"], "selected": True},
            {"broken": True},
        ]
    }  # fmt: skip
    assert removals(audit) == (
        Removal("ruff", "ruff>=0.7", "dev-tool", "certain", "a linter", 50, ("ruff",), True),
    )
    assert removals(None) == ()

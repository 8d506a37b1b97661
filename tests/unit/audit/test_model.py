"""The audit's result: its exit code and its JSON shape, as the CLI shows them."""

from __future__ import annotations

import json
from dataclasses import replace

from workbench.audit.model import (
    CERTAIN,
    GUESS,
    Audit,
    AuditWarning,
    Candidate,
    Overlap,
    OverlapMember,
    ScriptUse,
)


def _audit(**changes: object) -> Audit:
    audit = Audit(
        project_path="/p",
        project_key="p-1",
        image="p:1",
        image_id="sha256:p",
        names_from="image",
        sources=("app",),
        python_files=3,
        declared=("six", "pytest"),
        candidates=(
            Candidate("pytest", "pytest", "dev-tool", "move", CERTAIN, "r", 30, 5, ("pytest",)),
            Candidate(
                "six", "six", "unused", "remove", GUESS, "r", 10, 0, ("six",), selected=False
            ),
        ),  # fmt: skip
        overlaps=(
            Overlap(
                "HTTP clients", (OverlapMember("httpx", "httpx", ("a.py",), 2, 2),), GUESS, "x"
            ),
        ),
        warnings=(AuditWarning("DEP001", "nope", "nope is imported", ("a.py:1",)),),
        script_uses=(ScriptUse("gunicorn", "gunicorn", "CMD", CERTAIN),),
        dev_group="",
        notes=("a note",),
        total_bytes=30,
        total_packages=("pytest",),
        plan_min_bytes=20,
        plan_max_bytes=40,
        total_cached_bytes=5,
        sizes={"pytest": 30, "six": 10},
        cached={"pytest": 5},
        created_at=1.5,
    )
    return replace(audit, **changes)


def test_an_audit_reads_back_what_to_dict_wrote() -> None:
    audit = _audit()
    data = json.loads(json.dumps(audit.to_dict()))
    assert data["plan_verdict"] == "within"
    assert data["candidates"][0]["packages"] == ["pytest"]
    assert data["overlaps"][0]["members"][0]["files"] == ["a.py"]
    assert Audit.from_dict(data) == audit


def test_the_selected_names_their_bytes_and_the_plans_verdict() -> None:
    audit = _audit()
    assert audit.found and audit.exit_code == 1
    assert audit.selected_names() == ("pytest",)
    assert audit.removal_bytes(["Six", "pytest"]) == (40, ("pytest", "six"))
    assert audit.cached_part(["pytest", "six"]) == 5
    assert [audit.plan_verdict(v) for v in (10, 30, 50)] == ["below", "within", "above"]
    bare = _audit(image_id=None, candidates=(), overlaps=(), plan_min_bytes=None)
    assert not bare.found and bare.exit_code == 0
    assert bare.removal_bytes(["six"]) == (None, ("six",))
    assert bare.cached_part(["six"]) is None
    assert bare.plan_verdict() == ""

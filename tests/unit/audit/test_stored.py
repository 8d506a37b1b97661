"""Audits kept in the store: the newest one, and audits run in the background."""

from __future__ import annotations

import json
import time
from dataclasses import replace

from tests.unit.audit.audit_fixtures import SHOP, facts_for
from workbench.audit.core import run_audit
from workbench.audit.graph import load_lock
from workbench.audit.model import Audit
from workbench.audit.stored import latest_audit
from workbench.project import load_project
from workbench.store import Store


def test_the_audit_is_kept_in_the_store_and_reads_back_equal(shop) -> None:
    audit = run_audit(shop, facts=facts_for(load_lock(SHOP / "uv.lock")))
    again = latest_audit(shop)
    assert again is not None
    assert abs(again.created_at - audit.created_at) < 5  # the store's own time
    assert replace(again, created_at=audit.created_at) == audit
    assert Store().latest_audit(shop.key)["image_id"] == "sha256:shop"
    assert Audit.from_dict(json.loads(json.dumps(audit.to_dict()))) == audit


def test_a_background_audit_lands_in_the_store_or_says_why_not(shop, tmp_path) -> None:
    from workbench.audit.stored import audit_error, audit_running, start_audit

    assert start_audit(shop, use_image=False)
    deadline = time.monotonic() + 60
    while audit_running(shop) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert audit_error(shop) is None
    assert latest_audit(shop) is not None
    (tmp_path / "Dockerfile").write_text("FROM x\n")
    bare = load_project(tmp_path)
    start_audit(bare, use_image=False)
    while audit_running(bare):
        time.sleep(0.05)
    assert "no pyproject.toml" in audit_error(bare)

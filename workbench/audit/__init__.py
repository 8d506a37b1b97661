"""The dependency audit (plan priority 2): what the image installs that the app never uses."""

from __future__ import annotations

from workbench.audit.core import (
    CERTAIN,
    GUESS,
    Audit,
    AuditWarning,
    Candidate,
    Overlap,
    OverlapMember,
    ScriptUse,
    audit_error,
    audit_running,
    is_dev_tool,
    latest_audit,
    run_audit,
    start_audit,
)
from workbench.audit.distributions import Distribution, ImageFacts, read_image_facts
from workbench.audit.graph import LockGraph, load_lock, parse_lock

__all__ = [
    "CERTAIN",
    "GUESS",
    "Audit",
    "AuditWarning",
    "Candidate",
    "Distribution",
    "ImageFacts",
    "LockGraph",
    "Overlap",
    "OverlapMember",
    "ScriptUse",
    "audit_error",
    "audit_running",
    "is_dev_tool",
    "latest_audit",
    "load_lock",
    "parse_lock",
    "read_image_facts",
    "run_audit",
    "start_audit",
]

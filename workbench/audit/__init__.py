"""The dependency audit (plan priority 2): what the image installs that the app never uses.

The stable API:

* :func:`run_audit` audits a project (against its newest baseline image by default)
  and returns an :class:`Audit`; :func:`latest_audit` reads the newest stored one;
* :func:`start_audit`, :func:`audit_running` and :func:`audit_error` run it on the
  process's jobs instead, for pages that never block;
* :meth:`Audit.to_dict` / :meth:`Audit.from_dict` give its JSON shape; its findings are
  :class:`Candidate`, :class:`Overlap` (of :class:`OverlapMember`), :class:`AuditWarning`
  and :class:`ScriptUse`, each :data:`CERTAIN` or a :data:`GUESS`;
* :func:`read_image_facts` reads an image's :class:`Distribution` list into
  :class:`ImageFacts`; :func:`load_lock` / :func:`parse_lock` read a uv.lock into a
  :class:`LockGraph`; :func:`is_dev_tool` names development tools.
"""

from __future__ import annotations

from workbench.audit.core import run_audit
from workbench.audit.dev_tools import is_dev_tool
from workbench.audit.distributions import Distribution, ImageFacts, read_image_facts
from workbench.audit.graph import LockGraph, load_lock, parse_lock
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
from workbench.audit.stored import audit_error, audit_running, latest_audit, start_audit

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

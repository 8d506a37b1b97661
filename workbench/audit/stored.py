"""Audits kept in the store: the newest one, and audits run in the background.

Reading a large image takes a while, so pages never run an audit themselves: they
start one on the process's jobs (:mod:`workbench.jobs`, the ``AUDIT`` lane), whose
result lands in the store, and read the newest stored audit back.
"""

from __future__ import annotations

from typing import Any

from workbench.audit.core import run_audit
from workbench.audit.model import Audit
from workbench.jobs import AUDIT, Jobs, process_jobs
from workbench.project import Project
from workbench.store import Store


def latest_audit(project: Project, store: Store | None = None) -> Audit | None:
    """The project's newest stored audit, or ``None``."""
    data = (store or Store()).latest_audit(project.key)
    if not data:
        return None
    try:
        return Audit.from_dict(data)
    except (KeyError, TypeError, ValueError):
        return None  # written by an older workbench: audit again


def start_audit(project: Project, *, jobs: Jobs | None = None, **options: Any) -> bool:
    """Run :func:`run_audit` on the process's audits lane; the result lands in the store.

    Args:
        project: the project.
        jobs: the jobs to queue it on (default: the process's).
        **options: passed to :func:`run_audit`.

    Returns:
        False when an audit of this project is already queued or running here.
    """
    jobs = jobs or process_jobs()
    if jobs.running(AUDIT, project.key):
        return False
    jobs.submit(AUDIT, project.key, lambda: run_audit(project, **options), project.name)
    return True


def audit_running(project: Project, jobs: Jobs | None = None) -> bool:
    """Whether a background audit of this project is queued or running in this process."""
    return (jobs or process_jobs()).running(AUDIT, project.key)


def audit_error(project: Project, jobs: Jobs | None = None) -> str | None:
    """Why the last background audit of this project failed, if it did."""
    job = (jobs or process_jobs()).job(AUDIT, project.key)
    return job.error if job is not None else None

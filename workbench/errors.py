"""One exception base for the workbench, with messages a user can act on.

Modelled on ``docker.errors``: a single base class, :class:`WorkbenchError`, and
specific subclasses.  The message of every error is one line that says what went
wrong and what to do about it; the CLI prints it as is and the pages show it in
``st.error``.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base class of every error the workbench raises on purpose."""


class EngineUnavailable(WorkbenchError):
    """No Docker engine answers, and none could be started."""


class BootstrapError(WorkbenchError):
    """A stand-in base image could not be made."""


class ProjectError(WorkbenchError):
    """A project folder is missing or lacks what the workbench needs."""


class PlanError(WorkbenchError):
    """A plan file is malformed."""


class StoreError(WorkbenchError):
    """The store cannot be read or written."""


class AnalysisError(WorkbenchError):
    """An image could not be read or analysed."""


class TarFormatError(AnalysisError, ValueError):
    """A tar stream is malformed: a bad header, a bad number, or it ends inside a member."""


class VariantError(WorkbenchError):
    """A Dockerfile variant cannot be derived, or no variant has that name."""


class CannotTransform(VariantError):
    """A Dockerfile the workbench cannot rewrite; the message says why, in one line."""


class BuildError(WorkbenchError):
    """A build could not be started or failed."""


class RegistryError(WorkbenchError):
    """A registry cannot be started, stopped or reached, or answered unexpectedly."""


class PushError(WorkbenchError):
    """An image could not be pushed, or its manifest could not be read back."""


class BudgetError(WorkbenchError):
    """A size budget is malformed, or a figure it needs cannot be had."""


class AuditError(WorkbenchError):
    """A dependency audit cannot run: no pyproject, an unreadable lock, a missing image."""


class ReportError(WorkbenchError):
    """A report cannot be made from what the store holds."""


class SmokeError(WorkbenchError):
    """A smoke test cannot start: no such image, no port to probe, the engine refused."""


class ManifestError(AuditError):
    """A dependency manifest cannot be read: a missing include, a line pip would refuse."""


class DiffError(WorkbenchError):
    """Two images cannot be compared: one cannot be found, or its figures cannot be had."""


class FindingsError(WorkbenchError):
    """An image's findings cannot be had: no such image, or no analysis of it."""


class OptimizeError(WorkbenchError):
    """An optimize run cannot start or go on: no baseline, the engine refused a build."""


class OptimizeCancelled(OptimizeError):
    """An optimize run was cancelled; what it had measured so far is kept."""

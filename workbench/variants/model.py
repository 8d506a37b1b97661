"""What deriving a variant gives: the :class:`Variant`, and what a transform returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Variant:
    """A named Dockerfile variant of a project.

    Attributes:
        name: One of :data:`~workbench.variants.table.VARIANT_NAMES`.
        dockerfile: The Dockerfile text, None when the variant could not be derived.
        summary: One line saying what changed.
        plan_task: The plan task it implements (``"priority 1"``...), None if none.
        diff: Unified diff against the baseline (Dockerfile, then any changed manifest).
        requires_buildkit: The Dockerfile needs BuildKit (``RUN --mount``, heredocs...), as
            :func:`~workbench.variants.syntax.needs_buildkit` tells.
        extra_files: Files to overlay onto the build context: relative path -> content.
        error: Why the variant could not be derived, None when it could.
    """

    name: str
    dockerfile: str | None
    summary: str
    plan_task: str | None
    diff: str = ""
    requires_buildkit: bool = False
    extra_files: Mapping[str, bytes] = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the variant has a Dockerfile to build."""
        return self.error is None and self.dockerfile is not None


@dataclass(frozen=True)
class Transformed:
    """The result of a text transform: the new text and what changed, one note per change."""

    text: str
    changes: tuple[str, ...]

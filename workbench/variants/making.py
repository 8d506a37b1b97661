"""What every variant maker shares: the project's inputs, a derived variant, a failed one.

A maker (one per row of :data:`~workbench.variants.table.VARIANTS`) takes the :class:`Inputs`,
the variant's name and its plan task, and returns a :class:`~workbench.variants.model.Variant`:
:func:`derived` when it has a Dockerfile (with its diff against the baseline), :func:`failed`
when it says why it has none.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import CannotTransform
from workbench.variants.instructions import Dockerfile, parse
from workbench.variants.model import Transformed, Variant
from workbench.variants.pruned import Pruned, prune_dependencies
from workbench.variants.syntax import needs_buildkit


@dataclass
class Inputs:
    """What the variant makers share: the baseline and the pruned manifests (computed once).

    Attributes:
        project_dir: The project folder.
        baseline: The text of its Dockerfile.
        dockerfile: The Dockerfile's name in the folder.
        drop: Dependencies the ``pruned-deps`` and ``combined`` variants remove.
        custom_text: The ``custom`` variant's text, None for the project's saved one.
    """

    project_dir: Path
    baseline: str
    dockerfile: str
    drop: tuple[str, ...]
    custom_text: str | None

    @functools.cached_property
    def pruned(self) -> Pruned | CannotTransform:
        """The pruned manifests, or why there are none (``uv lock`` runs on first use only)."""
        try:
            return prune_dependencies(self.project_dir, self.drop)
        except CannotTransform as exc:
            return exc


Maker = Callable[[Inputs, str, str | None], Variant]
"""Makes one variant from the inputs, its name and its plan task."""


def derived(
    inputs: Inputs,
    name: str,
    text: str,
    summary: str,
    *,
    plan_task: str | None = None,
    extra_files: Mapping[str, bytes] | None = None,
) -> Variant:
    """A variant with a Dockerfile, its diff against the baseline and its BuildKit need.

    Args:
        inputs: The project's inputs.
        name: The variant's name.
        text: Its Dockerfile.
        summary: One line saying what changed.
        plan_task: The plan task it implements, None if none.
        extra_files: Files to overlay onto the build context; each changed manifest
            (``pyproject.toml``, a requirements file; not a lock) adds its own diff.
    """
    diff = _diff(inputs.baseline, text, inputs.dockerfile, name)
    files = dict(extra_files or {})
    for path in sorted(files):
        source = inputs.project_dir / path
        if path.endswith(".lock") or not source.is_file():
            continue
        try:
            original = source.read_text("utf-8")
            new = files[path].decode("utf-8")
        except UnicodeDecodeError:
            continue
        diff += _diff(original, new, path, name)
    return Variant(
        name=name,
        dockerfile=text,
        summary=summary,
        plan_task=plan_task,
        diff=diff,
        requires_buildkit=needs_buildkit(text),
        extra_files=files,
    )


def failed(name: str, reason: str, plan_task: str | None = None) -> Variant:
    """A variant that could not be derived, saying why."""
    return Variant(
        name=name,
        dockerfile=None,
        summary=f"not available: {reason}",
        plan_task=plan_task,
        error=reason,
    )


def from_transform(
    inputs: Inputs,
    name: str,
    plan_task: str | None,
    transform: Callable[[Dockerfile], Transformed],
    unchanged: str,
) -> Variant:
    """The variant a Dockerfile transform makes of the baseline.

    Args:
        inputs: The project's inputs.
        name: The variant's name.
        plan_task: The plan task it implements, None if none.
        transform: The transform.
        unchanged: The reason given when the transform changes nothing.

    Returns:
        The variant; a failed one when the transform raises or changes nothing.
    """
    try:
        result = transform(parse(inputs.baseline))
    except CannotTransform as exc:
        return failed(name, f"{inputs.dockerfile} {exc}", plan_task)
    if result.text == inputs.baseline:
        return failed(name, unchanged, plan_task)
    return derived(inputs, name, result.text, "; ".join(result.changes), plan_task=plan_task)


def _diff(before: str, after: str, name: str, variant: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"{name} (baseline)",
        tofile=f"{name} ({variant})",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)

"""The one table of variants: each variant's name, the plan task it implements, its maker.

A project folder holds a Dockerfile (the *baseline*), a ``pyproject.toml`` and a ``uv.lock``.
From it the workbench derives named variants, one per task of the optimization plan and a few
beyond it, in the order of :data:`VARIANTS`:

========================  ===========  ==========================================================
name                      plan task    what changes
========================  ===========  ==========================================================
``baseline``              --           nothing: the project's Dockerfile
``no-cache``              priority 1   dependency installs run without a cache; apt lists removed
``multi-stage``           priority 3   a builder stage installs the dependencies; the runtime
                                       stage copies only the virtualenv and the application
``cache-mount``           --           installs keep their cache in a BuildKit cache mount
``pruned-deps``           priority 2   pyproject.toml minus chosen dependencies, lock regenerated
``combined``              1 + 2 + 3    multi-stage with no-cache installs and pruned dependencies
``custom``                --           a Dockerfile the user edits, saved per project
``optimized``             --           the fixes ``workbench optimize`` built, smoke-tested and
                                       kept, together (saved per project by the optimize run)
========================  ===========  ==========================================================

A variant the workbench cannot derive (a Dockerfile the transforms cannot parse, nothing to
change) carries an ``error`` saying why. The user's files are never written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from workbench.errors import CannotTransform, ProjectError, VariantError
from workbench.variants.cache_mount import apply_cache_mount
from workbench.variants.cache_mount import unchanged_reason as cache_mount_unchanged
from workbench.variants.combined import make_combined
from workbench.variants.custom import custom_dockerfile_path, load_custom_dockerfile
from workbench.variants.instructions import Dockerfile, parse
from workbench.variants.making import Inputs, Maker, derived, failed, from_transform
from workbench.variants.model import Variant
from workbench.variants.multi_stage import apply_multi_stage
from workbench.variants.no_cache import apply_no_cache
from workbench.variants.no_cache import unchanged_reason as no_cache_unchanged
from workbench.variants.optimized import load_optimized, optimized_path


@dataclass(frozen=True)
class VariantKind:
    """One row of the table of variants.

    Attributes:
        name: The variant's name.
        plan_task: The plan task it implements (``"priority 1"``...), None if none.
        make: Its maker: inputs, name and plan task -> the variant.
    """

    name: str
    plan_task: str | None
    make: Maker

    def derive(self, inputs: Inputs) -> Variant:
        """Make this variant from a project's inputs."""
        return self.make(inputs, self.name, self.plan_task)


def _make_baseline(inputs: Inputs, name: str, plan_task: str | None) -> Variant:
    summary = "the project's Dockerfile, unchanged"
    return derived(inputs, name, inputs.baseline, summary, plan_task=plan_task)


def _unchanged(inputs: Inputs, reason: Callable[[Dockerfile], str | None], default: str) -> str:
    """Why a transform changed nothing: what its installs already do, else ``default``."""
    try:
        found = reason(parse(inputs.baseline))
    except CannotTransform:
        found = None
    return f"nothing to change: {found}" if found else default


def _make_no_cache(inputs: Inputs, name: str, plan_task: str | None) -> Variant:
    default = "nothing to change: every dependency install already runs without a cache"
    unchanged = _unchanged(inputs, no_cache_unchanged, default)
    return from_transform(inputs, name, plan_task, apply_no_cache, unchanged)


def _make_multi_stage(inputs: Inputs, name: str, plan_task: str | None) -> Variant:
    return from_transform(inputs, name, plan_task, apply_multi_stage, "nothing to change")


def _make_cache_mount(inputs: Inputs, name: str, plan_task: str | None) -> Variant:
    default = "nothing to change: no dependency install to give a cache mount"
    unchanged = _unchanged(inputs, cache_mount_unchanged, default)
    variant = from_transform(inputs, name, plan_task, apply_cache_mount, unchanged)
    return replace(variant, requires_buildkit=variant.ok)


def _make_pruned(inputs: Inputs, name: str, plan_task: str | None) -> Variant:
    pruned = inputs.pruned
    if isinstance(pruned, CannotTransform):
        return failed(name, str(pruned), plan_task)
    return derived(
        inputs,
        name,
        inputs.baseline,
        pruned.summary(),
        plan_task=plan_task,
        extra_files=pruned.files(),
    )


def _make_custom(inputs: Inputs, name: str, plan_task: str | None) -> Variant:
    text = inputs.custom_text
    where = "edited, not saved"
    if text is None:
        text = load_custom_dockerfile(inputs.project_dir)
        where = f"saved in {custom_dockerfile_path(inputs.project_dir)}"
    if text is None:
        return failed(name, "no custom Dockerfile saved for this project yet", plan_task)
    if not re.search(r"^\s*FROM\s", text, re.IGNORECASE | re.MULTILINE):
        return failed(name, "the custom Dockerfile has no FROM instruction", plan_task)
    return derived(inputs, name, text, f"your own Dockerfile ({where})", plan_task=plan_task)


def _make_optimized(inputs: Inputs, name: str, plan_task: str | None) -> Variant:
    saved = load_optimized(inputs.project_dir)
    if saved is None:
        return failed(
            name,
            "no optimize run has kept a fix yet; run `workbench optimize` (or Optimize on the "
            "Variants page)",
            plan_task,
        )
    where = f"saved in {optimized_path(inputs.project_dir)}"
    summary = f"{saved.summary} ({where})" if saved.summary else where
    return derived(
        inputs, name, saved.dockerfile, summary, plan_task=plan_task, extra_files=saved.extra_files
    )


VARIANTS: tuple[VariantKind, ...] = (
    VariantKind("baseline", None, _make_baseline),
    VariantKind("no-cache", "priority 1", _make_no_cache),
    VariantKind("multi-stage", "priority 3", _make_multi_stage),
    VariantKind("cache-mount", None, _make_cache_mount),
    VariantKind("pruned-deps", "priority 2", _make_pruned),
    VariantKind("combined", "priority 1+2+3", make_combined),
    VariantKind("custom", None, _make_custom),
    VariantKind("optimized", None, _make_optimized),
)
"""Every variant, in the order lists and charts show them."""

VARIANT_NAMES: tuple[str, ...] = tuple(kind.name for kind in VARIANTS)
PLAN_TASKS: Mapping[str, str | None] = {kind.name: kind.plan_task for kind in VARIANTS}
_BY_NAME: Mapping[str, VariantKind] = {kind.name: kind for kind in VARIANTS}


def variant_order(name: str) -> tuple[int, str]:
    """Where a variant comes in lists and charts: the order of :data:`VARIANT_NAMES`,
    then other names alphabetically."""
    known = VARIANT_NAMES.index(name) if name in VARIANT_NAMES else len(VARIANT_NAMES)
    return known, name


def read_baseline(project_dir: Path, dockerfile: str = "Dockerfile") -> str:
    """Read a project's Dockerfile.

    Args:
        project_dir: The project folder.
        dockerfile: The Dockerfile's name, relative to the folder.

    Returns:
        Its text.

    Raises:
        ProjectError: The folder or the Dockerfile is missing or unreadable.
    """
    project_dir = Path(project_dir)
    if not project_dir.is_dir():
        raise ProjectError(f"{project_dir} is not a folder; choose a project folder")
    path = project_dir / dockerfile
    if not path.is_file():
        raise ProjectError(f"no {dockerfile} in {project_dir}; add one or name the right file")
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError(f"can't read {path}: {exc}") from exc


def derive_variants(
    project_dir: Path,
    *,
    drop: Sequence[str] = (),
    custom_text: str | None = None,
    dockerfile: str = "Dockerfile",
) -> list[Variant]:
    """Derive every variant of a project, in the order of :data:`VARIANT_NAMES`.

    Args:
        project_dir: The project folder.
        drop: Dependencies the ``pruned-deps`` and ``combined`` variants remove.
        custom_text: The ``custom`` variant's text; by default the project's saved one.
        dockerfile: The Dockerfile's name in the folder.

    Returns:
        One :class:`Variant` per name; those that can't be derived carry an ``error``.

    Raises:
        ProjectError: The folder or its Dockerfile is missing.
    """
    inputs = _inputs(project_dir, drop, custom_text, dockerfile)
    return [kind.derive(inputs) for kind in VARIANTS]


def derive_variant(
    project_dir: Path,
    name: str,
    *,
    drop: Sequence[str] = (),
    custom_text: str | None = None,
    dockerfile: str = "Dockerfile",
) -> Variant:
    """Derive one variant of a project.

    Args:
        project_dir: The project folder.
        name: One of :data:`VARIANT_NAMES`.
        drop: Dependencies the ``pruned-deps`` and ``combined`` variants remove.
        custom_text: The ``custom`` variant's text; by default the project's saved one.
        dockerfile: The Dockerfile's name in the folder.

    Returns:
        The variant; it carries an ``error`` when it can't be derived.

    Raises:
        VariantError: No variant has that name.
        ProjectError: The folder or its Dockerfile is missing.
    """
    if name not in _BY_NAME:
        raise VariantError(f"unknown variant {name!r}; known variants: {', '.join(VARIANT_NAMES)}")
    return _BY_NAME[name].derive(_inputs(project_dir, drop, custom_text, dockerfile))


def _inputs(
    project_dir: Path, drop: Sequence[str], custom_text: str | None, dockerfile: str
) -> Inputs:
    baseline = read_baseline(Path(project_dir), dockerfile)
    if isinstance(drop, str):
        drop = [drop]
    return Inputs(Path(project_dir), baseline, dockerfile, tuple(drop), custom_text)

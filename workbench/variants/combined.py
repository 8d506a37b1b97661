"""The combined variant (plan priorities 1 + 2 + 3): multi-stage, no-cache installs, pruned deps.

When the baseline can't be made multi-stage (it already has stages, say), the combined variant
falls back to the no-cache transform; cache mounts are not used, since they are the alternative
to no-cache installs.
"""

from __future__ import annotations

from workbench.errors import CannotTransform
from workbench.variants.instructions import parse
from workbench.variants.making import Inputs, derived, failed
from workbench.variants.model import Variant
from workbench.variants.multi_stage import apply_multi_stage
from workbench.variants.no_cache import apply_no_cache


def make_combined(inputs: Inputs, name: str, plan_task: str | None) -> Variant:
    """Make the combined variant of a project.

    Args:
        inputs: The project's inputs.
        name: The variant's name.
        plan_task: Its plan task when it can't be made; when it can, the task names the
            priorities it did apply (``priority 1+3`` without pruning).

    Returns:
        The variant; its summary says which parts it chose and why.
    """
    try:
        text, parts, tasks = _dockerfile(inputs.baseline)
    except CannotTransform as exc:
        return failed(name, f"{inputs.dockerfile} {exc}", plan_task)
    parts.append("cache-mount not used (it is the alternative to no-cache)")
    pruned = inputs.pruned
    files: dict[str, bytes] = {}
    if isinstance(pruned, CannotTransform):
        parts.append(f"no pruning ({pruned})")
    else:
        parts.append(pruned.summary())
        files = pruned.files()
        tasks.append("2")
    if text == inputs.baseline and not files:
        return failed(name, "nothing to change", plan_task)
    task = "priority " + "+".join(sorted(tasks))
    return derived(inputs, name, text, "; ".join(parts), plan_task=task, extra_files=files)


def _dockerfile(baseline: str) -> tuple[str, list[str], list[str]]:
    """The multi-stage Dockerfile, else the no-cache one; with its summary parts and tasks.

    Raises:
        CannotTransform: Neither transform can be applied.
    """
    try:
        text = apply_multi_stage(parse(baseline)).text
    except CannotTransform as exc:
        text = apply_no_cache(parse(baseline)).text
        return text, [f"no-cache (multi-stage skipped: {exc})"], ["1"]
    return text, ["multi-stage with no-cache installs"], ["1", "3"]

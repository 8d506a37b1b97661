"""Dockerfile variants of a project: parsing, install detection, one module per transform.

The public API other stages use. :mod:`workbench.variants.dockerfile` is the reading API of the
parser (``parse``, ``walk``, ``parse_copy``...); :mod:`workbench.variants.syntax` the one
check for syntax only BuildKit understands; :mod:`workbench.variants.table` the one table of
variants, from which the names, plan tasks and order come; :mod:`workbench.variants.fixes` the
fixes a finding names, applied to any Dockerfile (what ``workbench optimize`` builds).

Each name loads its module on first use (:data:`_HOMES`): reading a Dockerfile
(``workbench.variants.dockerfile``) does not load every transform.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.variants.apt_clean import to_apt_clean
    from workbench.variants.cache_mount import to_cache_mount
    from workbench.variants.copy_chown import to_copy_chown
    from workbench.variants.custom import (
        custom_dockerfile_path,
        delete_custom_dockerfile,
        load_custom_dockerfile,
        save_custom_dockerfile,
    )
    from workbench.variants.fixes import FIXES, Fixed, apply_fix
    from workbench.variants.model import Variant
    from workbench.variants.multi_stage import to_multi_stage
    from workbench.variants.no_cache import to_no_cache
    from workbench.variants.no_recommends import to_no_recommends
    from workbench.variants.optimized import SavedOptimized, load_optimized, save_optimized
    from workbench.variants.pruned import Pruned, prune_dependencies
    from workbench.variants.syntax import buildkit_features, needs_buildkit
    from workbench.variants.table import (
        PLAN_TASKS,
        VARIANT_NAMES,
        derive_variant,
        derive_variants,
        read_baseline,
        variant_order,
    )

_HOMES = {
    **dict.fromkeys(("to_apt_clean",), "apt_clean"),
    **dict.fromkeys(("to_cache_mount",), "cache_mount"),
    **dict.fromkeys(("to_copy_chown",), "copy_chown"),
    **dict.fromkeys(
        (
            "custom_dockerfile_path",
            "delete_custom_dockerfile",
            "load_custom_dockerfile",
            "save_custom_dockerfile",
        ),
        "custom",
    ),
    **dict.fromkeys(("FIXES", "Fixed", "apply_fix"), "fixes"),
    **dict.fromkeys(("Variant",), "model"),
    **dict.fromkeys(("to_multi_stage",), "multi_stage"),
    **dict.fromkeys(("to_no_cache",), "no_cache"),
    **dict.fromkeys(("to_no_recommends",), "no_recommends"),
    **dict.fromkeys(("SavedOptimized", "load_optimized", "save_optimized"), "optimized"),
    **dict.fromkeys(("Pruned", "prune_dependencies"), "pruned"),
    **dict.fromkeys(("buildkit_features", "needs_buildkit"), "syntax"),
    **dict.fromkeys(
        (
            "PLAN_TASKS",
            "VARIANT_NAMES",
            "derive_variant",
            "derive_variants",
            "read_baseline",
            "variant_order",
        ),
        "table",
    ),
}
"""Each public name and the module of this package it comes from."""

__all__ = [
    "FIXES",
    "PLAN_TASKS",
    "VARIANT_NAMES",
    "Fixed",
    "Pruned",
    "SavedOptimized",
    "Variant",
    "apply_fix",
    "buildkit_features",
    "custom_dockerfile_path",
    "delete_custom_dockerfile",
    "derive_variant",
    "derive_variants",
    "load_custom_dockerfile",
    "load_optimized",
    "needs_buildkit",
    "prune_dependencies",
    "read_baseline",
    "save_custom_dockerfile",
    "save_optimized",
    "to_apt_clean",
    "to_cache_mount",
    "to_copy_chown",
    "to_multi_stage",
    "to_no_cache",
    "to_no_recommends",
    "variant_order",
]


def __getattr__(name: str) -> Any:
    """A name of :data:`__all__`, from its module on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)

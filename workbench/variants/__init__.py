"""Dockerfile variants of a project: parsing, install detection, one module per transform.

The public API other stages use; :mod:`workbench.variants.dockerfile` is the parser.
"""

from __future__ import annotations

from workbench.variants.transforms import (
    PLAN_TASKS,
    VARIANT_NAMES,
    Pruned,
    Variant,
    custom_dockerfile_path,
    delete_custom_dockerfile,
    derive_variant,
    derive_variants,
    load_custom_dockerfile,
    needs_buildkit,
    prune_dependencies,
    read_baseline,
    save_custom_dockerfile,
    to_cache_mount,
    to_multi_stage,
    to_no_cache,
    variant_order,
)

__all__ = [
    "PLAN_TASKS",
    "VARIANT_NAMES",
    "Pruned",
    "Variant",
    "custom_dockerfile_path",
    "delete_custom_dockerfile",
    "derive_variant",
    "derive_variants",
    "load_custom_dockerfile",
    "needs_buildkit",
    "prune_dependencies",
    "read_baseline",
    "save_custom_dockerfile",
    "to_cache_mount",
    "to_multi_stage",
    "to_no_cache",
    "variant_order",
]

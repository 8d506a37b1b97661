"""Image analysis: a byte-exact breakdown of an image by component, layer and package.

The stable API:

* :func:`analyze_image` (engine) and :func:`analyze_stream` (any export stream)
  return an :class:`ImageAnalysis`;
* :meth:`ImageAnalysis.to_dict` / :meth:`ImageAnalysis.from_dict` give its JSON shape;
* :data:`COMPONENTS`, :data:`COMPONENT_LABELS` and :data:`PLAN_ROWS` name what it reports;
* :class:`LayerGroup` and :class:`Shadow` are what the findings read: bytes per rule id
  and tag per layer, and the bytes each layer hid of the layers below;
* :func:`load_rules` reads a component rules file (the shipped one when no path is given).

Each name loads its module on first use (:data:`_HOMES`), so reading a stored analysis
(:class:`ImageAnalysis`) does not load the analysis itself (the tar reader, the merge,
the classifier): an answer from the store starts sooner.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.analysis.classify import (
        COMPONENT_LABELS,
        COMPONENTS,
        PLAN_ROWS,
        RuleSet,
        load_rules,
    )
    from workbench.analysis.image import analyze_archive, analyze_image, analyze_stream
    from workbench.analysis.model import (
        ComponentDetail,
        Compressed,
        DebianPackage,
        ImageAnalysis,
        LayerAnalysis,
        LayerGroup,
        PathSize,
        PythonPackage,
        Shadow,
    )

_HOMES = {
    **dict.fromkeys(
        ("COMPONENT_LABELS", "COMPONENTS", "PLAN_ROWS", "RuleSet", "load_rules"), "classify"
    ),
    **dict.fromkeys(("analyze_archive", "analyze_image", "analyze_stream"), "image"),
    **dict.fromkeys(
        (
            "ComponentDetail",
            "Compressed",
            "DebianPackage",
            "ImageAnalysis",
            "LayerAnalysis",
            "LayerGroup",
            "PathSize",
            "PythonPackage",
            "Shadow",
        ),
        "model",
    ),
}
"""Each public name and the module of this package it comes from."""

__all__ = [
    "COMPONENTS",
    "COMPONENT_LABELS",
    "PLAN_ROWS",
    "ComponentDetail",
    "Compressed",
    "DebianPackage",
    "ImageAnalysis",
    "LayerAnalysis",
    "LayerGroup",
    "PathSize",
    "PythonPackage",
    "RuleSet",
    "Shadow",
    "analyze_archive",
    "analyze_image",
    "analyze_stream",
    "load_rules",
]


def __getattr__(name: str) -> Any:
    """A name of :data:`__all__`, from its module on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)

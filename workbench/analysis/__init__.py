"""Image analysis: a byte-exact breakdown of an image by component, layer and package.

The stable API:

* :func:`analyze_image` (engine) and :func:`analyze_stream` (any export stream)
  return an :class:`ImageAnalysis`;
* :meth:`ImageAnalysis.to_dict` / :meth:`ImageAnalysis.from_dict` give its JSON shape;
* :data:`COMPONENTS`, :data:`COMPONENT_LABELS` and :data:`PLAN_ROWS` name what it reports;
* :class:`LayerGroup` and :class:`Shadow` are what the findings read: bytes per rule id
  and tag per layer, and the bytes each layer hid of the layers below;
* :func:`load_rules` reads a component rules file (the shipped one when no path is given).
"""

from __future__ import annotations

from workbench.analysis.classify import (
    COMPONENT_LABELS,
    COMPONENTS,
    PLAN_ROWS,
    RuleSet,
    load_rules,
)
from workbench.analysis.image import (
    analyze_archive,
    analyze_image,
    analyze_stream,
)
from workbench.analysis.model import (
    ComponentDetail,
    Compressed,
    ImageAnalysis,
    LayerAnalysis,
    LayerGroup,
    PathSize,
    Shadow,
)
from workbench.analysis.packages import DebianPackage, PythonPackage

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

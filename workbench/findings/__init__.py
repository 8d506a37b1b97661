"""Findings: every waste in an image named, with its bytes, its Dockerfile line and a fix.

The stable API:

* :func:`run_findings` runs every rule (one module per rule, :data:`RULES`) over an
  analysis and returns :class:`Finding` s, largest first;
* :func:`image_findings` does it for an image or a project from the store (its
  analysis, its build's Dockerfile, its project's audit): an :class:`ImageFindings`;
* :func:`layer_sources` tells which Dockerfile line made each layer.

The optimizer (:mod:`workbench.findings.optimize`) and its charts
(:mod:`workbench.findings.ladder`) are imported on their own.
"""

from __future__ import annotations

from workbench.findings.core import RULE_IDS, RULES, run_findings
from workbench.findings.lines import LayerSource, layer_sources
from workbench.findings.model import CERTAIN, GUESS, Context, Finding
from workbench.findings.stored import ImageFindings, image_findings

__all__ = [
    "CERTAIN",
    "GUESS",
    "RULES",
    "RULE_IDS",
    "Context",
    "Finding",
    "ImageFindings",
    "LayerSource",
    "image_findings",
    "layer_sources",
    "run_findings",
]

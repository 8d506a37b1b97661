"""Compare a project's variants: figures read from the store, and the charts of them.

:mod:`workbench.compare.figures` gives long-form frames (one row per variant and
component), savings, the waterfall and the plan against the measured savings;
:mod:`workbench.compare.charts` turns those frames into Altair charts (imported on its
own: Altair and vl-convert take a while to load).

The names below load :mod:`workbench.compare.figures` (and pandas, which takes a while)
on first use, so the diff modules of this package start without them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.compare.figures import (
        BASELINE,
        MEASURED,
        NOT_COUNTED,
        SMOKE_WORDS,
        TargetCheck,
        TaskComparison,
        VariantFigures,
        best_variant,
        components_frame,
        figures_frame,
        plan_frame,
        plan_vs_measured,
        project_figures,
        savings_frame,
        waterfall_frame,
    )

__all__ = [
    "BASELINE",
    "MEASURED",
    "NOT_COUNTED",
    "SMOKE_WORDS",
    "TargetCheck",
    "TaskComparison",
    "VariantFigures",
    "best_variant",
    "components_frame",
    "figures_frame",
    "plan_frame",
    "plan_vs_measured",
    "project_figures",
    "savings_frame",
    "waterfall_frame",
]


def __getattr__(name: str) -> Any:
    """A name of :data:`__all__`, from :mod:`workbench.compare.figures` on first use."""
    if name in __all__:
        return getattr(importlib.import_module("workbench.compare.figures"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

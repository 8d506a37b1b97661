"""Compare a project's variants: figures read from the store, and the charts of them.

:mod:`workbench.compare.figures` gives long-form frames (one row per variant and
component), savings, the waterfall and the plan against the measured savings;
:mod:`workbench.compare.charts` turns those frames into Altair charts (imported on its
own: Altair and vl-convert take a while to load).
"""

from __future__ import annotations

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
    "plan_frame",
    "plan_vs_measured",
    "project_figures",
    "savings_frame",
    "waterfall_frame",
]

"""The savings ladder as a table and a waterfall: baseline, each kept fix, optimized.

:func:`ladder_frame` is long-form data (one row per bar, the same columns as
:func:`workbench.compare.figures.waterfall_frame`, so the one waterfall chart draws it);
:func:`ladder_chart` draws it; :func:`ladder_table` is the ladder for people, every step
(dropped and skipped ones too) with its reason.  Imported on its own: pandas and
Altair take a while to load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from workbench.findings.optimization import KEPT, Optimization
from workbench.units import human_bytes

if TYPE_CHECKING:
    import altair as alt

COLUMNS = ["step", "variant", "kind", "start", "end", "delta", "order"]
"""The columns of a :func:`ladder_frame`: those of the Compare page's waterfall frame."""


def ladder_frame(result: Optimization) -> pd.DataFrame:
    """From the baseline through each kept fix to the optimized image.

    Columns: step (its label), variant (the fix), kind (``"total"`` or ``"saving"``),
    start, end and delta in bytes, order.  The savings add up, to the byte, to the
    baseline's size minus the last total's.  Empty until the baseline is measured.
    """
    base = result.baseline.size_bytes
    if base is None:
        return pd.DataFrame(columns=COLUMNS)
    rows = [
        {"step": "baseline", "variant": "baseline", "kind": "total", "start": 0, "end": base,
         "delta": base, "order": 0},
    ]  # fmt: skip
    previous = base
    for step in result.kept:
        end = previous - (step.saved_bytes or 0)
        rows.append(
            {"step": f"− {step.fix}", "variant": step.fix, "kind": "saving", "start": previous,
             "end": end, "delta": end - previous, "order": len(rows)}
        )  # fmt: skip
        previous = end
    final = result.optimized
    if final is not None and final.size_bytes is not None:
        rows.append(
            {"step": "optimized", "variant": "optimized", "kind": "total", "start": 0,
             "end": final.size_bytes, "delta": final.size_bytes, "order": len(rows)}
        )  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def ladder_chart(frame: pd.DataFrame) -> alt.Chart:
    """The waterfall of a :func:`ladder_frame`: the baseline, what each fix saved, the end."""
    from workbench.compare.charts import waterfall_chart  # Altair and vl-convert: only here

    return waterfall_chart(
        frame,
        saving="Saved by the fix",
        title="From the baseline through each kept fix (each built and smoke-tested)",
    )


def ladder_table(result: Optimization) -> pd.DataFrame:
    """Every step for people: fix, outcome, findings, size, saved, smoke test, build time."""
    rows = []
    for step in (result.baseline, *result.steps, *([result.optimized] if result.optimized else [])):
        ends = step.fix in ("baseline", "optimized")
        outcome = ("built and works" if ends else KEPT) if step.status == KEPT else step.status
        rows.append(
            {
                "Step": step.fix,
                "Outcome": outcome if step.status == KEPT else f"{outcome}: {step.reason}",
                "Findings": "; ".join(step.findings),
                "Found (measured)": human_bytes(step.finding_bytes) if step.finding_bytes else "",
                "Size": human_bytes(step.size_bytes) if step.size_bytes is not None else "",
                "Saved": human_bytes(step.saved_bytes) if step.saved_bytes is not None else "",
                "Saved (bytes)": step.saved_bytes,
                "Smoke test": step.smoke,
                "Build (s)": round(step.build_s, 1) if step.build_s is not None else None,
            }
        )
    return pd.DataFrame(rows)

"""The ladder's frame, chart and table."""

from __future__ import annotations

from tests.unit.findings.test_optimization import RESULT
from workbench.compare.charts import to_svg, waterfall_chart
from workbench.findings.ladder import ladder_chart, ladder_frame, ladder_table
from workbench.findings.optimization import Optimization, Step


def test_the_frame_goes_from_the_baseline_through_each_kept_fix() -> None:
    frame = ladder_frame(RESULT)
    assert frame.to_dict("records") == [
        {"step": "baseline", "variant": "baseline", "kind": "total", "start": 0, "end": 1000,
         "delta": 1000, "order": 0},
        {"step": "− no-cache", "variant": "no-cache", "kind": "saving", "start": 1000,
         "end": 700, "delta": -300, "order": 1},
        {"step": "− copy-chown", "variant": "copy-chown", "kind": "saving", "start": 700,
         "end": 695, "delta": -5, "order": 2},
        {"step": "optimized", "variant": "optimized", "kind": "total", "start": 0, "end": 695,
         "delta": 695, "order": 3},
    ]  # fmt: skip
    savings = frame[frame["kind"] == "saving"]["delta"].sum()
    assert -savings == RESULT.saved_bytes


def test_both_waterfall_charts_draw_it() -> None:
    frame = ladder_frame(RESULT)
    assert "<svg" in to_svg(ladder_chart(frame))
    assert "<svg" in to_svg(waterfall_chart(frame))


def test_the_table_has_every_step_with_its_outcome() -> None:
    table = ladder_table(RESULT)
    assert list(table["Step"]) == ["baseline", "no-cache", "multi-stage", "copy-chown", "optimized"]
    assert table["Outcome"].tolist()[2] == "dropped: it breaks the app: x"
    assert table["Saved (bytes)"].tolist()[1] == 300


def test_an_unmeasured_baseline_gives_an_empty_frame() -> None:
    assert ladder_frame(Optimization("/p", Step("baseline", "dropped"))).empty

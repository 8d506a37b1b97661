"""The Diff page's charts and the size over time: frames in, Altair specs out."""

from __future__ import annotations

import pandas as pd

from tests.unit.compare.diff_images import image_a, image_b
from workbench.analysis import COMPONENTS
from workbench.compare import diff_charts
from workbench.compare.diff import diff_analyses


def test_the_delta_frame_has_one_row_per_component_summing_to_the_difference() -> None:
    diff = diff_analyses(image_a(), image_b())
    frame = diff_charts.components_delta_frame(diff)
    assert frame["component"].tolist() == list(COMPONENTS)
    assert frame["delta_bytes"].sum() == diff.size_delta_bytes
    caches = frame[frame.component == "build_caches"].iloc[0]
    assert (caches["change"], caches["mb"]) == ("smaller in B", -4.0)


def test_the_diverging_chart_uses_the_component_colours() -> None:
    frame = diff_charts.components_delta_frame(diff_analyses(image_a(), image_b()))
    spec = diff_charts.component_delta_chart(frame).to_dict()
    bars = spec["layer"][0]
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["x"]["field"] == "mb"
    assert len(bars["encoding"]["color"]["scale"]["range"]) == len(COMPONENTS)


def test_the_size_over_time_chart_plots_analysed_builds_by_date() -> None:
    frame = pd.DataFrame(
        [
            {"variant": "baseline", "build_id": 1, "built_at": pd.Timestamp("2026-01-01", tz="UTC"),
             "size_bytes": 10**9, "mb": 1000.0, "dockerfile": "abc", "image": "i1", "tag": "t"},
            {"variant": "baseline", "build_id": 2, "built_at": pd.Timestamp("2026-01-02", tz="UTC"),
             "size_bytes": None, "mb": None, "dockerfile": "abc", "image": "i2", "tag": "t"},
        ]
    )  # fmt: skip
    spec = diff_charts.size_history_chart(frame).to_dict()
    assert spec["mark"]["type"] == "line" and spec["encoding"]["x"]["type"] == "temporal"
    tooltips = [t["field"] for t in spec["encoding"]["tooltip"]]
    assert "dockerfile" in tooltips
    [dataset] = spec["datasets"].values()
    assert [row["build_id"] for row in dataset] == [1]

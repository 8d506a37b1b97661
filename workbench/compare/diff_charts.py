"""The Diff page's charts and the size over time: long-form frames in, Altair charts out.

The same rules as :mod:`workbench.compare.charts` (whose colours these charts use):
one function per chart, a frame in, a chart out, sizes in decimal MB.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from workbench.compare.charts import MB_AXIS, WIDTH, component_color
from workbench.compare.diff import ImageDiff

DELTA_AXIS = "Change, B minus A (MB; 1 MB = 1,000,000 bytes)"


def components_delta_frame(diff: ImageDiff) -> pd.DataFrame:
    """One row per component: component, label, a_bytes, b_bytes, delta_bytes, mb (the
    delta in MB), change ("larger in B", "smaller in B" or "same"), order."""
    rows = [
        {
            "component": c.component,
            "label": c.label,
            "a_bytes": c.a_bytes,
            "b_bytes": c.b_bytes,
            "delta_bytes": c.delta,
            "mb": c.delta / 1e6,
            "change": "larger in B" if c.delta > 0 else "smaller in B" if c.delta < 0 else "same",
            "order": index,
        }
        for index, c in enumerate(diff.components)
    ]
    columns = ["component", "label", "a_bytes", "b_bytes", "delta_bytes", "mb", "change", "order"]
    return pd.DataFrame(rows, columns=columns)


def component_delta_chart(frame: pd.DataFrame, title: str = "Change per component") -> alt.Chart:
    """Diverging bars: one per component, right when B has more, left when less (a
    ``components_delta_frame``)."""
    order = frame.sort_values("order")["label"].tolist()
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title="Component", sort=order),
            x=alt.X("mb:Q", title=DELTA_AXIS),
            color=component_color(),
            tooltip=[
                alt.Tooltip("label:N", title="Component"),
                alt.Tooltip("a_bytes:Q", title="A (bytes)", format=","),
                alt.Tooltip("b_bytes:Q", title="B (bytes)", format=","),
                alt.Tooltip("delta_bytes:Q", title="Change (bytes)", format="+,"),
                alt.Tooltip("mb:Q", title="Change (MB)", format="+,.1f"),
            ],
        )
    )
    zero = alt.Chart(pd.DataFrame({"mb": [0]})).mark_rule(color="gray").encode(x="mb:Q")
    labels = (
        alt.Chart(frame[frame["delta_bytes"] != 0])
        .mark_text(align="left", dx=4, fontSize=11)
        .encode(
            y=alt.Y("label:N", sort=order),
            x=alt.X("mb:Q"),
            text=alt.Text("mb:Q", format="+,.1f"),
        )
    )
    return (bars + zero + labels).properties(title=title, width=WIDTH)


def size_history_chart(frame: pd.DataFrame, title: str = "Size over time") -> alt.Chart:
    """Each variant's image size over its builds, by date (a ``size_history_frame``);
    the tooltip names the build, its Dockerfile's sha256 and its image."""
    shown = frame[frame["mb"].notna()] if len(frame) else frame
    return (
        alt.Chart(shown)
        .mark_line(point=True)
        .encode(
            x=alt.X("built_at:T", title="Build finished"),
            y=alt.Y("mb:Q", title=MB_AXIS, scale=alt.Scale(zero=False)),
            color=alt.Color("variant:N", title="Variant", legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("variant:N", title="Variant"),
                alt.Tooltip("built_at:T", title="Finished", format="%Y-%m-%d %H:%M"),
                alt.Tooltip("mb:Q", title="MB", format=",.1f"),
                alt.Tooltip("size_bytes:Q", title="Bytes", format=","),
                alt.Tooltip("dockerfile:N", title="Dockerfile sha256"),
                alt.Tooltip("image:N", title="Image"),
                alt.Tooltip("build_id:Q", title="Build"),
            ],
        )
        .properties(title=title, width=WIDTH)
    )

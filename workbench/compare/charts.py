"""Charts: long-form pandas frames in, Altair charts out; the same functions serve the
pages and the report (which exports them with vl-convert as SVG and PNG).

:func:`figures_frame` (per variant: size, compressed size, build time) is made in
:mod:`workbench.compare.figures` and named here too.

Every component has one colour, the same on every chart; sizes are decimal MB.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd
import vl_convert as vlc

from workbench.analysis import COMPONENT_LABELS, COMPONENTS, ImageAnalysis
from workbench.compare.figures import MEASURED, NOT_COUNTED
from workbench.compare.figures import figures_frame as figures_frame  # named here too
from workbench.compare.story import size_range
from workbench.units import human_bytes
from workbench.variants import variant_order

COMPONENT_COLORS: dict[str, str] = {
    "python_dependencies": "#4C78A8",
    "python_runtime": "#72B7B2",
    "system_libraries": "#54A24B",
    "application_code": "#EECA3B",
    "build_caches": "#E45756",
    "build_tools": "#F58518",
    "installer_inputs": "#B279A2",
    "other": "#BAB0AC",
    "shadowed": "#9D755D",
}
MB_AXIS = "Size (MB; 1 MB = 1,000,000 bytes)"
WIDTH = 640


def component_color(labels: Sequence[str] | None = None) -> alt.Color:
    """The colour encoding every chart uses for components; with ``labels``, the legend
    lists only those (in the components' order), each in its usual colour."""
    shown = [c for c in COMPONENTS if labels is None or COMPONENT_LABELS[c] in labels]
    return alt.Color(
        "label:N",
        title="Component",
        scale=alt.Scale(
            domain=[COMPONENT_LABELS[c] for c in shown],
            range=[COMPONENT_COLORS[c] for c in shown],
        ),
        legend=alt.Legend(orient="bottom", columns=4, labelLimit=220),
    )


def _variant_sort(frame: pd.DataFrame) -> list[str]:
    """The variants as the frame shows them (``shown``: marked when broken), in the
    variants' order."""
    if not len(frame):
        return []
    shown = dict(zip(frame["variant"], frame["shown"], strict=True))
    return [shown[v] for v in sorted(shown, key=variant_order)]


def components_chart(frame: pd.DataFrame, title: str = "Image size by component") -> alt.Chart:
    """Stacked bars: one per variant, split by component (a ``components_frame``)."""
    sort = _variant_sort(frame)
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("shown:N", title="Variant", sort=sort),
            x=alt.X("sum(mb):Q", stack="zero", title=MB_AXIS),
            color=component_color(),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("shown:N", title="Variant"),
                alt.Tooltip("label:N", title="Component"),
                alt.Tooltip("sum(mb):Q", title="MB", format=",.3r"),
                alt.Tooltip("sum(bytes):Q", title="Bytes", format=","),
            ],
        )
    )
    totals = (
        alt.Chart(frame)
        .transform_aggregate(total="sum(mb)", groupby=["shown"])
        .mark_text(align="left", dx=4, fontSize=12)
        .encode(
            y=alt.Y("shown:N", sort=sort),
            x=alt.X("total:Q"),
            text=alt.Text("total:Q", format=",.3r"),
        )
    )
    return (bars + totals).properties(title=title, width=WIDTH)


def savings_chart(frame: pd.DataFrame) -> alt.Chart:
    """Bytes saved against the baseline per component and variant (a ``savings_frame``)."""
    parts = frame[frame["component"] != "total"].assign(saved_mb=lambda f: f["saved_bytes"] / 1e6)
    parts = parts[parts["saved_bytes"] != 0]
    sort = _variant_sort(parts)
    return (
        alt.Chart(parts)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title="Component", sort=[COMPONENT_LABELS[c] for c in COMPONENTS]),
            yOffset=alt.YOffset("shown:N", sort=sort),
            x=alt.X("saved_mb:Q", title="Saved against the baseline (MB)"),
            color=alt.Color("shown:N", title="Variant", sort=sort),
            tooltip=[
                alt.Tooltip("shown:N", title="Variant"),
                alt.Tooltip("label:N", title="Component"),
                alt.Tooltip("saved_mb:Q", title="Saved (MB)", format=",.3r"),
                alt.Tooltip("saved_bytes:Q", title="Saved (bytes)", format=","),
                alt.Tooltip("saved_pct:Q", title="Saved (% of the component)", format=".1f"),
            ],
        )
        .properties(title="Where the savings come from", width=WIDTH)
    )


def waterfall_chart(
    frame: pd.DataFrame,
    *,
    saving: str = "Saved by the step",
    title: str = "From the baseline to the best variant",
) -> alt.Chart:
    """From the baseline through each smaller variant to the best (a ``waterfall_frame``),
    or any frame of its columns (the optimize ladder); ``saving`` names a step's bar."""
    data = frame.assign(
        start_mb=frame["start"] / 1e6,
        end_mb=frame["end"] / 1e6,
        top_mb=frame[["start", "end"]].max(axis=1) / 1e6,
        label=[
            human_bytes(d) if kind == "total" else human_bytes(d, signed=True)
            for d, kind in zip(frame["delta"], frame["kind"], strict=True)
        ],
    )
    order = list(data.sort_values("order")["step"])
    base = alt.Chart(data).encode(
        x=alt.X("step:N", title=None, sort=order, axis=alt.Axis(labelAngle=0, labelLimit=160))
    )
    bars = base.mark_bar(width=48).encode(
        y=alt.Y("start_mb:Q", title=MB_AXIS),
        y2="end_mb:Q",
        color=alt.Color(
            "kind:N",
            title=None,
            scale=alt.Scale(domain=["total", "saving"], range=["#4C78A8", "#54A24B"]),
            legend=alt.Legend(
                orient="bottom",
                labelExpr=f"datum.label == 'total' ? 'Image size' : '{saving}'",
            ),
        ),
        tooltip=[
            alt.Tooltip("step:N", title="Step"),
            alt.Tooltip("label:N", title="Size"),
            alt.Tooltip("delta:Q", title="Bytes", format=","),
        ],
    )
    text = base.mark_text(dy=-8).encode(y=alt.Y("top_mb:Q"), text="label:N")
    return (bars + text).properties(title=title, width=WIDTH)


def _plan_texts(frame: pd.DataFrame) -> pd.DataFrame:
    """The plan frame with a ``text`` per mark: the estimate's range, the measured size."""
    measured = set(frame.loc[frame["kind"] != "Plan estimate", "task"])
    texts = []
    for row in frame.itertuples():
        if row.kind != "Plan estimate":
            texts.append(f"{human_bytes(row.low_mb * 1e6)} measured")
            continue
        span = size_range(round(row.low_mb * 1e6), round(row.high_mb * 1e6))
        texts.append(f"plan {span}" + ("" if row.task in measured else ", not built yet"))
    return frame.assign(text=texts)


def plan_chart(frame: pd.DataFrame) -> alt.Chart:
    """The plan's estimated saving range beside the measured saving (a ``plan_frame``).

    Large enough to read on a projector: each mark says its size, the estimate above
    its bar and the measured saving beside its diamond."""
    data = _plan_texts(frame)
    estimate = data[data["kind"] == "Plan estimate"]
    measured = data[data["kind"] != "Plan estimate"]
    top = float(max(data["high_mb"].max(), data["low_mb"].max(), 1.0)) if len(data) else 1.0
    y = alt.Y(
        "task:N",
        title=None,
        sort=None,
        axis=alt.Axis(labelLimit=360, labelFontSize=15, labelColor="#31333F"),
    )
    x = alt.X(
        "low_mb:Q",
        title="Saving (MB; 1 MB = 1,000,000 bytes)",
        scale=alt.Scale(domain=[0, top * 1.3], nice=False),
        axis=alt.Axis(labelFontSize=13, titleFontSize=14),
    )
    kinds = ["Plan estimate", MEASURED] + (
        [NOT_COUNTED] if NOT_COUNTED in set(frame["kind"]) else []
    )
    colors = alt.Scale(domain=kinds, range=["#9ecae9", "#E45756", "#BAB0AC"][: len(kinds)])
    legend = alt.Legend(orient="bottom", labelFontSize=14, symbolSize=160, columnPadding=24)
    ranges = (
        alt.Chart(estimate)
        .mark_bar(size=22)
        .encode(
            y=y,
            x=x,
            x2="high_mb:Q",
            color=alt.Color("kind:N", title=None, scale=colors, legend=legend),
            tooltip=[
                alt.Tooltip("task:N", title="Task"),
                alt.Tooltip("low_mb:Q", title="Estimate from (MB)", format=",.3r"),
                alt.Tooltip("high_mb:Q", title="Estimate to (MB)", format=",.3r"),
            ],
        )
    )
    range_labels = (
        alt.Chart(estimate)
        .mark_text(align="left", dx=6, dy=-19, fontSize=13, color="#4a6f8f")
        .encode(y=y, x=alt.X("low_mb:Q"), text="text:N")
    )
    points = (
        alt.Chart(measured)
        .mark_point(filled=True, size=260, shape="diamond", opacity=1)
        .encode(
            y=y,
            x=alt.X("low_mb:Q"),
            color=alt.Color("kind:N", scale=colors),
            tooltip=[
                alt.Tooltip("task:N", title="Task"),
                alt.Tooltip("low_mb:Q", title="Measured (MB)", format=",.3r"),
            ],
        )
    )
    labels = points.mark_text(align="left", dx=12, fontSize=15, fontWeight="bold").encode(
        text="text:N", color=alt.value("#1f2933")
    )
    return (ranges + range_labels + points + labels).properties(
        title=alt.TitleParams("Plan estimate vs measured saving, per task", fontSize=17),
        width=WIDTH,
        height=alt.Step(64),
        description="Plan estimate vs measured saving, per task",
    )


def before_after_chart(frame: pd.DataFrame) -> alt.Chart:
    """The baseline's and the best variant's bytes by component, one bar each, every
    wide segment labelled with its size and each bar with its total (a
    ``before_after_frame``); the legend lists only the components they hold."""
    labels = list(dict.fromkeys(frame["label"])) if len(frame) else []
    top = float(frame["end_mb"].max()) if len(frame) else 1.0
    y = alt.Y(
        "bar:N",
        title=None,
        sort=None,
        axis=alt.Axis(labelFontSize=15, labelLimit=300, labelColor="#31333F"),
    )
    bars = (
        alt.Chart(frame)
        .mark_bar(size=44)
        .encode(
            y=y,
            x=alt.X(
                "start_mb:Q",
                title="Size (MB; 1 MB = 1,000,000 bytes)",
                scale=alt.Scale(domain=[0, top * 1.12], nice=False),
                axis=alt.Axis(labelFontSize=13, titleFontSize=14),
            ),
            x2="end_mb:Q",
            color=component_color(labels).legend(
                alt.Legend(orient="bottom", columns=4, labelFontSize=14, labelLimit=240)
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("bar:N", title="Image"),
                alt.Tooltip("label:N", title="Component"),
                alt.Tooltip("mb:Q", title="MB", format=",.3r"),
                alt.Tooltip("bytes:Q", title="Bytes", format=","),
            ],
        )
    )
    inside = (
        alt.Chart(frame)
        .transform_filter("datum.text != ''")
        .transform_calculate(mid_mb="(datum.start_mb + datum.end_mb) / 2")
        .mark_text(fontSize=14, fontWeight="bold", color="white")
        .encode(y=y, x=alt.X("mid_mb:Q"), text="text:N")
    )
    totals = (
        alt.Chart(frame)
        .transform_filter("datum.total != ''")
        .mark_text(align="left", dx=8, fontSize=16, fontWeight="bold", color="#1f2933")
        .encode(y=y, x=alt.X("end_mb:Q"), text="total:N")
    )
    return (bars + inside + totals).properties(
        title=alt.TitleParams("Before and after, by component", fontSize=17),
        width=WIDTH,
        height=alt.Step(66),
        description="Before and after, by component",
    )


def layers_chart(analysis: ImageAnalysis) -> alt.Chart:
    """One bar per layer, split by component, the instruction on hover."""
    rows = []
    for layer in analysis.layers:
        created = " ".join(layer.created_by.replace("/bin/sh -c ", "").split())
        name = f"{layer.index:>2}: {created[:60]}" + ("…" if len(created) > 60 else "")
        for order, component in enumerate(COMPONENTS):
            size = layer.components.get(component, 0)
            if size:
                rows.append(
                    {
                        "layer": name,
                        "index": layer.index,
                        "instruction": created,
                        "label": COMPONENT_LABELS[component],
                        "mb": size / 1e6,
                        "bytes": size,
                        "order": order,
                    }
                )
    columns = ["layer", "index", "instruction", "label", "mb", "bytes", "order"]
    frame = pd.DataFrame(rows, columns=columns)
    sort = list(dict.fromkeys(frame.sort_values("index")["layer"])) if len(frame) else []
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("layer:N", title=None, sort=sort, axis=alt.Axis(labelLimit=420)),
            x=alt.X("sum(mb):Q", stack="zero", title=MB_AXIS),
            color=component_color(),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("instruction:N", title="Instruction"),
                alt.Tooltip("label:N", title="Component"),
                alt.Tooltip("sum(mb):Q", title="MB", format=",.3r"),
                alt.Tooltip("sum(bytes):Q", title="Bytes", format=","),
            ],
        )
        .properties(title="Layers (lowest first), by component", width=WIDTH)
    )


def component_bars(analysis: ImageAnalysis) -> alt.Chart:
    """One image's components, largest first."""
    frame = pd.DataFrame(
        [
            {
                "label": COMPONENT_LABELS[c],
                "mb": analysis.components.get(c, 0) / 1e6,
                "bytes": analysis.components.get(c, 0),
                "share": analysis.components.get(c, 0) / analysis.size_bytes * 100
                if analysis.size_bytes
                else 0.0,
            }
            for c in COMPONENTS
        ]
    )
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=240)),
            x=alt.X("mb:Q", title=MB_AXIS),
            color=component_color().legend(None),
            tooltip=[
                alt.Tooltip("label:N", title="Component"),
                alt.Tooltip("mb:Q", title="MB", format=",.3r"),
                alt.Tooltip("bytes:Q", title="Bytes", format=","),
                alt.Tooltip("share:Q", title="% of the image", format=".1f"),
            ],
        )
        .properties(title="Where the bytes are", width=WIDTH)
    )


def compressed_chart(frame: pd.DataFrame) -> alt.Chart:
    """Compressed size per variant; the bar says whether it is measured or estimated."""
    sort = _variant_sort(frame)
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("shown:N", title="Variant", sort=sort),
            x=alt.X("compressed_mb:Q", title="Compressed size (MB)"),
            color=alt.Color(
                "compressed_kind:N",
                title=None,
                scale=alt.Scale(
                    domain=["measured in a registry", "estimate (gzip)"],
                    range=["#4C78A8", "#9ecae9"],
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("shown:N", title="Variant"),
                alt.Tooltip("compressed_mb:Q", title="MB", format=",.3r"),
                alt.Tooltip("compressed_bytes:Q", title="Bytes", format=","),
                alt.Tooltip("compressed_kind:N", title="Figure"),
            ],
        )
        .properties(title="Compressed size (what a registry stores)", width=WIDTH)
    )


def durations_chart(frame: pd.DataFrame) -> alt.Chart:
    """Build duration per variant (the newest build of each)."""
    sort = _variant_sort(frame)
    return (
        alt.Chart(frame)
        .mark_bar(color="#72B7B2")
        .encode(
            y=alt.Y("shown:N", title="Variant", sort=sort),
            x=alt.X("duration_s:Q", title="Build duration (s)"),
            tooltip=[
                alt.Tooltip("shown:N", title="Variant"),
                alt.Tooltip("duration_s:Q", title="Seconds", format=",.1f"),
            ],
        )
        .properties(title="Build duration of the newest build", width=WIDTH)
    )


EXPORT_PADDING = {"left": 40, "top": 5, "right": 16, "bottom": 5}


def _exported(chart: alt.TopLevelMixin) -> dict:
    """The chart's spec for vl-convert, with room around it: vl-convert lays text out
    with its own font's widths, and a viewer whose sans-serif is wider would otherwise
    see the axis labels run off the image's left edge."""
    spec = chart.to_dict()
    spec["padding"] = EXPORT_PADDING
    return spec


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as a self-contained SVG (no network needed to view it)."""
    return vlc.vegalite_to_svg(_exported(chart))


def to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """The chart as a PNG image."""
    return vlc.vegalite_to_png(_exported(chart), scale=scale)

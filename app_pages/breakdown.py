"""Breakdown: one image, byte for byte: components, the plan's table, layers, packages."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.figures import newest_images, show_chart, stored_images
from ui.state import analysis_of, analysis_progress, current_project
from workbench.analysis import COMPONENT_LABELS, COMPONENTS
from workbench.engine.images import short_id
from workbench.errors import WorkbenchError
from workbench.findings import image_findings
from workbench.store import Store
from workbench.units import UNITS_NOTE, human_bytes
from workbench.variants import variant_order
from workbench.variants.build_only import is_build_only

st.title("Breakdown")
st.caption(f"Where one image's bytes go, to the byte. {UNITS_NOTE}")
project = current_project()
store = Store()

choices: dict[str, str] = {}
if project is not None:
    latest = newest_images(project, store)
    for variant in sorted(latest, key=variant_order):
        tag, built = latest[variant]
        choices[f"{variant} ({tag})"] = built
for stored, tags in stored_images(limit=100, store=store):
    choices.setdefault(", ".join(tags) or short_id(stored), stored)
if not choices:
    st.info("No images yet. Build a variant on the Builds page; its breakdown appears here.")
    st.stop()

label = st.selectbox("Image", list(choices), key="breakdown_image")
image_id = choices[label]
analysis = analysis_of(image_id)
if analysis is None:
    analysis_progress([image_id], key="breakdown")
    st.stop()

if analysis.stand_in_base:
    st.markdown(
        f":orange-badge[built on a local stand-in] of `{analysis.stand_in_base}`: the base "
        "image was made locally, so its share differs from the official image's."
    )
push = store.latest_push(image_id)
cols = st.columns(5 if push else 4)
cols[0].metric(
    "Image size",
    human_bytes(analysis.size_bytes),
    help=f"{analysis.size_bytes:,} bytes. Same as `docker image inspect -f '{{{{.Size}}}}' IMAGE`.",
)
cols[1].metric(
    "What a container sees",
    human_bytes(analysis.final_bytes),
    help="Size minus bytes that later layers deleted or overwrote "
    "(`docker export` of a container holds exactly this).",
)
estimate = analysis.compressed.gzip_bytes
cols[2].metric(
    "Compressed (estimate)",
    human_bytes(estimate) if estimate is not None else "not estimated",
    help=f"An estimate: {analysis.compressed.method}. `workbench push IMAGE` measures it.",
)
if push:
    gap = f"{(estimate - push['total_bytes']) / push['total_bytes']:+.1%}" if estimate else ""
    cols[3].metric(
        "Compressed (measured)",
        human_bytes(push["total_bytes"]),
        help=f"The sum of the layer sizes in the registry's manifest ({push['registry']}); "
        f"the estimate differs by {gap}.",
    )
cols[-1].metric(
    "Efficiency (dive)",
    f"{analysis.efficiency:.1%}",
    help=f"Wasted: {human_bytes(analysis.wasted_bytes)}, as dive computes it.",
)
if analysis.engine_size_note:
    st.caption(analysis.engine_size_note)

left, right = st.columns([3, 2])
show_chart("component_bars", analysis, where=left)
right.markdown("**The plan's table**")
right.dataframe(
    pd.DataFrame(
        [
            {
                "Component": row,
                "Size": human_bytes(size),
                "Percentage": f"{size / analysis.size_bytes:.1%}" if analysis.size_bytes else "",
            }
            for row, size in analysis.plan_view.items()
        ]
    ),
    hide_index=True,
    width="stretch",
)
right.caption(
    "Other/Overhead folds build caches, build tools, installer inputs, other files and "
    "shadowed bytes together."
)

st.subheader("Findings")
try:
    found = image_findings(image_id, store=store, analyze=False)
except WorkbenchError as exc:
    found = None
    st.warning(f"No findings: {exc}")
if found is not None and not found.findings:
    st.success("Nothing to name: no cache, build tool, installer input or hidden copy found.")
elif found is not None:
    fixable = sum(f.bytes for f in found.findings if f.fix)
    st.caption(
        f"Every waste the rules name, largest first: {human_bytes(fixable)} of it has a fix "
        "(Optimize on the Variants page builds each fix and keeps those that still work)."
        + (
            ""
            if found.dockerfile
            else " No Dockerfile is recorded for this image: layers, not lines, are named."
        )
    )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Size": human_bytes(f.bytes),
                    "Finding": f.title,
                    "Line": f.line,
                    "Instruction": f.instruction,
                    "Hidden by line": f.hidden_by_line,
                    "Fix": f.fix or ("none: a trade-off" if f.trade_off else "none"),
                    "Certainty": f.certainty if not f.reason else f"{f.certainty}: {f.reason}",
                    "Why it matters": f.why,
                    "Detail": f.detail,
                    "Rule": f.rule,
                    "Bytes": f.bytes,
                }
                for f in found.findings
            ]
        ),
        hide_index=True,
        width="stretch",
        key="breakdown_findings",
    )

st.subheader("Layers")
st.caption("Same as `docker history IMAGE`, split by component. Hover a bar for its instruction.")
show_chart("layers", analysis)
st.dataframe(
    pd.DataFrame(
        [
            {
                "#": layer.index,
                "Instruction": layer.created_by,
                "Size": human_bytes(layer.bytes),
                "Added": layer.files_added,
                "Changed": layer.files_changed,
                "Deleted": layer.files_deleted,
                "Compressed (est.)": human_bytes(layer.gzip_bytes) if layer.gzip_bytes else "",
            }
            for layer in analysis.layers
        ]
    ),
    hide_index=True,
    width="stretch",
)

st.subheader("Drill down")
component = st.selectbox(
    "Component",
    [c for c in COMPONENTS if analysis.components.get(c)],
    format_func=lambda c: f"{COMPONENT_LABELS[c]} ({human_bytes(analysis.components[c])})",
    key="breakdown_component",
)
detail = analysis.largest.get(component)
if detail is not None:
    dirs, files = st.columns(2)
    dirs.markdown("**Largest folders**")
    dirs.dataframe(
        pd.DataFrame(
            [{"Folder": p.path, "Size": human_bytes(p.bytes)} for p in detail.largest_dirs]
        ),
        hide_index=True,
        width="stretch",
    )
    files.markdown("**Largest files**")
    files.dataframe(
        pd.DataFrame(
            [
                {
                    "File": p.path,
                    "Size": human_bytes(p.bytes),
                    "Layer": "" if p.layer is None else p.layer,
                }
                for p in detail.largest_files
            ]
        ),
        hide_index=True,
        width="stretch",
    )
if component == "python_dependencies":
    st.caption(
        "Check: `docker run --rm IMAGE sh -c 'du -sh /app/.venv'` (du counts blocks, "
        "so it reads a little higher than the bytes here)."
    )

python, debian = st.tabs(["Python packages", "Debian packages"])
python.dataframe(
    pd.DataFrame(
        [
            {
                "Package": p.name,
                "Version": p.version,
                "Location": p.location,
                "Size": human_bytes(p.bytes),
                "Bytes": p.bytes,
            }
            for p in analysis.python_packages
        ]
    ),
    hide_index=True,
    width="stretch",
)
debian.dataframe(
    pd.DataFrame(
        [
            {
                "Package": p.name,
                "Size": human_bytes(p.bytes),
                "Bytes": p.bytes,
                "Build-only": "yes" if is_build_only(p.name) else "",
            }
            for p in analysis.debian_packages
        ]
    ),
    hide_index=True,
    width="stretch",
)
build_only = [p for p in analysis.debian_packages if is_build_only(p.name)]
if build_only:
    debian.caption(
        f"Build-only packages (compilers, headers, build systems): "
        f"{human_bytes(sum(p.bytes for p in build_only))} in {len(build_only)} packages. The "
        "multi-stage variant leaves them in its builder stage and installs only the libraries "
        "the built extensions load."
    )

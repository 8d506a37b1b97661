"""Diff: any image against any other, to the byte: components, packages, layers, files."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.figures import show_chart
from ui.state import analysis_of, analysis_progress, current_project
from workbench.compare import diff_charts, diff_report
from workbench.compare.diff import diff_analyses
from workbench.compare.diff_files import diff_files
from workbench.compare.file_lists import FILE_LISTS, start_file_tables, stored_table
from workbench.compare.sides import image_choices
from workbench.jobs import FAILED, process_jobs
from workbench.store import Store
from workbench.units import UNITS_NOTE, human_bytes

st.title("Diff")
st.caption(f"Any image against any other: B minus A, to the byte. {UNITS_NOTE}")
store = Store()
choices = image_choices(current_project(), store)
if not choices:
    st.info(
        "No images yet. Build variants on the Builds page, or analyse any image with "
        "`workbench analyze IMAGE`; they can be compared here."
    )
    st.stop()

by_label = {choice.label: choice for choice in choices}
labels = list(by_label)
left, right = st.columns(2)
a_label = left.selectbox("A: the reference", labels, key="diff_a")
b_label = right.selectbox("B: compared with A", labels, index=min(1, len(labels) - 1), key="diff_b")
a_choice, b_choice = by_label[a_label], by_label[b_label]
a, b = analysis_of(a_choice.image_id), analysis_of(b_choice.image_id)
missing = [c.image_id for c, found in ((a_choice, a), (b_choice, b)) if found is None]
if a is None or b is None:
    analysis_progress(list(dict.fromkeys(missing)), key="diff")
    st.stop()

diff = diff_analyses(a, b, a_ref=a_choice.name, b_ref=b_choice.name)
tables = [stored_table(a, store), stored_table(b, store)]
if tables[0] is not None and tables[1] is not None:
    diff = diff.with_files(diff_files(tables[0], tables[1]))

st.markdown(f"#### {diff_report.headline(diff)}")
cols = st.columns(3)
cols[0].metric("A", human_bytes(diff.a.size_bytes), help=f"{diff.a.size_bytes:,} bytes")
cols[1].metric("B", human_bytes(diff.b.size_bytes), help=f"{diff.b.size_bytes:,} bytes")
cols[2].metric(
    "B minus A",
    diff_report.signed(diff.size_delta_bytes),
    help=f"{diff.size_delta_bytes:+,} bytes",
    delta=f"{diff.growth_fraction:+.1%}" if diff.growth_fraction is not None else None,
    delta_color="inverse",
)

frame = diff_charts.components_delta_frame(diff)
show_chart("component_delta", frame)
st.dataframe(
    pd.DataFrame(diff_report.component_rows(diff)).drop(columns="Bytes"),
    hide_index=True,
    width="stretch",
)
st.caption(
    "Each component's change is its Python packages' changes, plus its Debian packages', "
    "plus its bytes outside packages. A package counts where the rules put its metadata."
)

st.subheader("Packages")
packages = diff_report.package_rows(diff)
if packages:
    st.dataframe(pd.DataFrame(packages).drop(columns="Bytes"), hide_index=True, width="stretch")
else:
    st.info("No Python or Debian package changed.")

st.subheader("Layers")
st.caption(diff_report.layer_summary(diff))
st.dataframe(pd.DataFrame(diff_report.layer_rows(diff)), hide_index=True, width="stretch")

st.subheader("Largest file changes")
if diff.files is not None:
    files, folders = st.columns(2)
    files.markdown("**Files**")
    files.dataframe(
        pd.DataFrame(diff_report.file_rows(diff, 20)).drop(columns="Bytes", errors="ignore"),
        hide_index=True,
        width="stretch",
    )
    folders.markdown("**Folders**")
    folders.dataframe(
        pd.DataFrame(diff_report.folder_rows(diff, 20)).drop(columns="Bytes", errors="ignore"),
        hide_index=True,
        width="stretch",
    )
else:
    jobs = start_file_tables([a, b], store=store)
    failed = [job for job in jobs if job.state == FAILED]
    for job in failed:
        st.error(f"The file lists of {job.label} cannot be read: {job.error}")
    if not failed:
        st.caption("Reading both images' file lists once (kept for the next diff)…")

        @st.fragment(run_every=1.0)
        def _wait_for_files() -> None:
            states = [process_jobs().job(FILE_LISTS, job.subject) for job in jobs]
            if all(state is not None and state.finished for state in states):
                st.rerun(scope="app")
            st.status("Reading the file lists", state="running")

        _wait_for_files()

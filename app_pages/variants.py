"""Variants: each Dockerfile variant, its diff against the baseline, the custom editor."""

from __future__ import annotations

import streamlit as st

from ui.state import drop_choice, project_dependencies, project_variants, require_project
from workbench import variants

st.title("Variants")
st.caption(
    "Each variant is derived from the project's own Dockerfile. The project's files are "
    "never changed: variants are built from a separate build context."
)
project = require_project()

with st.expander("Dependencies to drop (pruned-deps and combined)", expanded=False):
    st.multiselect(
        "Runtime dependencies to remove",
        project_dependencies(project),
        key=f"variants_drop_{project.key}",
        help="The lock is regenerated with `uv lock` in a scratch copy.",
    )
derived = project_variants(project, drop_choice(project))
by_name = {variant.name: variant for variant in derived}

rows = [
    {
        "Variant": v.name,
        "Plan task": v.plan_task or "",
        "What changes": f"cannot be made: {v.error}" if v.error else v.summary,
        "Needs BuildKit": "yes" if v.requires_buildkit else "",
    }
    for v in derived
]
st.dataframe(rows, hide_index=True, width="stretch")

name = st.selectbox("Show", list(by_name), key="variants_show")
variant = by_name[name]
if variant.error:
    st.warning(f"**{name}** cannot be made: {variant.error}")
else:
    st.markdown(f"**{name}**: {variant.summary}")
    dockerfile_tab, diff_tab = st.tabs(["Dockerfile", "Diff against baseline"])
    dockerfile_tab.code(variant.dockerfile, language="dockerfile", line_numbers=True)
    diff_tab.code(variant.diff or "(same as the baseline)", language="diff")
    if variant.extra_files:
        st.caption(
            "Files this variant overlays on the build context: "
            + ", ".join(f"`{path}`" for path in sorted(variant.extra_files))
        )
        for path, content in sorted(variant.extra_files.items()):
            st.download_button(
                f"Download {path}",
                content,
                file_name=path.rsplit("/", 1)[-1],
                key=f"variants_download_{name}_{path}",
            )

st.subheader("Custom Dockerfile")
saved = variants.load_custom_dockerfile(project.path)
text = st.text_area(
    "Edit freely; it is saved per project in the workbench home.",
    value=saved if saved is not None else project.dockerfile_text(),
    height=360,
    key=f"variants_custom_{project.key}",
)
save, reset = st.columns([1, 5])
if save.button("Save", key="variants_custom_save", type="primary"):
    where = variants.save_custom_dockerfile(project.path, text)
    st.session_state["variants_saved_to"] = str(where)
    st.rerun()
if saved_to := st.session_state.pop("variants_saved_to", None):
    st.success(f"Saved as the custom variant ({saved_to}).")
if reset.button("Start again from the baseline", key="variants_custom_reset"):
    variants.delete_custom_dockerfile(project.path)
    st.session_state.pop(f"variants_custom_{project.key}", None)
    st.rerun()

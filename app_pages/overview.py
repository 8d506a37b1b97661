"""Overview: the engine, the project, and what to do next."""

from __future__ import annotations

import streamlit as st

from ui.figures import project_figures
from ui.stakeholder import first_screen, headline_metrics, project_plan, stakeholder_mode
from ui.state import current_project, engine_banner, engine_status, require_project
from workbench.errors import WorkbenchError
from workbench.units import UNITS_NOTE, human_bytes

if stakeholder_mode():
    project = current_project()
    figures = project_figures(project) if project else []
    if project is not None and len(figures) >= 2:
        first_screen(project, figures, project_plan(project))
        headline_metrics(figures)
        st.page_link(
            "app_pages/compare.py", label="Where the bytes went", icon=":material/compare_arrows:"
        )
    else:
        st.title("Docker image workbench")
        st.info("Nothing to show yet: the baseline and a variant must be built and analysed.")
    st.stop()

st.title("Docker image workbench")
st.caption(
    "Build variants of your Dockerfile, then see where each image's bytes go and what "
    f"each optimization saves. {UNITS_NOTE}"
)

status = engine_status()
st.subheader("Engine")
engine_banner(status)
if status.reachable:
    left, middle, right = st.columns(3)
    left.metric("Engine", "reachable", help=f"Docker {status.version}, API {status.api_version}")
    middle.metric("Version", status.version)
    right.metric("Storage driver", status.storage_driver)
    st.caption(f"Host `{status.host}` · {status.os} · {status.architecture}")
    if status.stand_ins:
        st.markdown(
            "**Stand-in base images** (made locally because the registry is out of reach; "
            "sizes measured on them differ from the real images):"
        )
        for reference in status.stand_ins:
            st.markdown(f"- `{reference}` :orange-badge[local stand-in]")
    else:
        st.info("No stand-in base images: run `workbench bootstrap` if bases cannot be pulled.")

st.subheader("Project")
project = require_project()

st.markdown(f"**{project.path.name}** · `{project.path}`")
files = {
    "Dockerfile": project.dockerfile,
    "pyproject.toml": project.pyproject,
    "uv.lock": project.lock,
    "plan.toml": project.plan_file,
}
st.markdown(
    " · ".join(
        f"{':material/check_circle:' if path else ':material/remove:'} {name}"
        for name, path in files.items()
    )
)

try:
    plan = project.plan()
except WorkbenchError as exc:
    st.error(str(exc))
    plan = None
if plan is not None:
    st.markdown(f"**{plan.title}** ({plan.created})")
    rows = [
        {
            "Priority": task.priority,
            "Task": task.name,
            "Variant": task.variant,
            "Estimated saving": f"{human_bytes(task.saving.min_bytes)} – "
            f"{human_bytes(task.saving.max_bytes)}",
            "Risk": task.risk,
        }
        for task in plan.tasks
    ]
    st.dataframe(rows, hide_index=True, width="stretch")
    if plan.target_uncompressed:
        target = plan.target_uncompressed
        st.caption(
            f"Target: {human_bytes(target.min_bytes)} – {human_bytes(target.max_bytes)} "
            "uncompressed"
            + (
                f", {human_bytes(plan.target_compressed.min_bytes)} – "
                f"{human_bytes(plan.target_compressed.max_bytes)} compressed"
                if plan.target_compressed
                else ""
            )
        )

st.subheader("Headline")
figures = project_figures(project)
if len(figures) >= 2:
    headline_metrics(figures)
    st.page_link(
        "app_pages/compare.py", label="See where the bytes went", icon=":material/compare_arrows:"
    )
elif figures:
    st.info("One image analysed. Next: build a variant (no-cache, multi-stage...) to compare.")
else:
    st.info(
        "Nothing built yet. Next: build the baseline and its variants on the Builds page, "
        "then compare them."
    )

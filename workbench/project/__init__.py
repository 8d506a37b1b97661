"""A project on disk: its folder and Dockerfile, its manifests, its plan, recent projects."""

from __future__ import annotations

from workbench.project.folder import Project, load_project, project_key, slug
from workbench.project.plan import Plan, PlanTask, SizeRange, SmokeSettings, load_plan, parse_plan

__all__ = [
    "Plan",
    "PlanTask",
    "Project",
    "SizeRange",
    "SmokeSettings",
    "load_plan",
    "load_project",
    "parse_plan",
    "project_key",
    "slug",
]

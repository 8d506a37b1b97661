"""Synthetic figures for the report's tests: three variants, a plan, a filled store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.synthetic import analysis, build_record
from workbench.analysis import ImageAnalysis
from workbench.compare import figures as compare
from workbench.project import load_project
from workbench.project.plan import parse_plan
from workbench.report.model import Report, report_from_figures
from workbench.store import Store

MB = 1_000_000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG_NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
WHEN = datetime(2026, 1, 20, 9, 30, tzinfo=UTC)
SHAPES = {
    "baseline": dict(
        python_dependencies=770 * MB,
        build_caches=600 * MB,
        other=45 * MB,
        python_runtime=34 * MB,
        application_code=2 * MB,
    ),
    "no-cache": dict(
        python_dependencies=770 * MB, other=45 * MB, python_runtime=34 * MB, application_code=2 * MB
    ),
    "multi-stage": dict(
        python_dependencies=770 * MB, other=1 * MB, python_runtime=34 * MB, application_code=2 * MB
    ),
}
PLAN = {
    "plan": {"title": "Image <plan> & co", "created": "2026-01-16"},
    "targets": {
        "uncompressed": {"min": "800 MB", "max": "900 MB"},
        "compressed": {"min": "250 MB", "max": "300 MB"},
    },
    "tasks": [
        {
            "priority": 1,
            "name": "Add --no-cache <to uv sync>",
            "variant": "no-cache",
            "saving": {"min": "20 MB", "max": "50 MB"},
        },
        {
            "priority": 2,
            "name": "Prune",
            "variant": "pruned-deps",
            "saving": {"min": "50 MB", "max": "150 MB"},
        },
        {
            "priority": 3,
            "name": "Multi-stage",
            "variant": "multi-stage",
            "saving": {"min": "50 MB", "max": "100 MB"},
        },
    ],
}


def sample_analysis(image_id: str, stand_in: str | None = None, **components: int) -> ImageAnalysis:
    """An analysis of these component sizes, with a gzip estimate of a third of the size."""
    return analysis(image_id, stand_in=stand_in, gzip_fraction=1 / 3, **components)


def sample_figures(stand_in: str | None = None) -> list[compare.VariantFigures]:
    """The figures of the three SHAPES; only the baseline was pushed (480 MB measured)."""
    return [
        compare.VariantFigures(
            name,
            build_record(name, f"sha256:{name}", duration=30.0 - index * 10),
            sample_analysis(f"sha256:{name}", stand_in, **shape),
            pushed_bytes=480 * MB if name == "baseline" else None,
        )
        for index, (name, shape) in enumerate(SHAPES.items())
    ]


def sample_report(
    name: str = "elevendops", stand_in: str | None = None, with_charts: bool = False
) -> Report:
    """The report of :func:`sample_figures` against PLAN, dated WHEN."""
    return report_from_figures(
        sample_figures(stand_in),
        project_name=name,
        project_path="/projects/elevendops",
        plan=parse_plan(PLAN),
        generated_at=WHEN,
        with_charts=with_charts,
    )


# --- a store filled like the workbench fills it ---------------------------------------


def make_project(tmp_path: Path) -> Path:
    """A project folder with only a Dockerfile."""
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "Dockerfile").write_text("FROM python:3.11-slim-bookworm\n")
    return folder


def fill_store(store: Store, project_dir: Path, variants: list[str]) -> None:
    """A succeeded build and a stored analysis (of its SHAPES) for each of the variants."""
    project = load_project(project_dir)
    for name in variants:
        image_id = f"sha256:{name}"
        build_id = store.add_build(
            project_key=project.key,
            project_path=str(project.path),
            variant=name,
            tag=f"workbench/proj:{name}",
            builder="buildkit",
            request_key=name,
            dockerfile_sha256="x",
            duration_s=12.5,
        )
        store.update_build(build_id, status="succeeded", image_id=image_id)
        store.save_analysis(image_id, "k", sample_analysis(image_id, **SHAPES[name]).to_dict())

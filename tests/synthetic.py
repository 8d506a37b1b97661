"""Synthetic analyses and builds for tests that need figures without building images."""

from __future__ import annotations

from workbench.analysis import COMPONENTS, ImageAnalysis, LayerAnalysis
from workbench.analysis.model import Compressed
from workbench.project import Project
from workbench.store import BuildRecord, Store

MB = 1_000_000
SHAPES = {
    "baseline": dict(
        python_dependencies=770 * MB, build_caches=600 * MB, other=45 * MB, python_runtime=34 * MB
    ),
    "no-cache": dict(python_dependencies=770 * MB, other=45 * MB, python_runtime=34 * MB),
    "multi-stage": dict(python_dependencies=770 * MB, other=1 * MB, python_runtime=34 * MB),
}


def analysis(
    image_id: str,
    stand_in: str | None = None,
    gzip_fraction: float | None = None,
    **components: int,
) -> ImageAnalysis:
    """An analysis with these component sizes (and a gzip estimate if a fraction is given)."""
    full = {name: components.get(name, 0) for name in COMPONENTS}
    size = sum(full.values())
    layer = LayerAnalysis(
        index=0,
        diff_id=f"sha256:{image_id}",
        created_by="COPY . /",
        bytes=size,
        components=full,
        files_added=3,
        files_changed=0,
        files_deleted=0,
    )
    return ImageAnalysis(
        image_id=image_id,
        tags=(f"w/p:{image_id}",),
        size_bytes=size,
        final_bytes=size - full["shadowed"],
        components=full,
        plan_view={
            "Python Dependencies (.venv/)": full["python_dependencies"],
            "Other/Overhead": size - full["python_dependencies"],
        },
        layers=(layer,),
        compressed=Compressed(
            gzip_bytes=int(size * gzip_fraction) if gzip_fraction is not None else None
        ),
        stand_in_base=stand_in,
    )


def build_record(variant: str, image_id: str, duration: float = 10.0) -> BuildRecord:
    return BuildRecord(
        id=1,
        project_key="p",
        project_path="/p",
        variant=variant,
        tag=f"w/p:{variant}",
        builder="buildkit",
        status="succeeded",
        request_key="k",
        dockerfile_sha256="x",
        requested_at=0.0,
        started_at=0.0,
        ended_at=duration,
        duration_s=duration,
        image_id=image_id,
        steps_done=1,
        steps_total=1,
        cache_hits=0,
        log="",
        log_truncated=0,
        error=None,
        failed_step=None,
        owner_pid=None,
        owner_host=None,
    )


def add_analysed_build(
    store: Store, project: Project, variant: str, shape: dict[str, int], duration: float = 12.5
) -> str:
    """A succeeded build of a variant with its analysis in the store; its image id."""
    image_id = f"sha256:{variant}-{project.key}"
    build_id = store.add_build(
        project_key=project.key,
        project_path=str(project.path),
        variant=variant,
        tag=f"workbench/{project.name}:{variant}",
        builder="buildkit",
        request_key=variant,
        dockerfile_sha256="0" * 64,
    )
    store.update_build(
        build_id,
        status="succeeded",
        image_id=image_id,
        duration_s=duration,
        started_at=1.0,
        ended_at=1.0 + duration,
    )
    store.save_analysis(image_id, "synthetic", analysis(image_id, **shape).to_dict())
    return image_id


def fill_store(store: Store, project: Project) -> list[str]:
    """Succeeded builds with analyses of baseline, no-cache and multi-stage; their ids."""
    return [add_analysed_build(store, project, v, shape) for v, shape in SHAPES.items()]


def fill_store_many(store: Store, project: Project, count: int = 10) -> list[str]:
    """``count`` analysed images of a project: the three variants and more named ones."""
    image_ids = fill_store(store, project)
    for number in range(count - len(image_ids)):
        shape = {**SHAPES["no-cache"], "other": (number + 2) * MB}
        image_ids.append(add_analysed_build(store, project, f"trial-{number + 1}", shape, 9.0))
    return image_ids

"""An image's findings from what the store keeps: its analysis, its build, its audit.

``workbench findings IMAGE|PROJECT`` answers from the store when the image was analysed
(no engine, no export): the image is found by tag or id among the builds and analyses,
its Dockerfile is the one its build recorded (else the one its labels name), and its
project's newest audit gives the unused dependencies.  A project stands for its
newest baseline build.  Only an image never analysed needs the engine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.analysis import ImageAnalysis
from workbench.analysis.model import SCHEMA_VERSION
from workbench.errors import FindingsError, ProjectError
from workbench.findings.core import run_findings
from workbench.findings.model import Finding, removals
from workbench.labels import DOCKERFILE_SHA256, PROJECT_PATH
from workbench.project import Project, load_project
from workbench.store import Store


@dataclass(frozen=True)
class ImageFindings:
    """The findings of one image, and what they were read from.

    Attributes:
        image: the reference asked for.
        image_id: the image's id.
        size_bytes: its size.
        project_path: the project it was built from, ``""`` when unknown.
        variant: the variant it was built as, ``""`` when unknown.
        dockerfile: the Dockerfile it was built from, ``None`` when unknown (the
            findings then name layers, not lines).
        findings: largest first.
        audited: whether its project has a stored dependency audit (without one, unused
            dependencies are not among the findings).
    """

    image: str
    image_id: str
    size_bytes: int
    project_path: str
    variant: str
    dockerfile: str | None
    findings: tuple[Finding, ...]
    audited: bool = False

    def to_list(self) -> list[dict[str, Any]]:
        """The ``--json`` shape: one object per finding."""
        return [finding.to_dict() for finding in self.findings]


@dataclass(frozen=True)
class _Build:
    """What the store's newest build of an image recorded."""

    dockerfile: str
    project_path: str
    variant: str


def _build_of(store: Store, image_id: str) -> _Build | None:
    with store.connect() as db:
        row = db.execute(
            "SELECT dockerfile, project_path, variant FROM builds WHERE image_id = ? "
            "AND status = 'succeeded' ORDER BY id DESC LIMIT 1",
            (image_id,),
        ).fetchone()
    return _Build(row["dockerfile"], row["project_path"], row["variant"]) if row else None


def _image_id(store: Store, ref: str) -> str | None:
    """The id of the image a tag or (short) id names, from the store's builds and analyses."""
    with store.connect() as db:
        row = db.execute(
            "SELECT image_id FROM builds WHERE tag = ? AND status = 'succeeded' "
            "AND image_id IS NOT NULL ORDER BY id DESC LIMIT 1",
            (ref,),
        ).fetchone()
        if row:
            return row["image_id"]
        bare = ref.removeprefix("sha256:")
        row = db.execute(
            "SELECT image_id FROM analyses WHERE image_id = ? OR image_id LIKE ? "
            "OR EXISTS (SELECT 1 FROM json_each(result, '$.tags') WHERE value = ?) "
            "ORDER BY created_at DESC LIMIT 1",
            (ref, f"sha256:{bare}%" if len(bare) >= 6 else "\0", ref),
        ).fetchone()
    return row["image_id"] if row else None


def project_baseline(project: Project, store: Store, variant: str = "baseline") -> str:
    """The image id of a project's newest succeeded build of a variant.

    Raises:
        FindingsError: the project has no such build.
    """
    build = store.latest_images(project.key).get(variant)
    if build is None or not build.image_id:
        raise FindingsError(
            f"{project.path} has no {variant} build yet; build it first "
            f"(`workbench build {project.path} --variant {variant}`)"
        )
    return build.image_id


def _dockerfile_from_labels(labels: Mapping[str, str], store: Store) -> str | None:
    sha = labels.get(DOCKERFILE_SHA256)
    if not sha:
        return None
    for text in store.dockerfiles_by_sha(sha):
        return text
    path = labels.get(PROJECT_PATH)
    dockerfile = Path(path) / "Dockerfile" if path else None
    if dockerfile is not None and dockerfile.is_file():
        text = dockerfile.read_text(encoding="utf-8", errors="replace")
        if hashlib.sha256(text.encode()).hexdigest() == sha:
            return text
    return None


def _project(path: str) -> Project | None:
    if not path:
        return None
    try:
        return load_project(path)
    except ProjectError:
        return None


def _analysis(
    store: Store, image_id: str, analyze: Callable[[str], ImageAnalysis] | None
) -> ImageAnalysis:
    data = store.latest_analysis(image_id, SCHEMA_VERSION)
    if data is not None:
        return ImageAnalysis.from_dict(data)
    if analyze is None:
        raise FindingsError(f"{image_id[:19]} has no analysis yet; analyse it first")
    return analyze(image_id)


def _engine_analyze(image_id: str, store: Store) -> ImageAnalysis:
    from workbench import engine
    from workbench.analysis import stored

    return stored.analyze(engine.connect(), image_id, compress=False, store=store)


def _resolve(ref: str, store: Store, variant: str) -> tuple[str, str]:
    """The image id a reference names (a project folder: its newest build of ``variant``)."""
    folder = Path(ref).expanduser()
    if folder.is_dir():
        return project_baseline(load_project(folder), store, variant), ref
    image_id = _image_id(store, ref)
    if image_id is None:
        from workbench import engine
        from workbench.engine.images import inspect_image

        inspect = inspect_image(engine.connect(), ref, FindingsError, "build or pull it first")
        image_id = inspect["Id"]
    return image_id, ref


def image_findings(
    ref: str,
    *,
    store: Store | None = None,
    variant: str = "baseline",
    analyze: Callable[[str], ImageAnalysis] | None | bool = True,
) -> ImageFindings:
    """The findings of an image (a tag or id), or of a project's newest build.

    Args:
        ref: an image tag or id, or a project folder.
        store: the store (default: the workbench's).
        variant: for a project, which variant's newest build (default: the baseline).
        analyze: analyse an image the store has no analysis of (through the engine;
            ``False``: say so instead), or a function that does.

    Returns:
        The findings, largest first.

    Raises:
        FindingsError: no such image or build, or no analysis and ``analyze`` is off.
        ProjectError: ``ref`` is a folder without a Dockerfile.
    """
    store = store or Store()
    image_id, _ = _resolve(ref, store, variant)
    if analyze is True:
        analyze = lambda image: _engine_analyze(image, store)  # noqa: E731
    analysis = _analysis(store, image_id, analyze or None)
    build = _build_of(store, image_id)
    dockerfile = build.dockerfile if build and build.dockerfile else None
    if dockerfile is None:
        dockerfile = _dockerfile_from_labels(analysis.labels, store)
    project_path = build.project_path if build else analysis.labels.get(PROJECT_PATH, "")
    project = _project(project_path)
    audit = store.latest_audit(project.key) if project is not None else None
    findings = run_findings(
        analysis,
        dockerfile=dockerfile,
        project_dir=project.path if project else None,
        removals=removals(audit),
    )
    return ImageFindings(
        image=ref,
        image_id=image_id,
        size_bytes=analysis.size_bytes,
        project_path=str(project.path) if project else project_path,
        variant=build.variant if build else "",
        dockerfile=dockerfile,
        findings=tuple(findings),
        audited=audit is not None,
    )

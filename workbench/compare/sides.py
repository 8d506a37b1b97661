"""Which image each side of a diff is, and its analysis.

A side is named by a tag (``workbench/elevendops:baseline``), an image id (full or
short), or a project's variant, ``PROJECT_DIR:VARIANT`` (``samples/elevendops:no-cache``:
the newest succeeded build of that variant in the store).  A tag or id goes to the
engine when one answers, else to the stored analyses; an analysis comes from the store
when it holds one, else the image is analysed (and kept).  :func:`diff_refs` is the
whole diff, the one step with I/O that the command line and the growth gate use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docker

from workbench import engine
from workbench.analysis import ImageAnalysis
from workbench.analysis import stored as analyses
from workbench.analysis.model import SCHEMA_VERSION
from workbench.compare.diff import ImageDiff, diff_analyses
from workbench.compare.diff_files import TOP_N, diff_files
from workbench.compare.file_lists import file_tables
from workbench.engine.images import inspect_image, short_id
from workbench.errors import DiffError, EngineUnavailable, ProjectError
from workbench.project import Project, load_project
from workbench.store import BuildRecord, Store
from workbench.variants import variant_order

ClientFactory = Callable[[], docker.DockerClient]
REF_HINT = "name a tag, an image id or PROJECT_DIR:VARIANT (`docker images` lists the tags)"


@dataclass(frozen=True)
class Resolved:
    """A side of a diff, found.

    Attributes:
        ref: what the user named.
        image_id: the image's ``sha256:`` id.
        project: the project, for ``PROJECT_DIR:VARIANT``.
        variant: the variant, for ``PROJECT_DIR:VARIANT``.
        build: the build that made it, for ``PROJECT_DIR:VARIANT``.
    """

    ref: str
    image_id: str
    project: Project | None = None
    variant: str = ""
    build: BuildRecord | None = None


@dataclass(frozen=True)
class Choice:
    """An image a page offers to compare.

    Attributes:
        label: how the picker shows it.
        image_id: the image.
        name: how the diff's headline names it (a variant, a tag, a short id).
    """

    label: str
    image_id: str
    name: str


def image_choices(project: Project | None, store: Store) -> list[Choice]:
    """The images a page can compare: the project's newest build of each variant, then
    every stored analysis (any project, or none), newest first; each image once."""
    found: dict[str, Choice] = {}
    if project is not None:
        latest = store.latest_images(project.key)
        for variant in sorted(latest, key=variant_order):
            build = latest[variant]
            if build.image_id and build.image_id not in found:
                found[build.image_id] = Choice(f"{variant} ({build.tag})", build.image_id, variant)
    for data in store.all_analyses(limit=200, schema=SCHEMA_VERSION):
        image_id = data["image_id"]
        if image_id in found:
            continue
        tags = data.get("tags") or []
        name = tags[0] if tags else short_id(image_id)
        label = f"{', '.join(tags)} ({short_id(image_id)})" if tags else short_id(image_id)
        found[image_id] = Choice(label, image_id, name)
    return list(found.values())


def split_variant(ref: str) -> tuple[Path, str] | None:
    """``(folder, variant)`` when ``ref`` is ``PROJECT_DIR:VARIANT`` (the part before the
    last ``:`` is a folder here), else ``None``: a tag or an id."""
    head, sep, variant = ref.rpartition(":")
    if not sep or not head or not variant or "/" in variant:
        return None
    folder = Path(head).expanduser()
    return (folder, variant) if folder.is_dir() else None


def _variant_build(ref: str, folder: Path, variant: str, store: Store) -> Resolved:
    try:
        project = load_project(folder)
    except ProjectError as exc:
        raise DiffError(f"{ref}: {exc}") from exc
    latest = store.latest_images(project.key)
    build = latest.get(variant)
    if build is None or not build.image_id:
        built = ", ".join(sorted(latest, key=variant_order)) or "none"
        raise DiffError(
            f"the store has no succeeded build of {variant!r} of {project.path} (built: "
            f"{built}); build it: workbench build {folder} --variant {variant}"
        )
    return Resolved(ref, build.image_id, project, variant, build)


def _stored_id(ref: str, store: Store) -> str | None:
    """The newest stored analysis's image named by a tag or an id (prefix), if any."""
    digits = ref.removeprefix("sha256:").lower()
    for data in store.all_analyses(limit=1000, schema=SCHEMA_VERSION):
        image_id = data["image_id"]
        if ref in (data.get("tags") or ()) or (
            len(digits) >= 12 and image_id.removeprefix("sha256:").startswith(digits)
        ):
            return image_id
    return None


def resolve(ref: str, *, store: Store, client_factory: ClientFactory = engine.connect) -> Resolved:
    """Find the image a side names.

    Raises:
        DiffError: nothing has that name (one line, with what to do).
    """
    ref = ref.strip()
    if not ref:
        raise DiffError(f"an empty image name; {REF_HINT}")
    variant = split_variant(ref)
    if variant is not None:
        return _variant_build(ref, *variant, store)
    try:
        client = client_factory()
    except EngineUnavailable as exc:
        image_id = _stored_id(ref, store)
        if image_id is None:
            raise DiffError(f"no stored analysis of {ref!r}, and {exc}") from exc
        return Resolved(ref, image_id)
    inspect = inspect_image(client, ref, DiffError, REF_HINT)
    return Resolved(ref, inspect["Id"])


def analysis_of(
    side: Resolved, *, store: Store, client_factory: ClientFactory = engine.connect
) -> ImageAnalysis:
    """The side's analysis: the stored one, else the image analysed now (and kept).

    Raises:
        DiffError: the store has none and no engine answers.
        AnalysisError: the image cannot be read.
    """
    data = store.latest_analysis(side.image_id, SCHEMA_VERSION)
    if data is not None:
        return ImageAnalysis.from_dict(data)
    try:
        client = client_factory()
    except EngineUnavailable as exc:
        raise DiffError(
            f"{side.ref} ({short_id(side.image_id)}) was never analysed, and {exc}"
        ) from exc
    return analyses.analyze(client, side.image_id, store=store)


def diff_refs(
    a_ref: str,
    b_ref: str,
    *,
    files: bool = True,
    top: int = TOP_N,
    store: Store | None = None,
    client_factory: ClientFactory = engine.connect,
) -> ImageDiff:
    """Image B against image A, by the names the user gave them.

    Args:
        a_ref: the reference image (a tag, an id or ``PROJECT_DIR:VARIANT``).
        b_ref: the image compared with it.
        files: add the file and folder changes (a second look at each image the
            first time; kept in the store).
        top: how many of the largest files and folders to keep per change.
        store: the store (default: the workbench's).
        client_factory: how to reach the engine when it is needed.

    Raises:
        DiffError: a side names nothing, or has no analysis and cannot be analysed.
    """
    store = store or Store()
    client: list[docker.DockerClient] = []

    def connect() -> docker.DockerClient:  # one client for the whole diff, when needed
        if not client:
            client.append(client_factory())
        return client[0]

    sides = [resolve(ref, store=store, client_factory=connect) for ref in (a_ref, b_ref)]
    a, b = (analysis_of(side, store=store, client_factory=connect) for side in sides)
    diff = diff_analyses(a, b, a_ref=a_ref, b_ref=b_ref)
    if not files:
        return diff
    tables, note = file_tables([a, b], store=store, client_factory=connect)
    if tables is None:
        return diff.with_files(None, note)
    return diff.with_files(diff_files(*tables, top=top))

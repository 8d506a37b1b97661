"""Every file of an image with its component and bytes: the second look a diff needs.

The stored analysis keeps only each component's largest files, so the file changes of
a diff need the image's layers once more.  :func:`file_table` reads them (the engine's
overlay2 folders when they are readable here, else the export), runs the analysis's
own steps over them keeping every file (so each file gets the component the analysis
gave it), checks that the files add up to the stored analysis, component by component,
and keeps the table in the store by image id: the next diff of that image reads it
back in a few hundredths of a second, with the engine up or down.

:func:`start_file_tables` does the same in the background, for the pages.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import zlib
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import docker

from workbench import engine
from workbench.analysis import COMPONENTS, ImageAnalysis, packages
from workbench.analysis.classify import SHADOWED, Classifier, load_rules
from workbench.analysis.image import analyze_archive, engine_counts_symlinks
from workbench.analysis.merge import merge_layers
from workbench.analysis.model import SCHEMA_VERSION
from workbench.analysis.overlay import layer_dirs
from workbench.analysis.overlay_walk import read_layer_dirs
from workbench.analysis.packages import DPKG_INFO, DPKG_STATUS, capture_limit
from workbench.analysis.reader import (
    CaptureRule,
    EntryKind,
    ImageArchive,
    LayerSummary,
    read_archive,
)
from workbench.analysis.streams import ChunkReader
from workbench.compare.diff import SHIPPED_RULES
from workbench.compare.diff_files import FileTable
from workbench.engine.images import ENGINE_ERRORS, inspect_image, short_id
from workbench.errors import AnalysisError, DiffError, WorkbenchError
from workbench.jobs import DONE, FILE_LISTS, Job, Jobs, process_jobs
from workbench.store import Store

TABLE_VERSION = 1
EVERY_FILE = 10**9
FORK = "fork"
PREFETCH_BYTES = 64 * 1024 * 1024
GONE_HINT = (
    "the diff's file changes need the image on the engine once (build or pull it again); "
    "the other figures come from the stored analyses"
)


def table_key(analysis: ImageAnalysis) -> str:
    """What, besides the image, decides its file table: the analysis it must add up to."""
    parts = [
        str(TABLE_VERSION),
        str(SCHEMA_VERSION),
        analysis.rules,
        *analysis.app_paths,
        json.dumps(dict(analysis.components), sort_keys=True),
    ]
    return f"t{TABLE_VERSION}-" + hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def _encode(table: FileTable) -> bytes:
    return zlib.compress(json.dumps(table.to_dict(), separators=(",", ":")).encode(), 1)


def _decode(blob: bytes) -> FileTable | None:
    try:
        return FileTable.from_dict(json.loads(zlib.decompress(blob)))
    except (zlib.error, ValueError, KeyError, TypeError, AttributeError):
        return None  # damaged or written by another version: read the image again


def mismatch(table: FileTable, analysis: ImageAnalysis) -> list[str]:
    """The components whose files do not add up to the analysis's figure (empty: all do)."""
    totals = table.totals()
    names = dict.fromkeys([*analysis.components, *totals])
    return [n for n in names if totals.get(n, 0) != analysis.components.get(n, 0)]


def stored_table(analysis: ImageAnalysis, store: Store) -> FileTable | None:
    """The image's file table from the store, when it holds one that adds up."""
    blob = store.file_table(analysis.image_id, table_key(analysis))
    table = _decode(blob) if blob is not None else None
    if table is None or mismatch(table, analysis):
        return None
    return table


def table_from_analysis(image_id: str, analysis: ImageAnalysis) -> FileTable:
    """The file table an analysis made with every file kept (``top`` unbounded) holds."""
    files: dict[str, dict[str, int]] = {}
    for component, detail in analysis.largest.items():
        paths: dict[str, int] = defaultdict(int)
        for item in detail.largest_files:
            paths[item.path] += item.bytes  # a shadowed path held by several layers
        files[component] = dict(paths)
    for component in COMPONENTS:
        files.setdefault(component, {})
    return FileTable(image_id, files)


def _rules(analysis: ImageAnalysis) -> str | None:
    return None if not analysis.rules or analysis.rules == SHIPPED_RULES else analysis.rules


def _lean_table(analysis: ImageAnalysis, layers: Sequence[LayerSummary]) -> FileTable:
    """The analysis's own steps that give each file its component, and no more: merge
    (OCI rules), what Debian packages own, the classifier, the bytes as the engine
    counts them.  A third of the whole analysis's time on a large image."""
    merged = merge_layers([layer.entries for layer in layers])
    view = packages.FinalView(merged, layers)
    _, owners = packages.debian_owners(view)
    classifier = Classifier(
        load_rules(_rules(analysis)),
        app_paths=analysis.app_paths,
        virtualenvs=packages.virtualenvs(merged.final),
        dpkg_files=owners,
    )
    engine_bytes = [layer.engine_bytes for layer in analysis.layers]
    if len(engine_bytes) != len(layers):
        engine_bytes = [None] * len(layers)
    counted = [
        engine_counts_symlinks(stats, size)
        for stats, size in zip(merged.layers, engine_bytes, strict=True)
    ]
    files: dict[str, dict[str, int]] = {component: {} for component in COMPONENTS}
    shadowed: dict[str, int] = defaultdict(int)
    classify = classifier.component
    for group, path in zip(merged.groups, merged.visible_path, strict=True):
        weight = group.bytes
        if not weight or (group.kind is EntryKind.SYMLINK and not counted[group.layer]):
            continue
        if path is None:
            shadowed["/" + group.path] += weight
        else:
            absolute = "/" + path
            files.setdefault(classify(absolute), {})[absolute] = weight
    files[SHADOWED] = dict(shadowed)
    return FileTable(analysis.image_id, files)


def _full_table(analysis: ImageAnalysis, layers: Sequence[LayerSummary]) -> FileTable:
    """The whole analysis again, every file kept: slower, but the analysis's steps
    whatever they are."""
    config = {"config": {"WorkingDir": analysis.workdir}, "rootfs": {"diff_ids": []}}
    archive = ImageArchive("again", analysis.image_id, analysis.tags, config, tuple(layers))
    engine_bytes = [layer.engine_bytes for layer in analysis.layers]
    again = analyze_archive(
        archive,
        history=[layer.created_by for layer in analysis.layers],
        app_paths=analysis.app_paths,
        workdir=analysis.workdir,
        rules=_rules(analysis),
        top=EVERY_FILE,
        engine_layer_bytes=None if None in engine_bytes else engine_bytes,  # type: ignore[arg-type]
    )
    return table_from_analysis(analysis.image_id, again)


def _lean_or_none(analysis: ImageAnalysis, layers: Sequence[LayerSummary]) -> FileTable | None:
    """The quick steps' table when it adds up to the stored analysis, else ``None``."""
    try:
        table = _lean_table(analysis, layers)
    except (AttributeError, TypeError, ValueError, KeyError):
        return None  # the analysis's steps changed shape: run it whole
    return None if mismatch(table, analysis) else table


def table_of_layers(analysis: ImageAnalysis, layers: Sequence[LayerSummary]) -> FileTable:
    """Every file of the image with its component, from its layers read again; pure.

    The quick steps first; when their files do not add up to the stored analysis (the
    analysis changed its steps), the whole analysis again.

    Raises:
        DiffError: neither adds up to the stored analysis (it was made by another
            version of the rules or of the workbench).
    """
    table = _lean_or_none(analysis, layers)
    if table is not None:
        return table
    try:
        table = _full_table(analysis, layers)
    except AnalysisError as exc:
        raise DiffError(f"cannot read the files of {short_id(analysis.image_id)}: {exc}") from exc
    wrong = mismatch(table, analysis)
    if wrong:
        raise DiffError(
            f"the files of {short_id(analysis.image_id)} do not add up to its stored analysis "
            f"({', '.join(wrong)}); analyse it again: workbench analyze "
            f"{short_id(analysis.image_id)} --fresh"
        )
    return table


def dpkg_capture(path: str) -> int:
    """What the quick steps read of a layer's files: dpkg's records only (who owns what)."""
    return capture_limit(path) if path.startswith((DPKG_INFO, DPKG_STATUS)) else 0


def _overlay_layers(
    inspect: Mapping[str, Any], capture: CaptureRule = dpkg_capture
) -> tuple[LayerSummary, ...] | None:
    """The image's layers from the engine's overlay2 folders, when readable here."""
    dirs = layer_dirs(inspect)
    if dirs is None:
        return None
    try:
        return read_layer_dirs(dirs, capture=capture)
    except OSError:
        return None  # a layer vanished or became unreadable: the export will do


def _exported(client: docker.DockerClient, image_id: str) -> tuple[LayerSummary, ...]:
    stream = None
    try:
        stream = ChunkReader(client.api.get_image(image_id), prefetch=PREFETCH_BYTES)
        return read_archive(stream, capture=capture_limit, ref=image_id).layers
    except ENGINE_ERRORS as exc:
        raise DiffError(f"the engine could not export {short_id(image_id)}: {exc}") from exc
    except AnalysisError as exc:
        raise DiffError(f"cannot read the files of {short_id(image_id)}: {exc}") from exc
    finally:
        if stream is not None:
            stream.close()


def _from_overlay(analysis: ImageAnalysis, inspect: Mapping[str, Any]) -> bytes | None:
    """The image's file table, encoded, from its overlay2 folders (``None``: unreadable).

    The layers are read with dpkg's records only, which the quick steps need; when
    those do not add up, again with everything the whole analysis reads.
    """
    layers = _overlay_layers(inspect)
    if layers is None:
        return None
    table = _lean_or_none(analysis, layers)
    if table is None:
        layers = _overlay_layers(inspect, capture_limit)
        if layers is None:
            return None
        table = table_of_layers(analysis, layers)
    return _encode(table)


def read_tables(client: docker.DockerClient, analyses: Sequence[ImageAnalysis]) -> list[bytes]:
    """Read the images' layers again (overlay2 when readable, else the export) and give
    every file its component; several images are read side by side, one process each.

    Returns:
        Each image's file table, encoded as the store keeps it.

    Raises:
        DiffError: the engine lacks an image, or its files do not add up.
    """
    inspects = [inspect_image(client, a.image_id, DiffError, GONE_HINT) for a in analyses]
    found: list[bytes | None] = [None] * len(analyses)
    readable = [i for i, inspect in enumerate(inspects) if layer_dirs(inspect) is not None]
    if len(readable) > 1 and FORK in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context(FORK)
        with ProcessPoolExecutor(len(readable), mp_context=context) as pool:
            futures = {i: pool.submit(_from_overlay, analyses[i], inspects[i]) for i in readable}
            for i, future in futures.items():
                found[i] = future.result()
    for i, analysis in enumerate(analyses):
        if found[i] is None and i in readable:
            found[i] = _from_overlay(analysis, inspects[i])
        if found[i] is None:
            layers = _exported(client, analysis.image_id)
            found[i] = _encode(table_of_layers(analysis, layers))
    return [blob for blob in found if blob is not None]


def file_table(
    analysis: ImageAnalysis,
    *,
    store: Store | None = None,
    client_factory: Callable[[], docker.DockerClient] = engine.connect,
) -> FileTable:
    """Every file of an analysed image with its component: from the store, else read
    from the engine once and kept.

    Args:
        analysis: the image's stored analysis (the table must add up to it).
        store: the store (default: the workbench's).
        client_factory: how to reach the engine when the store lacks the table.

    Raises:
        DiffError: the table is not stored and the image cannot be read again.
        EngineUnavailable: it is not stored and no engine answers.
    """
    [table] = file_tables_or_raise([analysis], store=store, client_factory=client_factory)
    return table


def file_tables_or_raise(
    analyses: Sequence[ImageAnalysis],
    *,
    store: Store | None = None,
    client_factory: Callable[[], docker.DockerClient] = engine.connect,
) -> list[FileTable]:
    """Each image's file table: the stored ones, the others read side by side and kept.

    Raises:
        DiffError: a table is not stored and its image cannot be read again.
        EngineUnavailable: one is not stored and no engine answers.
    """
    store = store or Store()
    tables = {a.image_id: stored_table(a, store) for a in analyses}
    missing = list({a.image_id: a for a in analyses if tables[a.image_id] is None}.values())
    if missing:
        for analysis, blob in zip(missing, read_tables(client_factory(), missing), strict=True):
            store.save_file_table(analysis.image_id, table_key(analysis), blob)
            tables[analysis.image_id] = _decode(blob)
    found = [tables[a.image_id] for a in analyses]
    return [table for table in found if table is not None]


def file_tables(
    analyses: Sequence[ImageAnalysis],
    *,
    store: Store | None = None,
    client_factory: Callable[[], docker.DockerClient] = engine.connect,
) -> tuple[list[FileTable] | None, str]:
    """Each image's file table, or why there are none (one line), never raising for a
    workbench error: a diff without its file changes still has every other figure."""
    try:
        return file_tables_or_raise(analyses, store=store, client_factory=client_factory), ""
    except WorkbenchError as exc:
        return None, str(exc)


def start_file_tables(
    analyses: Sequence[ImageAnalysis],
    *,
    store: Store | None = None,
    jobs: Jobs | None = None,
    client_factory: Callable[[], docker.DockerClient] = engine.connect,
) -> list[Job]:
    """Read the file tables the store lacks in the background, one job per image.

    A job that failed is not tried again on every call (its error says why; a new
    process tries again).

    Returns:
        The jobs of the images the store lacks a table for: new, queued, running,
        or failed.
    """
    store = store or Store()
    jobs = jobs or process_jobs()
    found = []
    for analysis in analyses:
        if stored_table(analysis, store) is not None:
            continue
        job = jobs.job(FILE_LISTS, analysis.image_id)
        if job is None or job.state == DONE:

            def work(analysis: ImageAnalysis = analysis) -> None:
                file_table(analysis, store=store, client_factory=client_factory)

            job = jobs.submit(FILE_LISTS, analysis.image_id, work, short_id(analysis.image_id))
        found.append(job)
    return found

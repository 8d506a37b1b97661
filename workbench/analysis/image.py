"""Analyse an image: the steps from an export stream to an :class:`ImageAnalysis`.

:func:`analyze_image` asks the engine (docker SDK) for the image and its export;
:func:`analyze_stream` does the rest without an engine, from any export stream;
:func:`analyze_archive` starts from an already read :class:`ImageArchive`.
The steps: read (one streaming pass) -> merge (OCI layer rules) -> packages ->
classify (component rules) -> figures.
"""

from __future__ import annotations

import contextlib
import gc
import io
import posixpath
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from workbench.analysis import layer_cache
from workbench.analysis.classify import (
    COMPONENTS,
    PLAN_ROWS,
    SHADOWED,
    Classifier,
    RuleSet,
    load_rules,
)
from workbench.analysis.efficiency import efficiency
from workbench.analysis.engine_api import EngineAPI, as_engine
from workbench.analysis.forked import Forked, split_map_beside
from workbench.analysis.groups import GroupTally, shadows
from workbench.analysis.largest import largest
from workbench.analysis.layer_cache import EstimateCache
from workbench.analysis.merge import LayerStats, MergeResult, merge_layers
from workbench.analysis.model import Compressed, ImageAnalysis, LayerAnalysis
from workbench.analysis.overlay import overlay_archive
from workbench.analysis.packages import (
    FinalView,
    PythonPackage,
    capture_limit,
    debian_owners,
    python_packages,
    virtualenvs,
)
from workbench.analysis.reader import EntryKind, ImageArchive, read_archive
from workbench.analysis.streams import ChunkReader
from workbench.errors import AnalysisError
from workbench.labels import STAND_IN_REPLACES

SOURCES = ("auto", "export", "overlay2")
PULL_HINT = "build or pull it first (`docker images` lists them)"
TOP_N = 20
PREFETCH_BYTES = 64 * 1024 * 1024
_SYMLINK = EntryKind.SYMLINK
# the paths the child classifies (the rest here), before it lists the Python packages
CLASSIFIED_BESIDE = 0.45

Rules = RuleSet | str | Path | None


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while an analysis builds its tables.

    An analysis makes a few hundred thousand small objects that live until it returns and
    form no cycles: a collection walks them all for nothing.  The pauser restarts it.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _rule_set(rules: Rules) -> RuleSet:
    if isinstance(rules, RuleSet):
        return rules
    return load_rules(rules)


def _instruction(entry: Mapping[str, Any]) -> str:
    """What made a layer: its instruction, else its comment (``docker import`` leaves
    only "Imported from -")."""
    created_by = entry.get("created_by") or ""
    comment = entry.get("comment") or ""
    return created_by or (f"({comment})" if comment else "")


def _created_by(config: Mapping[str, Any], count: int) -> list[str]:
    """Map the config's history to layers as dive does: non-empty entries, in order."""
    history = config.get("history") or ()
    steps = [_instruction(h) for h in history if not h.get("empty_layer")]
    if len(steps) != count:
        steps = steps[-count:] if len(steps) > count else [""] * (count - len(steps)) + steps
    return steps


def _app_prefixes(app_paths: Iterable[str], workdir: str) -> tuple[str, ...]:
    paths = tuple(_absolute(p) for p in (str(a).strip() for a in app_paths) if p)
    if paths:
        return tuple(p for p in paths if p != "/")
    root = _absolute(workdir) if workdir else "/"
    return () if root == "/" else (root,)


def _absolute(path: str) -> str:
    return "/" + posixpath.normpath("/" + path).lstrip("/")


def engine_counts_symlinks(stats: LayerStats, engine_bytes: int | None) -> bool:
    """Whether the engine's size of a layer counts its symlinks' target lengths.

    Layers the engine made by applying a tar or walking a folder (pulled, loaded,
    imported, classic builder) count them; layers engine 20.10 registered from BuildKit
    count file contents only.  The engine's own record of the layer tells which:
    ``False`` only when it equals the layer's bytes without its symlinks.
    """
    return not (
        engine_bytes is not None
        and stats.symlink_bytes > 0
        and engine_bytes == stats.bytes - stats.symlink_bytes
    )


@dataclass
class _Counted:
    """Each group's component and counted bytes, summed per component and per layer."""

    component_of: list[str]
    weights: list[int]
    totals: dict[str, int]
    per_layer: list[dict[str, int]]
    tally: GroupTally
    uncounted_visible: int = 0
    python_packages: list[PythonPackage] = field(default_factory=list)


def _engine_bytes(engine_layer_bytes: Sequence[int] | None, count: int) -> list[int | None]:
    if engine_layer_bytes is not None and len(engine_layer_bytes) == count:
        return list(engine_layer_bytes)
    return [None] * count


def _count(
    merged: MergeResult, classifier: Classifier, counted: Sequence[bool], view: FinalView
) -> _Counted:
    """Classify every group and count its bytes as the engine does (a symlink in a layer
    whose engine size leaves symlinks out counts 0, and is remembered if visible); list
    the Python packages beside, in the child that classifies a part of the paths.

    Each group's bytes also go to its rule's id and its tags, per layer; a shadowed
    group is named by the rule and tags its own path would have.
    """
    result = _Counted([], [], dict.fromkeys(COMPONENTS, 0), [], GroupTally())
    result.per_layer = per_layer = [dict.fromkeys(COMPONENTS, 0) for _ in merged.layers]
    add, component_of, weights = result.tally.add, result.component_of, result.weights
    totals, uncounted = result.totals, 0
    groups, visible = merged.groups, merged.visible_path
    paths = ["/" + (p if p is not None else g.path) for g, p in zip(groups, visible, strict=True)]
    labels, result.python_packages = split_map_beside(
        classifier.labels, paths, partial(python_packages, view), share=CLASSIFIED_BESIDE
    )
    for group, path, absolute, (component, rule_id, names) in zip(
        groups, visible, paths, labels, strict=True
    ):
        layer = group.layer
        if path is None:
            component = SHADOWED
        weight = group.bytes
        if group.kind is _SYMLINK and not counted[layer]:
            weight = 0
            if path is not None:
                uncounted += group.bytes
        if rule_id:
            names = (rule_id, *names)
        if names:
            add(names, layer, absolute, weight, path is not None)
        component_of.append(component)
        weights.append(weight)
        totals[component] += weight
        per_layer[layer][component] += weight
    result.uncounted_visible = uncounted
    return result


def _layer_results(
    archive: ImageArchive,
    merged: MergeResult,
    created: Sequence[str],
    counted: Sequence[bool],
    engine_bytes: Sequence[int | None],
    per_layer: Sequence[Mapping[str, int]],
) -> tuple[LayerAnalysis, ...]:
    layers = archive.layers
    diff_ids = list(archive.diff_ids)
    if len(diff_ids) != len(layers):
        diff_ids = [""] * len(layers)
    return tuple(
        LayerAnalysis(
            index=i,
            diff_id=diff_ids[i],
            created_by=created[i],
            bytes=stats.bytes if counted[i] else stats.bytes - stats.symlink_bytes,
            components=dict(per_layer[i]),
            files_added=stats.files_added,
            files_changed=stats.files_changed,
            files_deleted=stats.files_deleted,
            gzip_bytes=layer.gzip_bytes,
            zstd_bytes=layer.zstd_bytes,
            symlink_bytes=stats.symlink_bytes,
            engine_bytes=engine_bytes[i],
            symlinks_counted=counted[i],
        )
        for i, (stats, layer) in enumerate(zip(merged.layers, layers, strict=True))
    )


def _history(archive: ImageArchive, history: Sequence[str] | None) -> list[str]:
    count = len(archive.layers)
    created = list(history) if history is not None else _created_by(archive.config, count)
    if len(created) != count:
        created = (created + [""] * count)[:count]
    return created


def _compressed(archive: ImageArchive) -> Compressed:
    """The image's estimates: the sums of its layers', when every layer has one."""
    gzip_all = [layer.gzip_bytes for layer in archive.layers]
    zstd_all = [layer.zstd_bytes for layer in archive.layers]
    return Compressed(
        gzip_bytes=sum(gzip_all) if gzip_all and None not in gzip_all else None,  # type: ignore[arg-type]
        zstd_bytes=sum(zstd_all) if zstd_all and None not in zstd_all else None,  # type: ignore[arg-type]
    )


@_collector_paused()
def analyze_archive(
    archive: ImageArchive,
    *,
    history: Sequence[str] | None = None,
    app_paths: Iterable[str] = (),
    workdir: str | None = None,
    rules: Rules = None,
    top: int = TOP_N,
    engine_layer_bytes: Sequence[int] | None = None,
) -> ImageAnalysis:
    """Analyse an image export that :func:`~workbench.analysis.reader.read_archive` read.

    Args:
        archive: the read export.
        history: per layer (lowest first), the instruction that made it; from the
            image config when ``None``.
        app_paths: absolute path prefixes of the application code (the Dockerfile's
            COPY/ADD destinations from the project, manifests excluded by the rules);
            the WORKDIR when empty.
        workdir: the image's WORKDIR; from the image config when ``None``.
        rules: a rule set, a rules file, or ``None`` for the shipped rules.
        top: how many of the largest folders and files to keep per component.
        engine_layer_bytes: per layer, its size as the engine records it.

    Returns:
        The analysis.
    """
    rule_set = _rule_set(rules)
    image_config = archive.config.get("config") or {}
    if workdir is None:
        workdir = image_config.get("WorkingDir") or ""
    layers = [layer.entries for layer in archive.layers]
    dive_later = Forked(efficiency, layers)  # on the other core while the rest goes on
    merged = merge_layers(layers)
    view = FinalView(merged, archive.layers)
    venvs = virtualenvs(merged.final)
    debs, dpkg_files = debian_owners(view)
    prefixes = _app_prefixes(app_paths, workdir)
    classifier = Classifier(rule_set, app_paths=prefixes, virtualenvs=venvs, dpkg_files=dpkg_files)
    engine_bytes = _engine_bytes(engine_layer_bytes, len(archive.layers))
    counted = [
        engine_counts_symlinks(stats, engine)
        for stats, engine in zip(merged.layers, engine_bytes, strict=True)
    ]
    figures = _count(merged, classifier, counted, view)
    totals = figures.totals
    size_bytes = sum(totals.values())
    dive = dive_later.result()
    return ImageAnalysis(
        image_id=archive.image_id,
        tags=archive.tags,
        size_bytes=size_bytes,
        final_bytes=size_bytes - totals[SHADOWED] + figures.uncounted_visible,
        uncounted_symlink_bytes=figures.uncounted_visible,
        components=totals,
        plan_view={row: sum(totals[c] for c in parts) for row, parts in PLAN_ROWS.items()},
        layers=_layer_results(
            archive, merged, _history(archive, history), counted, engine_bytes, figures.per_layer
        ),
        python_packages=tuple(figures.python_packages),
        debian_packages=tuple(debs),
        largest=largest(merged, figures.component_of, figures.weights, top),
        efficiency=dive.score,
        wasted_bytes=dive.wasted_bytes,
        compressed=_compressed(archive),
        stand_in_base=(image_config.get("Labels") or {}).get(STAND_IN_REPLACES) or None,
        engine_size_bytes=sum(engine_bytes) if None not in engine_bytes else None,  # type: ignore[arg-type]
        workdir=workdir,
        app_paths=prefixes,
        virtualenvs=venvs,
        layout=archive.layout,
        rules=rule_set.source,
        groups=figures.tally.groups(),
        shadows=shadows(merged, figures.weights),
        command=tuple(image_config.get("Entrypoint") or ()) + tuple(image_config.get("Cmd") or ()),
        user=image_config.get("User") or "",
        labels=dict(image_config.get("Labels") or {}),
    )


def _as_fileobj(source: Any) -> Any:
    if hasattr(source, "read"):
        return source
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(source))
    return ChunkReader(source)


def analyze_stream(
    chunks_or_fileobj: Any,
    *,
    history: Sequence[str] | None = None,
    app_paths: Iterable[str] = (),
    workdir: str | None = None,
    rules: Rules = None,
    compress: bool = True,
    zstd: bool = False,
    ref: str | None = None,
    top: int = TOP_N,
) -> ImageAnalysis:
    """Analyse an image export stream; pure: no engine, no disk.

    Args:
        chunks_or_fileobj: the export (``docker save`` output, docker-archive or OCI
            layout) as a file object, ``bytes``, or an iterable of byte chunks.
        history: per layer, lowest first, the instruction that made it; from the
            image config when ``None``.
        app_paths: absolute path prefixes of the application code; the WORKDIR when empty.
        workdir: the image's WORKDIR; from the image config when ``None``.
        rules: a rule set, a rules file path, or ``None`` for the shipped rules.
        compress: estimate each layer's gzip size while reading (costs CPU time).
        zstd: estimate each layer's zstd size too.
        ref: the image to pick when the export holds several.
        top: how many of the largest folders and files to keep per component.

    Returns:
        The analysis.

    Raises:
        AnalysisError: when the stream is not a readable image export.
    """
    rule_set = _rule_set(rules)  # fail on bad rules before reading gigabytes
    archive = read_archive(
        _as_fileobj(chunks_or_fileobj),
        capture=capture_limit,
        gzip_estimate=compress,
        zstd_estimate=zstd,
        ref=ref,
    )
    return analyze_archive(
        archive, history=history, app_paths=app_paths, workdir=workdir, rules=rule_set, top=top
    )


def _engine_layer_bytes(
    config: Mapping[str, Any], api_history: Sequence[Mapping[str, Any]], count: int
) -> list[int] | None:
    """Per layer (lowest first), its size as the engine records it.

    The engine's history has one item per config history entry, newest first, with
    the layer's size on the entries that made a layer.
    """
    history = list(config.get("history") or ())
    items = list(reversed(api_history))
    if len(history) != len(items):
        return None
    sizes = [
        int(item.get("Size") or 0)
        for entry, item in zip(history, items, strict=True)
        if not entry.get("empty_layer")
    ]
    return sizes if len(sizes) == count else None


def _exported(
    engine: EngineAPI,
    ref: str,
    *,
    compress: bool,
    zstd: bool,
    skip_estimates: Collection[str] = (),
) -> ImageArchive:
    stream = None
    try:
        stream = ChunkReader(engine.export(ref), prefetch=PREFETCH_BYTES)
        return read_archive(
            stream,
            capture=capture_limit,
            gzip_estimate=compress,
            zstd_estimate=zstd,
            ref=ref,
            skip_estimates=skip_estimates,
        )
    except engine.export_errors as exc:
        raise AnalysisError(f"the engine could not export {ref!r}: {exc}") from exc
    finally:
        if stream is not None:
            stream.close()


def _read_layers(
    engine: EngineAPI,
    ref: str,
    inspect: Mapping[str, Any],
    *,
    source: str,
    compress: bool,
    zstd: bool,
    estimates: EstimateCache | None,
) -> ImageArchive:
    """The image's layers: from overlay2 when that answers everything asked, else the
    export; compressed-size estimates known by diff id are not computed again."""
    estimating = compress or zstd
    diff_ids = list((inspect.get("RootFS") or {}).get("Layers") or ())
    known = (
        layer_cache.usable(estimates.get(diff_ids), zstd=zstd)
        if estimating and estimates is not None
        else {}
    )
    all_known = bool(diff_ids) and all(d in known for d in diff_ids)
    archive = None
    if source != "export":
        if estimating and not all_known:
            if source == "overlay2":
                raise AnalysisError(
                    "compressed sizes need the export: analyse with --no-compress to read "
                    "the engine's overlay2 folders"
                )
        else:
            with _collector_paused():
                archive = overlay_archive(engine, inspect, capture=capture_limit)
            if archive is None and source == "overlay2":
                raise AnalysisError(
                    "the engine's overlay2 folders are not readable here (a remote engine, "
                    "another storage driver, or no access to its storage); use the export"
                )
    skipped = layer_cache.export_keys(known)
    if archive is None:
        archive = _exported(engine, ref, compress=compress, zstd=zstd, skip_estimates=skipped)
    if not estimating:
        return archive
    if estimates is not None:
        estimates.put(layer_cache.learned(archive, skipped=skipped))
    archive = layer_cache.with_estimates(archive, known, zstd=zstd)
    if any(layer.gzip_bytes is None for layer in archive.layers):
        # an export path pointed at another layer than remembered: read it all again
        archive = _exported(engine, ref, compress=compress, zstd=zstd)
        if estimates is not None:
            estimates.put(layer_cache.learned(archive))
    return archive


def analyze_image(
    client: Any,
    ref: str,
    *,
    compress: bool = True,
    app_paths: Iterable[str] = (),
    rules: Rules = None,
    zstd: bool = False,
    workdir: str | None = None,
    top: int = TOP_N,
    source: str = "auto",
    estimates: EstimateCache | None = None,
) -> ImageAnalysis:
    """Analyse an image the engine holds: stream its export, or read its overlay2 folders.

    Args:
        client: a ``docker.DockerClient`` (see :func:`workbench.engine.connect`), or
            an engine of :mod:`workbench.analysis.engine_api` (a local socket's).
        ref: the image: a tag (``"name:tag"``) or an id.
        compress: estimate each layer's gzip size (``--no-compress`` skips it).
        app_paths: absolute path prefixes of the application code; the WORKDIR when empty.
        rules: a rule set, a rules file path, or ``None`` for the shipped rules.
        zstd: estimate each layer's zstd size too.
        workdir: override the image's WORKDIR.
        top: how many of the largest folders and files to keep per component.
        source: where the layers come from: ``"export"`` (the engine's image export,
            streamed; works with any engine), ``"overlay2"`` (the engine's own layer
            folders, several times faster; a local overlay2 engine whose storage is
            readable, and no compressed sizes), or ``"auto"``: overlay2 when it applies
            and no compressed size is asked for (or every layer's is in
            ``estimates``), else the export.  Both give the same figures; ``layout``
            tells which was used.
        estimates: layers' compressed-size estimates kept by diff id (see
            :mod:`workbench.analysis.layer_cache`): known layers are not compressed
            again, and the ones compressed now are added.

    Returns:
        The analysis, with the engine's own sizes (``engine_size_bytes``, per layer
        ``engine_bytes``) and the image's tags as the engine knows them.

    Raises:
        AnalysisError: when the engine lacks the image or the export is unreadable.
    """
    engine = as_engine(client)
    rule_set = _rule_set(rules)
    inspect = engine.inspect_image(ref, PULL_HINT)
    api_history = engine.history(ref)
    if source not in SOURCES:
        raise AnalysisError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
    archive = _read_layers(
        engine, ref, inspect, source=source, compress=compress, zstd=zstd, estimates=estimates
    )
    count = len(archive.layers)
    history = None
    if not any(h.get("created_by") for h in archive.config.get("history") or ()):
        steps = [i.get("CreatedBy", "") for i in reversed(api_history) if i.get("Size", 0) > 0]
        history = steps if len(steps) == count else None
    result = analyze_archive(
        archive,
        history=history,
        app_paths=app_paths,
        workdir=workdir,
        rules=rule_set,
        top=top,
        engine_layer_bytes=_engine_layer_bytes(archive.config, api_history, count),
    )
    labels = (inspect.get("Config") or {}).get("Labels") or {}
    return replace(
        result,
        image_id=inspect.get("Id") or result.image_id,
        tags=tuple(inspect.get("RepoTags") or ()) or result.tags,
        engine_size_bytes=inspect.get("Size"),
        stand_in_base=labels.get(STAND_IN_REPLACES) or result.stand_in_base,
        labels=dict(labels) or result.labels,
    )

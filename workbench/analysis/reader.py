"""Read an image export as one stream: per-layer entries, never file contents.

Both layouts an engine exports are understood:

* docker-archive (``docker save`` up to engine 24): ``manifest.json`` and
  ``<id>/layer.tar``;
* OCI image layout (engine 25 and later): ``index.json``, ``oci-layout`` and
  ``blobs/sha256/<digest>``.

Layers may be plain tars, gzip or zstd.  The stream is read once, front to back,
forward only: :mod:`tarfile` reads the outer archive through a
:class:`ForwardStream` (which refuses to seek back), and the lean
:class:`~workbench.analysis.tarstream.TarReader` reads each nested layer tar (the
bulk of the members).  Nothing is written to disk, nothing is extracted; the only
things kept are small per-layer summaries (one :class:`Entry` per tar member) keyed
by the layer's path in the archive, plus the few metadata files the packages step
needs (``*.dist-info/RECORD``, ``/var/lib/dpkg/status``, ...).  ``manifest.json`` and
``index.json`` may come after the layers; the order is resolved once the stream ends.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import posixpath
import tarfile
import zlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from workbench.analysis.compress import GzipEstimator, Sink, ZstdEstimator
from workbench.analysis.streams import READ_SIZE, ForwardStream, Tee, Window
from workbench.analysis.tarstream import DIRTYPE, LNKTYPE, REGULAR_TYPES, SYMTYPE, TarReader
from workbench.errors import AnalysisError, TarFormatError

JSON_LIMIT = 64 * 1024 * 1024
WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"
WHITEOUT_META_PREFIX = ".wh..wh."
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_KIND_OF_TAR = {"tar": "tar", "gzip": "gzip tar", "zstd": "zstd tar"}

CaptureRule = Callable[[str], int]
"""Given a member's path, how many bytes of its content to keep (0: none)."""


class EntryKind(StrEnum):
    """What a layer tar member is, as far as the figures care."""

    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"
    HARDLINK = "hardlink"
    OTHER = "other"  # device nodes and fifos: no bytes, but a path
    WHITEOUT = "whiteout"  # ``.wh.NAME``: path is NAME's path
    OPAQUE = "opaque"  # ``.wh..wh..opq``: path is its directory's path


MARKERS = (EntryKind.WHITEOUT, EntryKind.OPAQUE)


@dataclass(slots=True, unsafe_hash=True)
class Entry:
    """One member of a layer tar; never changed once made.

    Not ``frozen``: an analysis makes one per file of every layer (50,000 for the
    sample), and a frozen dataclass takes four times as long to make (each field is set
    through ``object.__setattr__``).

    Attributes:
        path: the path in the image, relative to ``/`` (``"usr/bin/python3"``); for a
            whiteout, the path it deletes; for an opaque marker, its directory.
        kind: what the member is.
        size: bytes it adds to the layer's size: a regular file's size, a symlink's
            target length in bytes, 0 for everything else.
        link: a hardlink's target path (normalised like ``path``) or a symlink's target.
    """

    path: str
    kind: EntryKind
    size: int = 0
    link: str = ""


@dataclass(frozen=True)
class LayerSummary:
    """What one pass over a layer tar leaves behind.

    Attributes:
        key: the layer's path in the archive (``"<id>/layer.tar"``, ``"blobs/sha256/..."``).
        entries: the tar's members in tar order.
        media: ``"tar"``, ``"gzip"`` or ``"zstd"``: how the layer was stored.
        captured: contents of the metadata files the capture rule asked for, by path.
        tar_bytes: the uncompressed tar's length when it was read to the end, else 0.
        gzip_bytes: estimated gzip size of the tar, when asked for.
        zstd_bytes: estimated zstd size of the tar, when asked for.
    """

    key: str
    entries: tuple[Entry, ...]
    media: str = "tar"
    captured: Mapping[str, bytes] = field(default_factory=dict)
    tar_bytes: int = 0
    gzip_bytes: int | None = None
    zstd_bytes: int | None = None


@dataclass(frozen=True)
class ImageArchive:
    """An exported image, read: its layers in order and its config.

    Attributes:
        layout: ``"docker-archive"`` or ``"oci"``.
        image_id: ``sha256:`` digest of the config.
        tags: the references the export names.
        config: the image config (``history``, ``rootfs``, ``config.Labels``, ...).
        layers: one summary per layer, lowest first (a layer listed twice appears twice).
    """

    layout: str
    image_id: str
    tags: tuple[str, ...]
    config: Mapping[str, Any]
    layers: tuple[LayerSummary, ...]

    @property
    def diff_ids(self) -> tuple[str, ...]:
        """The layers' uncompressed digests, from the config, lowest first."""
        return tuple(self.config.get("rootfs", {}).get("diff_ids") or ())


def sniff_media(head: bytes) -> str | None:
    """Tell a layer's storage from its first bytes.

    Returns:
        ``"gzip"``, ``"zstd"``, ``"tar"``, or ``None`` when it is not a layer.
    """
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZSTD_MAGIC):
        return "zstd"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    if len(head) >= 512 and not head.strip(b"\0"):
        return "tar"  # an empty layer: end-of-archive blocks only
    return None


def _decompressed(raw: Any, media: str) -> Any:
    if media == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if media == "zstd":
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(
            raw, read_size=READ_SIZE, read_across_frames=True
        )
    return raw


def member_path(name: str) -> str:
    """Turn a tar member name into a path relative to ``/`` without ``.``/``..``.

    Returns:
        ``""`` for the root itself.
    """
    if name.startswith(("./", "/")) or "//" in name or "/." in name or name in (".", ".."):
        name = posixpath.normpath("/" + name).lstrip("/")
        if name == ".":
            return ""
    return name.rstrip("/")


def _entry(path: str, typeflag: int, size: int, linkname: str) -> Entry | None:
    dirname, _, base = path.rpartition("/")
    if base.startswith(WHITEOUT_PREFIX):
        if base == OPAQUE_MARKER:
            return Entry(dirname, EntryKind.OPAQUE)
        if base.startswith(WHITEOUT_META_PREFIX):
            return None  # aufs bookkeeping (.wh..wh.plnk, ...): never a file
        target = base[len(WHITEOUT_PREFIX) :]
        return Entry(f"{dirname}/{target}" if dirname else target, EntryKind.WHITEOUT)
    if typeflag in REGULAR_TYPES:
        return Entry(path, EntryKind.FILE, size)
    if typeflag == DIRTYPE:
        return Entry(path, EntryKind.DIR)
    if typeflag == SYMTYPE:
        if linkname.isascii():
            return Entry(path, EntryKind.SYMLINK, len(linkname), linkname)
        length = len(linkname.encode("utf-8", "surrogateescape"))
        return Entry(path, EntryKind.SYMLINK, length, linkname)
    if typeflag == LNKTYPE:
        return Entry(path, EntryKind.HARDLINK, 0, member_path(linkname))
    return Entry(path, EntryKind.OTHER)


def read_layer(
    fileobj: Any,
    *,
    key: str = "",
    media: str | None = None,
    capture: CaptureRule | None = None,
    gzip_estimate: bool = False,
    zstd_estimate: bool = False,
) -> LayerSummary:
    """Read one layer tar (plain, gzip or zstd) as a stream into a summary.

    Args:
        fileobj: anything with ``read(n)``, positioned at the layer's first byte; it
            is read forward only, to the end of the tar (or further with estimates).
        key: the layer's path in its archive, kept in the summary.
        media: ``"tar"``, ``"gzip"`` or ``"zstd"``; sniffed from the first bytes if ``None``.
        capture: which members' contents to keep (see :data:`CaptureRule`).
        gzip_estimate: also estimate the gzip size of the uncompressed tar.
        zstd_estimate: also estimate its zstd size.

    Returns:
        The layer's entries in tar order, with captured contents and estimates.

    Raises:
        AnalysisError: when the layer is not a readable tar.
    """
    if media is None:
        if not isinstance(fileobj, ForwardStream):
            fileobj = ForwardStream(fileobj)
        media = sniff_media(fileobj.peek(512)) or "tar"
    gzip_sink = GzipEstimator() if gzip_estimate else None
    zstd_sink = ZstdEstimator() if zstd_estimate else None
    sinks: tuple[Sink, ...] = tuple(s for s in (gzip_sink, zstd_sink) if s is not None)
    try:
        stream: Any = _decompressed(fileobj, media)
        tee = Tee(stream, sinks) if sinks else None
        entries, captured = _read_members(ForwardStream(tee or stream), capture)
        if tee is not None:
            tee.drain()
    except (TarFormatError, tarfile.TarError, OSError, EOFError, ValueError, zlib.error) as exc:
        kind = _KIND_OF_TAR.get(media, media)
        raise AnalysisError(
            f"layer {key or '(unnamed)'} is not a readable {kind} ({exc}); "
            "the export may be truncated: export the image again"
        ) from exc
    except Exception as exc:  # zstandard raises its own ZstdError
        if type(exc).__name__ != "ZstdError":
            raise
        raise AnalysisError(
            f"layer {key or '(unnamed)'} is not readable zstd ({exc}); export the image again"
        ) from exc
    return LayerSummary(
        key=key,
        entries=tuple(entries),
        media=media,
        captured=captured,
        tar_bytes=tee.count if tee is not None else 0,
        gzip_bytes=gzip_sink.finish() if gzip_sink is not None else None,
        zstd_bytes=zstd_sink.finish() if zstd_sink is not None else None,
    )


def _open_tar(stream: ForwardStream) -> tarfile.TarFile | None:
    """A reading TarFile over a forward-only stream, ``None`` for an empty one."""
    try:
        return tarfile.TarFile(fileobj=stream, mode="r")
    except tarfile.ReadError as exc:
        if "empty file" in str(exc):
            return None
        raise


def _read_members(
    stream: ForwardStream, capture: CaptureRule | None
) -> tuple[list[Entry], dict[str, bytes]]:
    entries: list[Entry] = []
    captured: dict[str, bytes] = {}
    append = entries.append
    tar = TarReader(stream)
    while (member := tar.next()) is not None:
        path = member_path(member[0])
        if not path:
            continue
        entry = _entry(path, *member[1:])
        if entry is None:
            continue
        append(entry)
        if capture is not None and entry.kind is EntryKind.FILE:
            limit = capture(path)
            if limit:
                captured[path] = tar.read_data(limit)
    return entries, captured


def read_archive(
    fileobj: Any,
    *,
    capture: CaptureRule | None = None,
    gzip_estimate: bool = False,
    zstd_estimate: bool = False,
    ref: str | None = None,
    skip_estimates: Collection[str] = (),
) -> ImageArchive:
    """Read a whole image export (docker-archive or OCI layout) in one pass.

    Args:
        fileobj: the export, with ``read(n)`` (a :class:`ChunkReader`, a file, ...);
            read forward only, once.
        capture: which layer members' contents to keep (see :data:`CaptureRule`).
        gzip_estimate: estimate each layer's gzip size while reading it.
        zstd_estimate: estimate each layer's zstd size while reading it.
        ref: when the export holds several images, the tag or id to pick.
        skip_estimates: layer paths in the export whose estimates are known already:
            they are read but not compressed.

    Returns:
        The image's layers in order, its config, id and tags.

    Raises:
        AnalysisError: when the stream is not an image export or misses a piece.
    """
    blobs: dict[str, bytes] = {}
    links: dict[str, str] = {}
    layers: dict[str, LayerSummary] = {}
    stream = ForwardStream(fileobj)
    try:
        outer = _open_tar(stream)
        if outer is None:
            raise AnalysisError("the image export is empty; export the image again")
        with outer:
            _read_outer(
                outer,
                stream,
                blobs,
                links,
                layers,
                capture,
                gzip_estimate,
                zstd_estimate,
                frozenset(skip_estimates),
            )
    except tarfile.TarError as exc:
        raise AnalysisError(
            f"the image export is not a readable tar ({exc}); export the image again"
        ) from exc
    try:
        return _assemble(blobs, links, layers, ref)
    except (KeyError, TypeError, AttributeError, IndexError) as exc:
        raise AnalysisError(
            f"the image export's manifest or index has an unexpected shape ({exc!r}); "
            "export the image again"
        ) from exc


def _check_config(config: Any, path: str) -> dict[str, Any]:
    """The image config, if its fields the analysis reads have the types they must."""
    inner = config.get("config") if isinstance(config, dict) else None
    rootfs = config.get("rootfs") if isinstance(config, dict) else None
    history = config.get("history") if isinstance(config, dict) else None
    ok = (
        isinstance(config, dict)
        and isinstance(inner or {}, dict)
        and isinstance(rootfs or {}, dict)
        and isinstance(history or [], list)
        and all(isinstance(item, dict) for item in history or ())
        and isinstance((inner or {}).get("WorkingDir") or "", str)
        and isinstance((inner or {}).get("Labels") or {}, dict)
        and isinstance((rootfs or {}).get("diff_ids") or [], list)
    )
    if not ok:
        raise AnalysisError(
            f"the image config {path} in the export has an unexpected shape; export the image again"
        )
    return config


def _read_outer(
    outer: tarfile.TarFile,
    stream: ForwardStream,
    blobs: dict[str, bytes],
    links: dict[str, str],
    layers: dict[str, LayerSummary],
    capture: CaptureRule | None,
    gzip_estimate: bool,
    zstd_estimate: bool,
    skip_estimates: frozenset[str] = frozenset(),
) -> None:
    while True:
        info = outer.next()
        if info is None:
            break
        outer.members.clear()
        name = member_path(info.name)
        if info.issym() or info.islnk():
            target = info.linkname
            if info.issym():
                target = posixpath.join(posixpath.dirname(name), target)
            links[name] = member_path(target)
            continue
        if not info.isreg():
            continue
        if name.endswith(".json") or name in ("repositories", "oci-layout"):
            if info.size <= JSON_LIMIT:
                stream.seek(info.offset_data)
                blobs[name] = stream.read(info.size)
            continue
        stream.seek(info.offset_data)
        head = stream.peek(min(512, info.size))
        media = sniff_media(head)
        if media is None and name.endswith(".tar"):
            media = "tar"
        if media is not None:
            estimate = name not in skip_estimates
            layers[name] = read_layer(
                Window(stream, info.size),
                key=name,
                media=media,
                capture=capture,
                gzip_estimate=gzip_estimate and estimate,
                zstd_estimate=zstd_estimate and estimate,
            )
        elif head.lstrip().startswith(b"{") and info.size <= JSON_LIMIT:
            blobs[name] = stream.read(info.size)


def _load_json(blobs: Mapping[str, bytes], name: str) -> Any:
    try:
        return json.loads(blobs[name])
    except KeyError:
        raise AnalysisError(
            f"the image export has no {name}; it is not a complete docker or OCI export"
        ) from None
    except ValueError as exc:
        raise AnalysisError(f"{name} in the image export is not JSON ({exc})") from exc


def _resolve(path: str, links: Mapping[str, str]) -> str:
    for _ in range(16):
        if path not in links:
            return path
        path = links[path]
    return path


def _blob_path(digest: str) -> str:
    algorithm, _, hexdigest = digest.partition(":")
    return f"blobs/{algorithm}/{hexdigest}"


def _assemble(
    blobs: Mapping[str, bytes],
    links: Mapping[str, str],
    layers: Mapping[str, LayerSummary],
    ref: str | None,
) -> ImageArchive:
    if "manifest.json" in blobs:
        layout = "docker-archive" if "index.json" not in blobs else "oci"
        manifest = _load_json(blobs, "manifest.json")
        if not isinstance(manifest, list) or not manifest:
            raise AnalysisError("manifest.json in the image export lists no image")
        entry = _pick_docker_entry(manifest, ref)
        config_path = _resolve(member_path(entry["Config"]), links)
        layer_paths = [_resolve(member_path(p), links) for p in entry.get("Layers") or ()]
        tags = tuple(entry.get("RepoTags") or ())
    elif "index.json" in blobs:
        layout = "oci"
        config_path, layer_paths, tags = _oci_manifest(blobs, ref)
    else:
        raise AnalysisError(
            "the image export has neither manifest.json nor index.json; "
            "it is not a docker or OCI image export"
        )
    config_bytes = blobs.get(config_path)
    if config_bytes is None:
        raise AnalysisError(f"the image export lacks the image config {config_path}")
    config = _check_config(_load_json(blobs, config_path), config_path)
    missing = [p for p in layer_paths if p not in layers]
    if missing:
        raise AnalysisError(
            f"the image export lacks {len(missing)} layer(s), first {missing[0]}; "
            "export the image again"
        )
    return ImageArchive(
        layout=layout,
        image_id="sha256:" + hashlib.sha256(config_bytes).hexdigest(),
        tags=tags,
        config=config,
        layers=tuple(layers[p] for p in layer_paths),
    )


def _pick_docker_entry(manifest: list[dict[str, Any]], ref: str | None) -> dict[str, Any]:
    if ref is not None and len(manifest) > 1:
        for entry in manifest:
            config = str(entry.get("Config", ""))
            if ref in (entry.get("RepoTags") or ()) or (
                ref.removeprefix("sha256:") and ref.removeprefix("sha256:") in config
            ):
                return entry
    return manifest[0]


def _oci_manifest(
    blobs: Mapping[str, bytes], ref: str | None
) -> tuple[str, list[str], tuple[str, ...]]:
    index = _load_json(blobs, "index.json")
    descriptors = list(index.get("manifests") or ())
    if not descriptors:
        raise AnalysisError("index.json in the image export lists no image")
    chosen = descriptors[0]
    if ref is not None:
        for descriptor in descriptors:
            names = _ref_names(descriptor)
            if ref in names or any(n.endswith(f"/{ref}") or n == ref for n in names):
                chosen = descriptor
                break
    tags = _ref_names(chosen)
    node = _load_json(blobs, _blob_path(chosen["digest"]))
    for _ in range(8):  # nested indexes (multi-platform): take the first manifest
        if "layers" in node:
            break
        children = node.get("manifests") or ()
        if not children:
            raise AnalysisError("an image index in the export lists no manifest")
        platform = next(
            (
                c
                for c in children
                if (c.get("platform") or {}).get("os") == "linux"
                and (c.get("platform") or {}).get("architecture") == "amd64"
            ),
            children[0],
        )
        node = _load_json(blobs, _blob_path(platform["digest"]))
    config_path = _blob_path(node["config"]["digest"])
    layer_paths = [_blob_path(layer["digest"]) for layer in node.get("layers") or ()]
    return config_path, layer_paths, tags


def _ref_names(descriptor: Mapping[str, Any]) -> tuple[str, ...]:
    annotations = descriptor.get("annotations") or {}
    names = []
    for key in ("io.containerd.image.name", "org.opencontainers.image.ref.name"):
        value = annotations.get(key)
        if value and value not in names:
            names.append(value)
    return tuple(names)

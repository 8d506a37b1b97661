"""The fast path: read a local overlay2 engine's layer folders instead of an export.

When the engine runs on this machine with the overlay2 storage driver and its
storage is readable (the workbench runs as root, or with read access to
``/var/lib/docker``), each layer's ``diff`` folder holds exactly what the layer's tar
would: whiteouts are 0/0 character devices, an opaque folder carries the
``trusted.overlay.opaque`` attribute, hardlinks share an inode.  Walking those
folders (``stat`` only, plus the few metadata files the packages step reads) gives
the same entries as the export, in the same order (lexical, parents first, as the
engine's tar writer walks), several times faster than exporting: the engine's
export first copies every layer to a temporary folder.

Compressed-size estimates need the tar bytes, so this path only serves analyses
without them, or whose every layer's estimate is known already (see
:mod:`workbench.analysis.layer_cache`); :func:`overlay_archive` returns ``None``
whenever the path does not apply, and the caller falls back to the export.
"""

from __future__ import annotations

import hashlib
import json
import operator
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workbench.analysis.engine_api import as_engine
from workbench.analysis.reader import (
    CaptureRule,
    Entry,
    EntryKind,
    ImageArchive,
    LayerSummary,
)

OPAQUE_XATTR = "trusted.overlay.opaque"
_DIR, _FILE, _SYMLINK = EntryKind.DIR, EntryKind.FILE, EntryKind.SYMLINK
_HARDLINK, _OPAQUE, _WHITEOUT, _OTHER = (
    EntryKind.HARDLINK,
    EntryKind.OPAQUE,
    EntryKind.WHITEOUT,
    EntryKind.OTHER,
)
_NAME = operator.attrgetter("name")


def layer_dirs(inspect: Mapping[str, Any]) -> list[Path] | None:
    """The image's layer folders, lowest first, when they are overlay2 and readable."""
    driver = inspect.get("GraphDriver") or {}
    data = driver.get("Data") or {}
    if driver.get("Name") != "overlay2" or not data.get("UpperDir"):
        return None
    lower = [p for p in (data.get("LowerDir") or "").split(":") if p]
    dirs = [Path(p) for p in [*reversed(lower), data["UpperDir"]]]
    layers = (inspect.get("RootFS") or {}).get("Layers") or []
    if len(dirs) != len(layers):
        return None
    if not all(os.access(d, os.R_OK | os.X_OK) and d.is_dir() for d in dirs):
        return None
    return dirs


def _opaque(path: bytes) -> bool:
    try:
        return os.getxattr(path, OPAQUE_XATTR, follow_symlinks=False) == b"y"
    except OSError:
        return False


def _capture(path: bytes, limit: int) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except OSError:
        return None


def read_layer_dir(
    root: Path, *, key: str = "", capture: CaptureRule | None = None
) -> LayerSummary:
    """Read one overlay2 ``diff`` folder into the entries its layer tar would give.

    The walk is the engine's tar writer's: names in byte order, each folder's
    entries right after the folder (its opaque marker first), a hardlinked inode's
    first path holding the data and the later ones linking to it.

    Args:
        root: the layer's ``diff`` folder.
        key: a name for the layer, kept in the summary.
        capture: which files' contents to keep (a
            :data:`~workbench.analysis.reader.CaptureRule`).

    Returns:
        The layer's entries, in the order of its tar.
    """
    entries: list[Entry] = []
    captured: dict[str, bytes] = {}
    inodes: dict[tuple[int, int], str] = {}
    append = entries.append

    def walk(folder: bytes, rel: str) -> None:
        # the hot loop (once per file of every layer): the entry's type comes from the
        # folder listing (d_type), so only regular files and device nodes are stat'ed
        with os.scandir(folder) as listing:
            children = sorted(listing, key=_NAME)
        prefix = f"{rel}/" if rel else ""
        for child in children:
            path = prefix + child.name.decode("utf-8", "surrogateescape")
            if child.is_dir(follow_symlinks=False):
                append(Entry(path, _DIR))
                if _opaque(child.path):
                    append(Entry(path, _OPAQUE))
                walk(child.path, path)
            elif child.is_symlink():
                target = os.readlink(child.path)
                append(Entry(path, _SYMLINK, len(target), os.fsdecode(target)))
            elif child.is_file(follow_symlinks=False):
                info = child.stat(follow_symlinks=False)
                if info.st_nlink > 1:
                    inode = (info.st_dev, info.st_ino)
                    first = inodes.get(inode)
                    if first is not None:
                        append(Entry(path, _HARDLINK, 0, first))
                        continue
                    inodes[inode] = path
                append(Entry(path, _FILE, info.st_size))
                if capture is not None:
                    limit = capture(path)
                    if limit:
                        content = _capture(child.path, limit)
                        if content is not None:
                            captured[path] = content
            else:
                info = child.stat(follow_symlinks=False)
                whiteout = stat.S_ISCHR(info.st_mode) and info.st_rdev == 0
                append(Entry(path, _WHITEOUT if whiteout else _OTHER))

    walk(os.fsencode(root), "")
    return LayerSummary(key=key or str(root), entries=tuple(entries), captured=captured)


def image_config(docker_root: str, image_id: str) -> dict[str, Any] | None:
    """The image's config from the engine's image store, checked against its id."""
    algorithm, _, digest = image_id.partition(":")
    path = Path(docker_root) / "image" / "overlay2" / "imagedb" / "content" / algorithm / digest
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if hashlib.new(algorithm, raw).hexdigest() != digest:
        return None
    return json.loads(raw)


def overlay_archive(
    client: Any, inspect: Mapping[str, Any], *, capture: CaptureRule | None = None
) -> ImageArchive | None:
    """Read an image from local overlay2 storage, or ``None`` when that is not possible.

    Args:
        client: the engine that holds the image: a ``docker.DockerClient`` or an
            engine of :mod:`workbench.analysis.engine_api`.
        inspect: the engine's ``inspect_image`` answer for it.
        capture: which files' contents to keep.
    """
    dirs = layer_dirs(inspect)
    if dirs is None:
        return None
    try:
        docker_root = as_engine(client).info().get("DockerRootDir") or "/var/lib/docker"
    except Exception:  # noqa: BLE001 - any failure means: use the export
        return None
    config = image_config(docker_root, inspect.get("Id", ""))
    if config is None:
        return None
    try:
        layers = tuple(read_layer_dir(d, key=str(d), capture=capture) for d in dirs)
    except OSError:
        return None  # a layer vanished or became unreadable: the export will do
    return ImageArchive(
        layout="overlay2",
        image_id=inspect["Id"],
        tags=tuple(inspect.get("RepoTags") or ()),
        config=config,
        layers=layers,
    )

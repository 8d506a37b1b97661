"""The fast path: read a local overlay2 engine's layer folders instead of an export.

When the engine runs on this machine with the overlay2 storage driver and its
storage is readable (the workbench runs as root, or with read access to
``/var/lib/docker``), each layer's ``diff`` folder holds exactly what the layer's tar
would: whiteouts are 0/0 character devices, an opaque folder carries the
``trusted.overlay.opaque`` attribute, hardlinks share an inode.  Walking those
folders (``stat`` only, plus the few metadata files the packages step reads) gives
the same entries as the export, in the same order (lexical, parents first, as the
engine's tar writer walks), several times faster than exporting: the engine's
export first copies every layer to a temporary folder.  :mod:`~workbench.analysis.overlay_walk`
walks them, on both cores where a child may be forked.

Compressed-size estimates need the tar bytes, so this path only serves analyses
without them, or whose every layer's estimate is known already (see
:mod:`workbench.analysis.layer_cache`); :func:`overlay_archive` returns ``None``
whenever the path does not apply, and the caller falls back to the export.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workbench.analysis.engine_api import as_engine
from workbench.analysis.overlay_walk import OPAQUE_XATTR, read_layer_dir, read_layer_dirs
from workbench.analysis.reader import CaptureRule, ImageArchive

__all__ = ["OPAQUE_XATTR", "image_config", "layer_dirs", "overlay_archive", "read_layer_dir"]


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
        layers = read_layer_dirs(dirs, capture=capture)
    except OSError:
        return None  # a layer vanished or became unreadable: the export will do
    return ImageArchive(
        layout="overlay2",
        image_id=inspect["Id"],
        tags=tuple(inspect.get("RepoTags") or ()),
        config=config,
        layers=layers,
    )

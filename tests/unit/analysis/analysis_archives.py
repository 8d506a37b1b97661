"""Synthetic image exports, built in memory, for the analysis tests.

A layer is a list of members; an image is a list of layers.  Members:

* ``File(path, data)``, ``Dir(path)``, ``Symlink(path, target)``,
  ``Hardlink(path, target)``, ``Whiteout(path)`` (writes ``.wh.NAME``),
  ``Opaque(dir)`` (writes ``DIR/.wh..wh..opq``), ``Fifo(path)``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import posixpath
import tarfile
from dataclasses import dataclass
from typing import Any

import zstandard


@dataclass(frozen=True)
class File:
    path: str
    data: bytes = b""


@dataclass(frozen=True)
class Dir:
    path: str


@dataclass(frozen=True)
class Symlink:
    path: str
    target: str


@dataclass(frozen=True)
class Hardlink:
    path: str
    target: str


@dataclass(frozen=True)
class Whiteout:
    path: str


@dataclass(frozen=True)
class Opaque:
    path: str


@dataclass(frozen=True)
class Fifo:
    path: str


Member = File | Dir | Symlink | Hardlink | Whiteout | Opaque | Fifo


def layer_tar(members: list[Member], *, prefix: str = "") -> bytes:
    """A layer tar holding ``members`` in order (names prefixed with ``prefix``)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for member in members:
            if isinstance(member, Whiteout):
                dirname, base = posixpath.split(member.path)
                name = posixpath.join(dirname, ".wh." + base)
                info = tarfile.TarInfo(prefix + name)
                tar.addfile(info, io.BytesIO(b""))
                continue
            if isinstance(member, Opaque):
                info = tarfile.TarInfo(prefix + posixpath.join(member.path, ".wh..wh..opq"))
                tar.addfile(info, io.BytesIO(b""))
                continue
            info = tarfile.TarInfo(prefix + member.path)
            if isinstance(member, File):
                info.size = len(member.data)
                tar.addfile(info, io.BytesIO(member.data))
                continue
            if isinstance(member, Dir):
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
            elif isinstance(member, Symlink):
                info.type = tarfile.SYMTYPE
                info.linkname = member.target
            elif isinstance(member, Hardlink):
                info.type = tarfile.LNKTYPE
                info.linkname = prefix + member.target
            elif isinstance(member, Fifo):
                info.type = tarfile.FIFOTYPE
            tar.addfile(info)
    return out.getvalue()


def compress(data: bytes, media: str) -> bytes:
    if media == "gzip":
        return gzip.compress(data)
    if media == "zstd":
        return zstandard.ZstdCompressor().compress(data)
    return data


def image_config(
    layers: list[bytes],
    *,
    history: list[dict[str, Any]] | None = None,
    labels: dict[str, str] | None = None,
    workdir: str = "",
) -> dict[str, Any]:
    if history is None:
        history = [{"created_by": f"step {i}"} for i in range(len(layers))]
    return {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Labels": labels or None, "WorkingDir": workdir},
        "history": history,
        "rootfs": {
            "type": "layers",
            "diff_ids": ["sha256:" + hashlib.sha256(t).hexdigest() for t in layers],
        },
    }


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def docker_archive(
    layers: list[bytes],
    *,
    config: dict[str, Any] | None = None,
    tags: tuple[str, ...] = ("test/image:latest",),
    manifest_last: bool = True,
    symlink_duplicates: bool = False,
) -> bytes:
    """A ``docker save`` export (docker-archive) of uncompressed layer tars.

    With ``symlink_duplicates``, a layer that appears twice is stored once and the
    second directory's ``layer.tar`` is a symlink to the first, as engines do.
    """
    config = config or image_config(layers)
    config_bytes = json.dumps(config).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    paths = []
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        if not manifest_last:
            pass  # written below, once the paths are known
        entries: list[tuple[str, bytes | str]] = []
        stored: dict[bytes, str] = {}
        for index, layer in enumerate(layers):
            folder = hashlib.sha256(layer + bytes([index])).hexdigest()
            path = f"{folder}/layer.tar"
            paths.append(path)
            if symlink_duplicates and layer in stored:
                entries.append((path, "../" + stored[layer]))
            else:
                stored[layer] = path
                entries.append((path, layer))
            entries.append((f"{folder}/VERSION", b"1.0"))
        manifest = json.dumps([{"Config": config_name, "RepoTags": list(tags), "Layers": paths}])
        if not manifest_last:
            _add(tar, "manifest.json", manifest.encode())
            _add(tar, config_name, config_bytes)
        for name, data in sorted(entries):  # engines write folders in name order
            if isinstance(data, str):
                info = tarfile.TarInfo(name)
                info.type = tarfile.SYMTYPE
                info.linkname = data
                tar.addfile(info)
            else:
                _add(tar, name, data)
        if manifest_last:
            _add(tar, config_name, config_bytes)
            _add(tar, "manifest.json", manifest.encode())
            _add(tar, "repositories", b"{}")
    return out.getvalue()


def oci_archive(
    layers: list[bytes],
    *,
    config: dict[str, Any] | None = None,
    media: str | list[str] = "gzip",
    ref_name: str = "test/image:latest",
    index_last: bool = True,
    with_docker_manifest: bool = False,
) -> bytes:
    """An OCI image layout export, layers compressed per ``media``."""
    config = config or image_config(layers)
    medias = [media] * len(layers) if isinstance(media, str) else media
    blobs: dict[str, bytes] = {}

    def blob(data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        blobs[f"blobs/sha256/{digest}"] = data
        return "sha256:" + digest

    config_bytes = json.dumps(config).encode()
    config_digest = blob(config_bytes)
    suffix = {"gzip": "+gzip", "zstd": "+zstd", "tar": ""}
    layer_descriptors = []
    for layer, kind in zip(layers, medias, strict=True):
        data = compress(layer, kind)
        layer_descriptors.append(
            {
                "mediaType": "application/vnd.oci.image.layer.v1.tar" + suffix[kind],
                "digest": blob(data),
                "size": len(data),
            }
        )
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": config_digest,
            "size": len(config_bytes),
        },
        "layers": layer_descriptors,
    }
    manifest_bytes = json.dumps(manifest).encode()
    manifest_digest = blob(manifest_bytes)
    index = {
        "schemaVersion": 2,
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": manifest_digest,
                "size": len(manifest_bytes),
                "annotations": {"io.containerd.image.name": ref_name},
            }
        ],
    }
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        head = [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')]
        tail = [("index.json", json.dumps(index).encode())]
        if with_docker_manifest:
            docker_manifest = [
                {
                    "Config": "blobs/sha256/" + config_digest.split(":")[1],
                    "RepoTags": [ref_name],
                    "Layers": [
                        "blobs/sha256/" + d["digest"].split(":")[1] for d in layer_descriptors
                    ],
                }
            ]
            tail.append(("manifest.json", json.dumps(docker_manifest).encode()))
        if not index_last:
            head, tail = head + tail, []
        for name, data in head:
            _add(tar, name, data)
        for name, data in sorted(blobs.items()):
            _add(tar, name, data)
        for name, data in tail:
            _add(tar, name, data)
    return out.getvalue()

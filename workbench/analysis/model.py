"""The result of an image analysis: typed, frozen, and JSON-ready.

:meth:`ImageAnalysis.to_dict` is the stable JSON shape (the CLI's ``--json``, the
store's cache); :meth:`ImageAnalysis.from_dict` reads it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class PythonPackage:
    """A Python distribution installed in the image.

    Attributes:
        name: its name as METADATA spells it.
        version: its version.
        location: the ``site-packages`` folder that holds its ``.dist-info``.
        bytes: the sizes in the image of the files its RECORD lists (each inode once).
        files: how many of those files the image holds.
        requires: the distributions its METADATA requires (``Requires-Dist`` without an
            ``extra`` marker), names normalized as PEP 503 does.
    """

    name: str
    version: str
    location: str
    bytes: int
    files: int
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class DebianPackage:
    """A Debian package installed in the image.

    Attributes:
        name: the package name.
        version: its version.
        architecture: its architecture (``amd64``, ``all``, ...).
        bytes: the sizes in the image of the files its ``.list`` names (each inode once).
        files: how many of those files the image holds.
        layer: the layer that holds its ``.list`` (the one that installed it), if known.
        reason: why it is installed, from apt's ``extended_states`` and dpkg's
            ``Depends``: ``"manual"`` (asked for, or apt never marked it automatic),
            ``"dependency"`` (a manual package depends on it), ``"recommendation"``
            (installed automatically, and no manual package depends on it: only a
            recommendation pulled it in); ``""`` when apt left no ``extended_states``.
    """

    name: str
    version: str
    architecture: str
    bytes: int
    files: int
    layer: int | None = None
    reason: str = ""


SCHEMA_VERSION = 3
COMPRESSION_METHOD = "zlib level 5 per layer tar (Python); an estimate of a registry's gzip"


@dataclass(frozen=True)
class LayerAnalysis:
    """One layer of the image.

    Attributes:
        index: position in the image, 0 = lowest.
        diff_id: digest of the uncompressed layer tar.
        created_by: the instruction that made it (from the image history).
        bytes: its size as the engine counts it: regular files once per hardlink group,
            and symlinks' target lengths unless ``symlinks_counted`` is false.
        components: its bytes per component; bytes later layers delete or overwrite
            are under ``shadowed``.
        files_added: non-directories at paths the layers below lacked.
        files_changed: non-directories at paths the layers below had.
        files_deleted: visible non-directories of the layers below it removed.
        gzip_bytes: estimated gzip size of its tar, ``None`` when not computed.
        zstd_bytes: estimated zstd size of its tar, ``None`` when not computed.
        symlink_bytes: its symlinks' target lengths.
        engine_bytes: the layer's size as the engine records it, when it was asked.
        symlinks_counted: whether the engine's size of this layer counts its symlinks.
            Layers the engine made by applying a tar (pulled, loaded, imported, classic
            builder) do; layers engine 20.10 registered from BuildKit count file
            contents only.  Told apart by ``engine_bytes``; true without an engine.
    """

    index: int
    diff_id: str
    created_by: str
    bytes: int
    components: Mapping[str, int]
    files_added: int
    files_changed: int
    files_deleted: int
    gzip_bytes: int | None = None
    zstd_bytes: int | None = None
    symlink_bytes: int = 0
    engine_bytes: int | None = None
    symlinks_counted: bool = True


@dataclass(frozen=True)
class PathSize:
    """A path and its bytes (``layer`` set for shadowed files: the layer that held it)."""

    path: str
    bytes: int
    layer: int | None = None


@dataclass(frozen=True)
class ComponentDetail:
    """Where a component's bytes are: its largest folders and files."""

    largest_dirs: tuple[PathSize, ...] = ()
    largest_files: tuple[PathSize, ...] = ()


@dataclass(frozen=True)
class LayerGroup:
    """The bytes one layer put under one group of paths: a rule's id or a tag's.

    Attributes:
        group: the rule's or tag's id (``"uv-cache"``, ``"bytecode"``...).
        layer: the layer's index.
        bytes: what of it a container sees.
        files: how many visible files (groups of hardlinks) that is.
        shadowed_bytes: what of it later layers deleted or overwrote.
        shadowed_files: how many files that is.
        largest: its largest files, visible or shadowed (``layer`` set when shadowed).
    """

    group: str
    layer: int
    bytes: int
    files: int
    shadowed_bytes: int = 0
    shadowed_files: int = 0
    largest: tuple[PathSize, ...] = ()


@dataclass(frozen=True)
class Shadow:
    """Bytes of one layer that one later layer hid.

    Attributes:
        layer: the layer that holds the bytes.
        by_layer: the layer that hid them.
        how: ``"deleted"`` (a whiteout, an opaque folder, a parent path replaced) or
            ``"replaced"`` (another entry at the same path).
        bytes: how many bytes.
        files: how many files.
        same_size_bytes: of replaced bytes outside the system's state, those whose
            replacement has the same size: the same file again (a ``chown -R``, a
            ``chmod -R``, a ``touch``).
        state_bytes: the part that is the system's own state, which any package
            install or user change rewrites (``/var/lib/dpkg``, ``/var/cache/debconf``,
            ``/var/log``, ``/etc``).
        largest: the largest of those files (``layer`` set: the layer holding them).
    """

    layer: int
    by_layer: int
    how: str
    bytes: int
    files: int
    same_size_bytes: int = 0
    state_bytes: int = 0
    largest: tuple[PathSize, ...] = ()


@dataclass(frozen=True)
class Compressed:
    """Compressed-size estimates (see :mod:`workbench.analysis.compress`).

    Attributes:
        gzip_bytes: sum of the layers' estimates, ``None`` when not computed.
        zstd_bytes: likewise for zstd.
        method: how the estimate was made; show it next to the figure.
    """

    gzip_bytes: int | None = None
    zstd_bytes: int | None = None
    method: str = COMPRESSION_METHOD


@dataclass(frozen=True)
class ImageAnalysis:
    """Everything the workbench knows about the bytes of one image.

    Attributes:
        image_id: ``sha256:`` id of the image.
        tags: its references.
        size_bytes: all bytes of all layers as the engine counts them; equals
            ``docker image inspect .Size``.
        final_bytes: what a container sees (``docker export`` of one):
            ``size_bytes - components["shadowed"] + uncounted_symlink_bytes``.
        components: bytes per component; they add up to ``size_bytes``.
        plan_view: the plan's five rows; they add up to ``size_bytes``.
        layers: per layer, lowest first.
        python_packages: Python distributions, largest first.
        debian_packages: Debian packages, largest first.
        largest: per component, its largest folders and files.
        efficiency: dive's efficiency score (0..1).
        wasted_bytes: dive's wasted bytes.
        compressed: compressed-size estimates (layers carry their own).
        stand_in_base: the base image a local stand-in replaces, if built on one.
        engine_size_bytes: the engine's own ``Size``, when the engine was asked.
        uncounted_symlink_bytes: target lengths of visible symlinks in layers whose
            engine size leaves symlinks out: a container sees them, ``Size`` does not.
        workdir: the image's WORKDIR.
        app_paths: the path prefixes counted as application code.
        virtualenvs: folders holding a ``pyvenv.cfg``.
        layout: ``"docker-archive"`` or ``"oci"``: how the engine exported it.
        rules: where the component rules came from.
        groups: per rule id and tag, per layer, the bytes there (what the findings read).
        shadows: per pair of layers, the bytes the upper one hid.
        command: the image's ENTRYPOINT followed by its CMD.
        user: the image's USER (``""`` for root).
        labels: the image's labels (the workbench's name its project and variant).
    """

    image_id: str
    tags: tuple[str, ...]
    size_bytes: int
    final_bytes: int
    components: Mapping[str, int]
    plan_view: Mapping[str, int]
    layers: tuple[LayerAnalysis, ...]
    python_packages: tuple[PythonPackage, ...] = ()
    debian_packages: tuple[DebianPackage, ...] = ()
    largest: Mapping[str, ComponentDetail] = field(default_factory=dict)
    efficiency: float = 1.0
    wasted_bytes: int = 0
    compressed: Compressed = field(default_factory=Compressed)
    stand_in_base: str | None = None
    engine_size_bytes: int | None = None
    uncounted_symlink_bytes: int = 0
    workdir: str = ""
    app_paths: tuple[str, ...] = ()
    virtualenvs: tuple[str, ...] = ()
    layout: str = ""
    rules: str = ""
    groups: tuple[LayerGroup, ...] = ()
    shadows: tuple[Shadow, ...] = ()
    command: tuple[str, ...] = ()
    user: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)

    def group_bytes(self, group: str) -> list[LayerGroup]:
        """The layers' bytes under one rule id or tag, lowest layer first."""
        return [g for g in self.groups if g.group == group]

    @property
    def shadowed_bytes(self) -> int:
        """Bytes in the image a container never sees."""
        return self.components.get("shadowed", 0)

    @property
    def engine_size_note(self) -> str:
        """One sentence on how the engine counted this image's size, or ``""``.

        Said when the engine's ``Size`` leaves some layers' symlinks out (so a
        container sees a little more than ``size_bytes - shadowed``), or when it
        differs from the layers' contents in a way no known rule explains.
        """
        if self.engine_size_bytes is not None and self.engine_size_bytes != self.size_bytes:
            gap = self.engine_size_bytes - self.size_bytes
            return (
                f"The engine's Size differs by {gap:+,} bytes from the layers' contents; "
                "compare the layers' engine_bytes with their bytes."
            )
        uncounted = [layer for layer in self.layers if not layer.symlinks_counted]
        if not uncounted:
            return ""
        left_out = sum(layer.symlink_bytes for layer in uncounted)
        return (
            f"For the {_layers(len(uncounted))} BuildKit made, the engine's Size counts "
            f"file contents only and leaves out {left_out:,} bytes of symlink targets; so "
            f"does this analysis. A container sees {self.uncounted_symlink_bytes:,} of them, "
            "so the container's bytes are that much more than Size minus shadowed."
        )

    def to_dict(self) -> dict[str, Any]:
        """The analysis as plain JSON-ready data (the stable shape; see the module doc)."""
        return {
            "schema": SCHEMA_VERSION,
            "image_id": self.image_id,
            "tags": list(self.tags),
            "size_bytes": self.size_bytes,
            "final_bytes": self.final_bytes,
            "components": dict(self.components),
            "plan_view": dict(self.plan_view),
            "layers": [_plain(layer) for layer in self.layers],
            "python_packages": [_plain(p) for p in self.python_packages],
            "debian_packages": [_plain(p) for p in self.debian_packages],
            "largest": {
                name: {
                    "dirs": [_plain(p) for p in detail.largest_dirs],
                    "files": [_plain(p) for p in detail.largest_files],
                }
                for name, detail in self.largest.items()
            },
            "efficiency": self.efficiency,
            "wasted_bytes": self.wasted_bytes,
            "compressed": {
                "gzip_bytes": self.compressed.gzip_bytes,
                "zstd_bytes": self.compressed.zstd_bytes,
                "estimate": True,
                "method": self.compressed.method,
                "layers": [
                    {
                        "diff_id": layer.diff_id,
                        "gzip_bytes": layer.gzip_bytes,
                        "zstd_bytes": layer.zstd_bytes,
                    }
                    for layer in self.layers
                ],
            },
            "stand_in_base": self.stand_in_base,
            "engine_size_bytes": self.engine_size_bytes,
            "engine_size_note": self.engine_size_note,
            "uncounted_symlink_bytes": self.uncounted_symlink_bytes,
            "workdir": self.workdir,
            "app_paths": list(self.app_paths),
            "virtualenvs": list(self.virtualenvs),
            "layout": self.layout,
            "rules": self.rules,
            "groups": [
                {**_plain(g), "largest": [_plain(p) for p in g.largest]} for g in self.groups
            ],
            "shadows": [
                {**_plain(s), "largest": [_plain(p) for p in s.largest]} for s in self.shadows
            ],
            "command": list(self.command),
            "user": self.user,
            "labels": dict(self.labels),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ImageAnalysis:
        """Read back what :meth:`to_dict` wrote."""
        compressed = data.get("compressed") or {}
        return cls(
            image_id=data["image_id"],
            tags=tuple(data.get("tags") or ()),
            size_bytes=data["size_bytes"],
            final_bytes=data["final_bytes"],
            components=dict(data["components"]),
            plan_view=dict(data["plan_view"]),
            layers=tuple(
                LayerAnalysis(**{**layer, "components": dict(layer["components"])})
                for layer in data.get("layers") or ()
            ),
            python_packages=tuple(
                PythonPackage(**{**p, "requires": tuple(p.get("requires") or ())})
                for p in data.get("python_packages") or ()
            ),
            debian_packages=tuple(DebianPackage(**p) for p in data.get("debian_packages") or ()),
            largest={
                name: ComponentDetail(
                    tuple(PathSize(**p) for p in detail.get("dirs") or ()),
                    tuple(PathSize(**p) for p in detail.get("files") or ()),
                )
                for name, detail in (data.get("largest") or {}).items()
            },
            efficiency=data.get("efficiency", 1.0),
            wasted_bytes=data.get("wasted_bytes", 0),
            compressed=Compressed(
                compressed.get("gzip_bytes"),
                compressed.get("zstd_bytes"),
                compressed.get("method", COMPRESSION_METHOD),
            ),
            stand_in_base=data.get("stand_in_base"),
            engine_size_bytes=data.get("engine_size_bytes"),
            uncounted_symlink_bytes=data.get("uncounted_symlink_bytes", 0),
            workdir=data.get("workdir", ""),
            app_paths=tuple(data.get("app_paths") or ()),
            virtualenvs=tuple(data.get("virtualenvs") or ()),
            layout=data.get("layout", ""),
            rules=data.get("rules", ""),
            groups=tuple(
                LayerGroup(**{**g, "largest": tuple(PathSize(**p) for p in g.get("largest") or ())})
                for g in data.get("groups") or ()
            ),
            shadows=tuple(
                Shadow(**{**s, "largest": tuple(PathSize(**p) for p in s.get("largest") or ())})
                for s in data.get("shadows") or ()
            ),
            command=tuple(data.get("command") or ()),
            user=data.get("user", ""),
            labels=dict(data.get("labels") or {}),
        )


def _layers(count: int) -> str:
    return "layer" if count == 1 else f"{count} layers"


def _plain(obj: Any) -> dict[str, Any]:
    out = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        out[f.name] = dict(value) if isinstance(value, Mapping) else value
    return out

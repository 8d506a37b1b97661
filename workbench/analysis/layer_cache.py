"""Per-layer compressed-size estimates, remembered by layer diff id.

Compressing every layer is the costly part of an analysis (about 10 s per GB here),
and images share layers: a base image, the unchanged steps of a variant, the same
image analysed again with other rules.  So each layer's estimate is kept by its diff
id (the digest of its uncompressed tar, the same in every image that holds it) and a
later analysis compresses only the layers it has not seen:

* every layer known: the layers are read without an export (the overlay2 folders)
  when that path applies, and the estimates come from the cache;
* some known: the export is read as usual, but the known layers are not compressed.
  An export names a layer by a path, not by its diff id (docker-archive:
  ``<v1 id>/layer.tar``, where the v1 id is derived from the layer's chain, so it is
  the same wherever that chain recurs below the top; the top layer's v1 id also hashes
  its image's config, so it is found only in exports of that image. OCI: the blob's
  digest, which is the diff id for an uncompressed layer), so each estimate keeps the
  path the export gave it.  A layer found under no known path is simply compressed.

The storage itself is the caller's (:class:`EstimateCache`); the workbench keeps it in
its store, :class:`MemoryEstimates` keeps it in a dict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from workbench.analysis.reader import ImageArchive

# Bump when the estimators change (block size, framing, zstd level): estimates kept by an
# older version are then estimated again.  The gzip level is part of the key on its own.
ESTIMATE_VERSION = 1


@dataclass(frozen=True)
class LayerEstimate:
    """A layer's compressed-size estimates.

    Attributes:
        gzip_bytes: estimated gzip size of the layer tar.
        zstd_bytes: estimated zstd size, when it was asked for.
        export_key: the layer's path in the export it was read from (empty when it
            was not read from an export).
    """

    gzip_bytes: int
    zstd_bytes: int | None = None
    export_key: str = ""


class EstimateCache(Protocol):
    """Where estimates are kept between analyses."""

    def get(self, diff_ids: Sequence[str]) -> Mapping[str, LayerEstimate]:
        """The estimates known for these diff ids (unknown ones are left out)."""
        ...

    def put(self, estimates: Mapping[str, LayerEstimate]) -> None:
        """Remember estimates by diff id."""
        ...


class MemoryEstimates:
    """An :class:`EstimateCache` in a dict."""

    def __init__(self) -> None:
        self.estimates: dict[str, LayerEstimate] = {}

    def get(self, diff_ids: Sequence[str]) -> Mapping[str, LayerEstimate]:
        return {d: self.estimates[d] for d in diff_ids if d in self.estimates}

    def put(self, estimates: Mapping[str, LayerEstimate]) -> None:
        self.estimates.update(estimates)


def usable(known: Mapping[str, LayerEstimate], *, zstd: bool) -> dict[str, LayerEstimate]:
    """The known estimates that hold every figure asked for."""
    return {d: e for d, e in known.items() if not zstd or e.zstd_bytes is not None}


def export_keys(known: Mapping[str, LayerEstimate]) -> set[str]:
    """The export paths under which the known layers may appear."""
    keys = {e.export_key for e in known.values() if e.export_key}
    for diff_id in known:
        algorithm, _, digest = diff_id.partition(":")
        if digest:
            keys.add(f"blobs/{algorithm}/{digest}")
    return keys


def with_estimates(
    archive: ImageArchive, known: Mapping[str, LayerEstimate], *, zstd: bool
) -> ImageArchive:
    """The archive with the known estimates on the layers that were not compressed."""
    layers = []
    for layer, diff_id in zip(archive.layers, _diff_ids(archive), strict=True):
        estimate = known.get(diff_id)
        if layer.gzip_bytes is None and estimate is not None:
            layer = replace(
                layer,
                gzip_bytes=estimate.gzip_bytes,
                zstd_bytes=estimate.zstd_bytes if zstd else layer.zstd_bytes,
            )
        layers.append(layer)
    return replace(archive, layers=tuple(layers))


def learned(archive: ImageArchive, *, skipped: Iterable[str] = ()) -> dict[str, LayerEstimate]:
    """The estimates this read made (layers under ``skipped`` keys made none)."""
    skip = set(skipped)
    out = {}
    for layer, diff_id in zip(archive.layers, _diff_ids(archive), strict=True):
        if diff_id and layer.gzip_bytes is not None and layer.key not in skip:
            export_key = layer.key if archive.layout != "overlay2" else ""
            out[diff_id] = LayerEstimate(layer.gzip_bytes, layer.zstd_bytes, export_key)
    return out


def _diff_ids(archive: ImageArchive) -> tuple[str, ...]:
    diff_ids = archive.diff_ids
    return diff_ids if len(diff_ids) == len(archive.layers) else ("",) * len(archive.layers)

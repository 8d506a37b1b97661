"""What the findings read: bytes per rule id and tag per layer, and who hid what.

The classify step gives each path the id of the rule that set its component (when the
rule has one) and its tags; :class:`GroupTally` sums them per layer, visible and
shadowed apart, keeping the largest files.  :func:`shadows` pairs each shadowed group
with the layer that hid it (:attr:`~workbench.analysis.merge.MergeResult.hidden_by`).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence

from workbench.analysis.merge import REPLACED, MergeResult
from workbench.analysis.model import LayerGroup, PathSize, Shadow

TOP_PATHS = 5
STATE_PREFIXES = (
    "var/lib/dpkg/",
    "var/lib/apt/extended_states",
    "var/cache/debconf/",
    "var/cache/ldconfig/",
    "var/log/",
    "etc/",
)
"""The system's own state: rewritten by any package install or user change."""


class _Sums:
    """Running sums for one key, with a heap of its largest files."""

    __slots__ = ("bytes", "files", "shadowed_bytes", "shadowed_files", "same_size", "state", "top")

    def __init__(self) -> None:
        self.bytes = self.files = self.shadowed_bytes = self.shadowed_files = 0
        self.same_size = self.state = 0
        self.top: list[tuple[int, str, int | None]] = []

    def keep(self, weight: int, path: str, layer: int | None) -> None:
        item = (weight, path, layer)
        if len(self.top) < TOP_PATHS:
            heapq.heappush(self.top, item)
        elif item > self.top[0]:
            heapq.heapreplace(self.top, item)

    def largest(self) -> tuple[PathSize, ...]:
        ordered = sorted(self.top, key=lambda item: (-item[0], item[1]))
        return tuple(PathSize(path, size, layer) for size, path, layer in ordered)


class GroupTally:
    """Bytes per (rule id or tag, layer): fed one group at a time by the count step."""

    def __init__(self) -> None:
        self._sums: dict[tuple[str, int], _Sums] = defaultdict(_Sums)

    def add(self, names: Iterable[str], layer: int, path: str, weight: int, visible: bool) -> None:
        """Count one group (a file and its hardlinks, or a symlink) under each name.

        Args:
            names: the rule id (if any) and the tags of its path.
            layer: the layer that holds it.
            path: its absolute path.
            weight: its bytes as the engine counts them.
            visible: whether a container sees it.
        """
        for name in names:
            sums = self._sums[(name, layer)]
            if visible:
                sums.bytes += weight
                sums.files += 1
                sums.keep(weight, path, None)
            else:
                sums.shadowed_bytes += weight
                sums.shadowed_files += 1
                sums.keep(weight, path, layer)

    def groups(self) -> tuple[LayerGroup, ...]:
        """Every key's sums, by name then layer."""
        return tuple(
            LayerGroup(
                name,
                layer,
                sums.bytes,
                sums.files,
                sums.shadowed_bytes,
                sums.shadowed_files,
                sums.largest(),
            )
            for (name, layer), sums in sorted(self._sums.items())
        )


def shadows(merged: MergeResult, weights: Sequence[int]) -> tuple[Shadow, ...]:
    """Per (layer, hiding layer, how): the shadowed bytes, lowest layer first.

    Args:
        merged: the merge (its ``hidden_by`` names who hid each shadowed group).
        weights: each group's bytes as the engine counts them.
    """
    sums: dict[tuple[int, int, str], _Sums] = defaultdict(_Sums)
    groups = merged.groups
    for index, (by_layer, how, replacing) in merged.hidden_by.items():
        group = groups[index]
        weight = weights[index]
        sums_of = sums[(group.layer, by_layer, how)]
        sums_of.bytes += weight
        sums_of.files += 1
        if group.path.startswith(STATE_PREFIXES):
            sums_of.state += weight
        elif how == REPLACED and replacing >= 0 and groups[replacing].bytes == group.bytes:
            sums_of.same_size += weight
        sums_of.keep(weight, "/" + group.path, group.layer)
    return tuple(
        Shadow(layer, by_layer, how, s.bytes, s.files, s.same_size, s.state, s.largest())
        for (layer, by_layer, how), s in sorted(sums.items())
    )

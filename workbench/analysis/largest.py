"""Per component, its largest folders and files: what the Breakdown page lists."""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Mapping, Sequence

from workbench.analysis.classify import COMPONENTS, SHADOWED
from workbench.analysis.merge import MergeResult
from workbench.analysis.model import ComponentDetail, PathSize


def _parent(path: str) -> str:
    return path.rpartition("/")[0]


def _own_bytes(
    merged: MergeResult, component_of: Sequence[str], weights: Sequence[int]
) -> tuple[dict[str, dict[str, int]], dict[str, list[int]]]:
    """Per component: the bytes of the files right in each folder, and its groups."""
    per_dir: dict[str, dict[str, int]] = {c: defaultdict(int) for c in COMPONENTS}
    members: dict[str, list[int]] = {c: [] for c in COMPONENTS}
    visible = merged.visible_path
    for index, (group, weight) in enumerate(zip(merged.groups, weights, strict=True)):
        if weight:
            component = component_of[index]
            path = visible[index] or group.path
            per_dir[component][path.rpartition("/")[0]] += weight
            members[component].append(index)
    return per_dir, members


def _with_sub_folders(own: Mapping[str, int]) -> dict[str, int]:
    """Each folder's bytes with its sub-folders', for every folder up to the root
    (``""``): the deepest first, each added to its parent once."""
    totals = dict(own)
    by_depth: dict[int, list[str]] = defaultdict(list)
    for folder in own:
        by_depth[folder.count("/") + 1 if folder else 0].append(folder)
    for depth in range(max(by_depth, default=0), 0, -1):
        for folder in by_depth[depth]:
            parent = folder.rpartition("/")[0]
            if parent in totals:
                totals[parent] += totals[folder]
            else:
                totals[parent] = totals[folder]
                by_depth[depth - 1].append(parent)
    return totals


def largest(
    merged: MergeResult, component_of: Sequence[str], weights: Sequence[int], top: int
) -> dict[str, ComponentDetail]:
    """Per component, its largest folders (chains of single-child folders collapsed to
    the deepest) and its largest files (groups), by each group's counted bytes."""
    per_dir, members = _own_bytes(merged, component_of, weights)
    groups = merged.groups
    details = {}
    for component in COMPONENTS:
        totals = _with_sub_folders(per_dir[component])
        chained = {
            _parent(folder)
            for folder, size in totals.items()
            if folder and totals.get(_parent(folder)) == size
        }
        dirs = heapq.nsmallest(
            top,
            ((size, folder) for folder, size in totals.items() if folder and folder not in chained),
            key=lambda item: (-item[0], item[1]),
        )
        shadowed = component == SHADOWED
        files = heapq.nsmallest(top, members[component], key=lambda i: (-weights[i], i))
        details[component] = ComponentDetail(
            tuple(PathSize("/" + folder, size) for size, folder in dirs),
            tuple(
                PathSize(
                    "/" + (merged.visible_path[i] or groups[i].path),
                    weights[i],
                    groups[i].layer if shadowed else None,
                )
                for i in files
            ),
        )
    return details

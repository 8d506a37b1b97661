"""Per component, its largest folders and files: what the Breakdown page lists."""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Sequence

from workbench.analysis.classify import COMPONENTS, SHADOWED
from workbench.analysis.merge import MergeResult
from workbench.analysis.model import ComponentDetail, PathSize


def _parent(path: str) -> str:
    return path.rpartition("/")[0]


def largest(
    merged: MergeResult, component_of: Sequence[str], weights: Sequence[int], top: int
) -> dict[str, ComponentDetail]:
    """Per component, its largest folders (chains of single-child folders collapsed to
    the deepest) and its largest files (groups), by each group's counted bytes."""
    per_dir: dict[str, dict[str, int]] = {c: defaultdict(int) for c in COMPONENTS}
    members: dict[str, list[int]] = {c: [] for c in COMPONENTS}
    groups = merged.groups
    for index, group in enumerate(groups):
        if weights[index]:
            component = component_of[index]
            path = merged.visible_path[index] or group.path
            per_dir[component][_parent(path)] += weights[index]
            members[component].append(index)
    details = {}
    for component in COMPONENTS:
        totals: dict[str, int] = defaultdict(int)
        for folder, size in per_dir[component].items():
            while True:
                totals[folder] += size
                if not folder:
                    break
                folder = _parent(folder)
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

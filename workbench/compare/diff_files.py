"""File and folder changes between two images, reconciled to each component's delta.

Pure: two :class:`FileTable` in (every path of an image with its component and counted
bytes, as :mod:`workbench.compare.file_lists` reads them), a :class:`FilesDiff` out.
A path is keyed by its component, so a file whose component differs between A and B is
removed from one and added to the other, and each component's file changes
(added - removed + grown - shrunk) sum exactly to its delta; shadowed bytes count at
the path that held them.  Folders sum every file under them, whatever its component.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.analysis import COMPONENTS

TOP_N = 20
ADDED = "added"
REMOVED = "removed"
GROWN = "grown"
SHRUNK = "shrunk"
CHANGES = (ADDED, REMOVED, GROWN, SHRUNK)


@dataclass(frozen=True)
class FileTable:
    """Every file of an image that holds bytes, by component.

    Attributes:
        image_id: the image.
        files: per component, path -> counted bytes (the bytes the analysis counts:
            a hardlinked inode once, shadowed bytes at the path that held them, summed
            over the layers that held it).
    """

    image_id: str
    files: Mapping[str, Mapping[str, int]]

    def totals(self) -> dict[str, int]:
        """Per component, the sum of its files' bytes."""
        return {component: sum(paths.values()) for component, paths in self.files.items()}

    def to_dict(self) -> dict[str, Any]:
        return {"image_id": self.image_id, "files": {c: dict(p) for c, p in self.files.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FileTable:
        return cls(data["image_id"], {c: dict(p) for c, p in data["files"].items()})


@dataclass(frozen=True)
class PathDelta:
    """A file or a folder in A and in B.

    Attributes:
        path: its absolute path.
        component: the file's component (``""`` for a folder).
        a_bytes: its bytes in A (0 when A lacks it).
        b_bytes: its bytes in B (0 when B lacks it).
    """

    path: str
    component: str
    a_bytes: int
    b_bytes: int

    @property
    def delta(self) -> int:
        return self.b_bytes - self.a_bytes

    @property
    def change(self) -> str:
        """``"added"``, ``"removed"``, ``"grown"`` or ``"shrunk"``."""
        return _change(self.a_bytes, self.b_bytes)

    def to_dict(self) -> dict[str, Any]:
        out = {"path": self.path, "a_bytes": self.a_bytes, "b_bytes": self.b_bytes}
        if self.component:
            out["component"] = self.component
        return {**out, "delta_bytes": self.delta}


@dataclass(frozen=True)
class ComponentFiles:
    """A component's file changes, counted and summed.

    Attributes:
        component: the component.
        bytes: per change (added, removed, grown, shrunk), the bytes it moved (all
            positive: what was added, removed, gained or lost).
        counts: per change, how many files.
    """

    component: str
    bytes: Mapping[str, int]
    counts: Mapping[str, int]

    @property
    def delta(self) -> int:
        """Added - removed + grown - shrunk: the component's delta."""
        b = self.bytes
        return b[ADDED] - b[REMOVED] + b[GROWN] - b[SHRUNK]

    def to_dict(self) -> dict[str, Any]:
        return {
            "delta_bytes": self.delta,
            **{f"{change}_bytes": self.bytes[change] for change in CHANGES},
            **{f"{change}_files": self.counts[change] for change in CHANGES},
        }


@dataclass(frozen=True)
class FilesDiff:
    """The file and folder changes from A to B.

    Attributes:
        components: per component, its file changes (every component of either image).
        files: per change (added, removed, grown, shrunk), the largest files, largest
            change first.
        folders: per change, the largest folders: an added (removed) folder is listed
            where it starts, not its subfolders; a grown (shrunk) folder that owes the
            whole change to one subfolder is listed as that subfolder.
    """

    components: tuple[ComponentFiles, ...]
    files: Mapping[str, tuple[PathDelta, ...]] = field(default_factory=dict)
    folders: Mapping[str, tuple[PathDelta, ...]] = field(default_factory=dict)

    def component_delta(self, component: str) -> int:
        """The sum of a component's file changes (0 when it has none)."""
        return next((c.delta for c in self.components if c.component == component), 0)

    @property
    def delta(self) -> int:
        return sum(c.delta for c in self.components)

    def largest(self, top: int = TOP_N) -> list[PathDelta]:
        """The largest file changes of any kind, largest first."""
        rows = [row for rows in self.files.values() for row in rows]
        return sorted(rows, key=lambda r: (-abs(r.delta), r.path))[:top]

    def to_dict(self) -> dict[str, Any]:
        return {
            "delta_bytes": self.delta,
            "components": {c.component: c.to_dict() for c in self.components},
            **{change: [r.to_dict() for r in self.files.get(change, ())] for change in CHANGES},
            "folders": {
                change: [r.to_dict() for r in self.folders.get(change, ())] for change in CHANGES
            },
        }


def _parent(path: str) -> str:
    return path.rpartition("/")[0]


def folder_totals(table: FileTable) -> dict[str, int]:
    """Per folder (``/`` excluded), the bytes of every file under it."""
    direct: dict[str, int] = defaultdict(int)
    for paths in table.files.values():
        for path, size in paths.items():
            direct[path.rpartition("/")[0]] += size
    totals: dict[str, int] = defaultdict(int)
    for folder, size in direct.items():
        while folder:
            totals[folder] += size
            folder = folder.rpartition("/")[0]
    return dict(totals)


Row = tuple[str, str, int, int]  # path, component, a_bytes, b_bytes


def _top(rows: Iterable[Row], top: int) -> tuple[PathDelta, ...]:
    """The ``top`` rows of the largest change (then by path), as :class:`PathDelta`."""
    largest = heapq.nsmallest(top, rows, key=lambda r: (-abs(r[3] - r[2]), r[0]))
    return tuple(PathDelta(*row) for row in largest)


def _change(before: int, after: int) -> str:
    if not before:
        return ADDED
    if not after:
        return REMOVED
    return GROWN if after > before else SHRUNK


def _folder_changes(a: FileTable, b: FileTable, top: int) -> dict[str, tuple[PathDelta, ...]]:
    before, after = folder_totals(a), folder_totals(b)
    delta = {
        path: after.get(path, 0) - before.get(path, 0)
        for path in before.keys() | after.keys()
        if before.get(path, 0) != after.get(path, 0)
    }
    carried = set()  # folders whose whole change one subfolder carries
    for path, change in delta.items():
        parent = path.rpartition("/")[0]
        if delta.get(parent) == change:
            carried.add(parent)
    by_change: dict[str, list[Row]] = {change: [] for change in CHANGES}
    for path in delta:
        old, new = before.get(path, 0), after.get(path, 0)
        change = _change(old, new)
        parent = path.rpartition("/")[0]
        if change in (ADDED, REMOVED):
            above = _change(before.get(parent, 0), after.get(parent, 0))
            if parent not in delta or above != change:
                by_change[change].append((path, "", old, new))  # where the tree starts
        elif path not in carried:
            by_change[change].append((path, "", old, new))
    return {change: _top(rows, top) for change, rows in by_change.items()}


def diff_files(a: FileTable, b: FileTable, *, top: int = TOP_N) -> FilesDiff:
    """The file and folder changes from A to B.

    Args:
        a: the reference image's files.
        b: the files of the image compared with it.
        top: how many of the largest files and folders to keep per change.

    Returns:
        The changes; each component's sum equals its delta when the tables come from
        the analyses the diff was made from.
    """
    names = list(dict.fromkeys([*COMPONENTS, *a.files, *b.files]))
    summaries = []
    by_change: dict[str, list[Row]] = {change: [] for change in CHANGES}
    for component in names:
        left, right = a.files.get(component, {}), b.files.get(component, {})
        moved = dict.fromkeys(CHANGES, 0)
        counts = dict.fromkeys(CHANGES, 0)
        for path in left.keys() | right.keys():
            old, new = left.get(path, 0), right.get(path, 0)
            if old == new:
                continue
            change = _change(old, new)
            moved[change] += abs(new - old)
            counts[change] += 1
            by_change[change].append((path, component, old, new))
        summaries.append(ComponentFiles(component, moved, counts))
    return FilesDiff(
        components=tuple(summaries),
        files={change: _top(rows, top) for change, rows in by_change.items()},
        folders=_folder_changes(a, b, top),
    )

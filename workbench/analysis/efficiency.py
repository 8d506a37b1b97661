"""dive's efficiency score and wasted bytes, computed the way dive computes them.

dive (``wagoodman/dive``, ``dive/filetree/efficiency.go``) builds one tree per layer
from the tar headers (opaque markers are dropped, ``.wh.NAME`` stays as a node,
folders that only appear as parents are nodes without data) and visits the *leaves*
of each layer's tree in sorted, children-first order.  Each leaf adds to the record
of its path (whiteout prefix stripped):

* a whiteout adds the summed header sizes of the folder it deletes, as the stack of
  the layers below has it, or 0 when it deletes a non-folder; a whiteout whose target
  the stack lacks stops the visit of the rest of that layer (dive logs an error);
* any other leaf adds its tar header size (0 for symlinks, hardlinks and folders).

A path seen in two or more layers is an *inefficiency*; wasted bytes are the sum
of their cumulative sizes, and the score is ``sum(min size per path) / sum(cumulative
size per path)`` (1.0 when nothing was seen).  These figures are dive's, not the
workbench's own ``shadowed`` bytes: dive counts a deleted file's size but not a
symlink's, and counts a file rewritten with the same content as waste.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workbench.analysis.reader import Entry, EntryKind

_WH = ".wh."


@dataclass(frozen=True)
class Efficiency:
    """dive's figures for an image.

    Attributes:
        score: between 0 and 1 (1: no path appears in two layers).
        wasted_bytes: summed cumulative size of the paths seen in two or more layers.
        inefficient_paths: how many such paths there are.
    """

    score: float
    wasted_bytes: int
    inefficient_paths: int


class _DNode:
    """A node of a dive tree: ``is_dir`` and ``size`` as dive's FileInfo has them."""

    __slots__ = ("children", "is_dir", "size")

    def __init__(self, is_dir: bool = False, size: int = 0) -> None:
        self.is_dir = is_dir
        self.size = size
        self.children: dict[str, _DNode] = {}

    def copy(self) -> _DNode:
        clone = _DNode(self.is_dir, self.size)
        stack = [(self, clone)]
        while stack:
            source, target = stack.pop()
            for name, child in source.children.items():
                twin = _DNode(child.is_dir, child.size)
                target.children[name] = twin
                if child.children:
                    stack.append((child, twin))
        return clone


def _layer_tree(entries: Sequence[Entry]) -> _DNode:
    root = _DNode(True)
    for entry in entries:
        kind = entry.kind
        if kind is EntryKind.OPAQUE:
            continue  # dive never adds ``.wh..wh..*`` nodes
        path = entry.path
        if kind is EntryKind.WHITEOUT:
            dirname, _, name = path.rpartition("/")
            path = f"{dirname}/{_WH}{name}" if dirname else _WH + name
        node = root
        for name in path.split("/"):
            child = node.children.get(name)
            if child is None:
                child = node.children[name] = _DNode()
            node = child
        node.is_dir = kind is EntryKind.DIR
        node.size = entry.size if kind is EntryKind.FILE else 0
    return root


def _subtree_size(node: _DNode) -> int:
    total = 0
    stack = [node]
    while stack:
        current = stack.pop()
        total += current.size
        stack.extend(current.children.values())
    return total


def _get(root: _DNode, path: str) -> _DNode | None:
    node: _DNode | None = root
    for name in path.split("/"):
        node = node.children.get(name) if node is not None else None
    return node


_END = object()


def _visit_leaves(root: _DNode, stacked: _DNode, record) -> None:
    # An explicit stack, not recursion: a hostile layer can nest thousands of folders deep.
    frames = [(root, "", iter(sorted(root.children)))]
    while frames:
        node, path, names = frames[-1]
        name = next(names, _END)
        if name is _END:
            frames.pop()
            continue
        child = node.children[name]
        child_path = f"{path}/{name}" if path else name
        if child.children:
            frames.append((child, child_path, iter(sorted(child.children))))
            continue
        if name.startswith(_WH):
            target = f"{path}/{name[len(_WH) :]}" if path else name[len(_WH) :]
            previous = _get(stacked, target)
            if previous is None:
                return  # dive stops visiting the rest of this layer
            record(target, _subtree_size(previous) if previous.is_dir else 0)
        else:
            record(child_path, child.size)


def _stack(lower: _DNode, upper: _DNode) -> None:
    """Graft ``upper`` onto ``lower`` as dive's ``FileTree.Stack`` does.

    Children first, in sorted order; an explicit stack rather than recursion, so a
    hostile layer nesting thousands of folders deep cannot exhaust Python's stack.
    """
    frames = [(upper, [], iter(sorted(upper.children)))]
    while frames:
        child, path, names = frames[-1]
        name = next(names, _END)
        if name is not _END:
            grandchild = child.children[name]
            frames.append((grandchild, [*path, name], iter(sorted(grandchild.children))))
            continue
        frames.pop()
        if not frames:
            return
        # ``child`` and its subtree are grafted: now graft ``child`` itself.
        parent_path, name = path[:-1], path[-1]
        if name.startswith(_WH):
            parent = _get_parts(lower, parent_path)
            if parent is not None:
                parent.children.pop(name[len(_WH) :], None)
        else:
            target = lower
            for part in parent_path:
                nxt = target.children.get(part)
                if nxt is None:
                    nxt = target.children[part] = _DNode()
                target = nxt
            existing = target.children.get(name)
            if existing is None:
                target.children[name] = _DNode(child.is_dir, child.size)
            else:
                existing.is_dir, existing.size = child.is_dir, child.size


def _get_parts(root: _DNode, parts: list[str]) -> _DNode | None:
    node: _DNode | None = root
    for name in parts:
        node = node.children.get(name) if node is not None else None
    return node


def _leaves_fast(entries: Sequence[Entry]) -> dict[str, int]:
    """A layer without whiteouts: every path no other entry lies under is a leaf."""
    opaque = EntryKind.OPAQUE
    regular = EntryKind.FILE
    sizes = {e.path: e.size if e.kind is regular else 0 for e in entries if e.kind is not opaque}
    parents: set[str] = set()
    folders = {path.rpartition("/")[0] for path in sizes}
    while folders:  # every folder of a path, up to the root, one level at a time
        folders.discard("")
        folders -= parents
        parents |= folders
        folders = {folder.rpartition("/")[0] for folder in folders}
    return {path: size for path, size in sizes.items() if path not in parents}


class _Records:
    """Each path's cumulative size, smallest size and how many layers showed it."""

    __slots__ = ("count", "cumulative", "minimum")

    def __init__(self) -> None:
        self.cumulative: dict[str, int] = {}
        self.minimum: dict[str, int] = {}
        self.count: dict[str, int] = {}

    def record(self, path: str, size: int) -> None:
        """One leaf of one layer."""
        if path in self.cumulative:
            self.cumulative[path] += size
            if size < self.minimum[path]:
                self.minimum[path] = size
            self.count[path] += 1
        else:
            self.cumulative[path] = size
            self.minimum[path] = size
            self.count[path] = 1

    def record_all(self, leaves: dict[str, int]) -> None:
        """Every leaf of one layer (a path at most once)."""
        cumulative, minimum, count = self.cumulative, self.minimum, self.count
        for path, size in leaves.items():
            before = cumulative.get(path)
            if before is None:
                cumulative[path] = minimum[path] = size
                count[path] = 1
            else:
                cumulative[path] = before + size
                if size < minimum[path]:
                    minimum[path] = size
                count[path] += 1


def efficiency(layers: Sequence[Sequence[Entry]]) -> Efficiency:
    """Compute dive's efficiency score and wasted bytes.

    Layers without whiteouts take a fast path (their leaves, in any order); the
    stack of lower layers that whiteouts need is only built when a layer above the
    first has one.

    Args:
        layers: each layer's entries in tar order, lowest layer first.
    """
    records = _Records()
    record = records.record

    with_whiteouts = [any(e.kind is EntryKind.WHITEOUT for e in entries) for entries in layers]
    last_needing_stack = max((i for i, w in enumerate(with_whiteouts) if w and i > 0), default=0)
    trees: list[_DNode | None] = [None] * len(layers)

    def tree(index: int) -> _DNode:
        built = trees[index]
        if built is None:
            built = trees[index] = _layer_tree(layers[index])
        return built

    stacked: _DNode | None = None
    for index, entries in enumerate(layers):
        if not with_whiteouts[index]:
            records.record_all(_leaves_fast(entries))
        elif index == 0:
            _visit_leaves(tree(0), tree(0), record)
        else:
            assert stacked is not None
            _visit_leaves(tree(index), stacked, record)
        if index < last_needing_stack:
            if stacked is None:
                stacked = tree(0).copy()
                _stack(stacked, tree(0))
            if index > 0:
                _stack(stacked, tree(index))
        trees[index] = None if index > 0 else trees[0]
    cumulative = records.cumulative
    total = sum(cumulative.values())
    score = 1.0 if total == 0 else sum(records.minimum.values()) / total
    again = [path for path, n in records.count.items() if n >= 2]
    return Efficiency(score, sum(cumulative[p] for p in again), len(again))

"""Stack layers per the OCI image layer rules and tell which bytes stay visible.

The rules (OCI image spec, "Representing Changes"):

* ``.wh.NAME`` deletes ``NAME``, and everything under it, from the lower layers;
* ``.wh..wh..opq`` hides every lower-layer child of its directory, wherever it
  stands in the layer's tar (before or after the siblings the layer adds);
* markers are never files;
* an entry replaces the lower layer's entry at the same path (a non-directory that
  replaces a directory hides the directory's whole lower subtree; two directories
  merge).

Bytes are counted per *group*: a regular file together with the hardlinks to it in
the same layer (one inode, counted once, as the engine's ``Size`` does), or one
symlink (its target's length).  A group stays visible while any of its paths
survives; a group none of whose paths survives is *shadowed*: in the image, but
invisible in a container.  For each shadowed group the merge tells which layer hid it,
and how: :data:`DELETED` (a whiteout, an opaque folder, something else put on a parent
path) or :data:`REPLACED` (another entry at its path, the replacing group named).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from workbench.analysis.reader import Entry, EntryKind

_WHITEOUT = EntryKind.WHITEOUT
_OPAQUE = EntryKind.OPAQUE
_DIR = EntryKind.DIR
_HARDLINK = EntryKind.HARDLINK
_FILE = EntryKind.FILE
_SYMLINK = EntryKind.SYMLINK
DELETED = "deleted"
REPLACED = "replaced"


@dataclass(slots=True, unsafe_hash=True)
class Group:
    """Bytes one layer adds under one or more paths; never changed once made (not
    ``frozen``, which takes four times as long to make: see
    :class:`~workbench.analysis.reader.Entry`).

    Attributes:
        layer: index of the layer (0 = lowest).
        path: the group's first path in that layer.
        bytes: its size (regular file size, symlink target length, 0 otherwise).
        kind: FILE, SYMLINK or OTHER (a hardlink joins its target's group).
        link: a symlink's target.
    """

    layer: int
    path: str
    bytes: int
    kind: EntryKind
    link: str = ""


@dataclass(frozen=True)
class LayerStats:
    """What one layer does to the non-directory paths below it.

    Attributes:
        bytes: the layer's size (its groups' bytes).
        symlink_bytes: the part of ``bytes`` that symlinks make (their targets' lengths).
        files_added: non-directory entries at paths nothing below had.
        files_changed: non-directory entries at paths something below had.
        files_deleted: visible non-directories below that the layer removed (by a
            whiteout, an opaque marker, or by putting something else on a parent path).
    """

    bytes: int
    files_added: int
    files_changed: int
    files_deleted: int
    symlink_bytes: int = 0


@dataclass(frozen=True)
class MergeResult:
    """The stacked image.

    Attributes:
        groups: every group of every layer, lowest layer first.
        final: every visible non-directory path -> index of its group in ``groups``.
        visible_path: per group, the path under which it is seen (its first path if
            that survives, else its first surviving path), or ``None`` if shadowed.
        layers: per-layer statistics, lowest first.
        hidden_by: per shadowed group (by index), who hid it last: ``(layer, how,
            replacing group)``, ``how`` being :data:`DELETED` or :data:`REPLACED` (the
            replacing group is ``-1`` for a deletion).
    """

    groups: tuple[Group, ...]
    final: Mapping[str, int]
    visible_path: tuple[str | None, ...]
    layers: tuple[LayerStats, ...]
    hidden_by: Mapping[int, tuple[int, str, int]] = field(default_factory=dict)

    @property
    def size_bytes(self) -> int:
        """All bytes of all layers (the engine's ``Size``)."""
        return sum(g.bytes for g in self.groups)

    @property
    def final_bytes(self) -> int:
        """Bytes a container sees."""
        pairs = zip(self.groups, self.visible_path, strict=True)
        return sum(g.bytes for g, p in pairs if p is not None)

    @property
    def shadowed_bytes(self) -> int:
        """Bytes in the image that a container never sees."""
        pairs = zip(self.groups, self.visible_path, strict=True)
        return sum(g.bytes for g, p in pairs if p is None)


class _Node:
    """A path in the stacked tree: a directory (``children``) or a group."""

    __slots__ = ("children", "group", "layer")

    def __init__(self, layer: int, group: int = -1, children: dict | None = None) -> None:
        self.layer = layer
        self.group = group
        self.children: dict[str, _Node] | None = children


def _drop(node: _Node, hidden: dict[int, tuple[int, str, int]], layer: int) -> int:
    """Count the non-directories at and under ``node``, noting each as deleted by ``layer``."""
    if node.children is None:
        hidden[node.group] = (layer, DELETED, -1)
        return 1
    count = 0
    stack = [node]
    while stack:
        for child in stack.pop().children.values():  # type: ignore[union-attr]
            if child.children is None:
                hidden[child.group] = (layer, DELETED, -1)
                count += 1
            else:
                stack.append(child)
    return count


def _lookup(root: _Node, path: str) -> _Node | None:
    node: _Node | None = root
    for name in path.split("/") if path else ():
        if node is None or node.children is None:
            return None
        node = node.children.get(name)
    return node


class _LayerMerge:
    """Apply one layer to the tree, counting what it does."""

    def __init__(
        self,
        root: _Node,
        index: int,
        groups: list[Group],
        hidden: dict[int, tuple[int, str, int]],
    ) -> None:
        self.root = root
        self.index = index
        self.groups = groups
        self.hidden = hidden
        self.bytes = 0
        self.symlink_bytes = 0
        self.added = 0
        self.changed = 0
        self.deleted = 0
        self._dirs: dict[str, _Node] = {"": root}
        self._own: dict[str, int] = {}

    def apply_markers(self, entries: Sequence[Entry]) -> None:
        for entry in entries:
            kind = entry.kind
            if kind is _WHITEOUT:
                dirname, _, name = entry.path.rpartition("/")
                parent = _lookup(self.root, dirname)
                if parent is not None and parent.children is not None:
                    node = parent.children.pop(name, None)
                    if node is not None:
                        self.deleted += _drop(node, self.hidden, self.index)
            elif kind is _OPAQUE:
                node = _lookup(self.root, entry.path)
                if node is not None and node.children:
                    self.deleted += sum(
                        _drop(c, self.hidden, self.index) for c in node.children.values()
                    )
                    node.children = {}

    def _directory(self, path: str) -> _Node:
        # Iterative, not recursive: a hostile layer can nest thousands of folders deep.
        missing: list[str] = []
        node = self._dirs.get(path)
        while node is None:
            missing.append(path)
            path = path.rpartition("/")[0]
            node = self._dirs.get(path)
        for path in reversed(missing):
            children = node.children
            assert children is not None
            name = path.rpartition("/")[2]
            child = children.get(name)
            if child is None or child.children is None:
                if child is not None and child.layer != self.index:
                    self.deleted += 1  # a lower non-directory where this layer has a directory
                if child is not None:
                    self.hidden[child.group] = (self.index, DELETED, -1)
                child = _Node(self.index, children={})
                children[name] = child
            self._dirs[path] = child
            node = child
        return node

    def apply_entries(self, entries: Sequence[Entry]) -> None:
        # The hot loop of the merge (once per entry of every layer): its state in locals.
        index = self.index
        groups = self.groups
        new_group = groups.append
        own = self._own
        hidden = self.hidden
        dirs = self._dirs
        added = changed = deleted = size = symlink_size = 0
        for entry in entries:
            kind = entry.kind
            if kind is _WHITEOUT or kind is _OPAQUE:
                continue
            path = entry.path
            dirname, _, name = path.rpartition("/")
            parent = dirs.get(dirname)
            if parent is None:
                parent = self._directory(dirname)
            children = parent.children
            assert children is not None
            existing = children.get(name)
            if kind is _DIR:
                if existing is not None:
                    if existing.children is not None:
                        continue
                    if existing.layer != index:
                        deleted += 1
                    hidden[existing.group] = (index, DELETED, -1)
                children[name] = node = _Node(index, -1, {})
                dirs[path] = node
                continue
            if kind is _HARDLINK:
                group = own.get(entry.link)
                if group is None:  # target not in this layer: an empty inode of its own
                    group = len(groups)
                    new_group(Group(index, path, 0, _FILE))
            else:
                group = len(groups)
                new_group(Group(index, path, entry.size, kind, entry.link))
                size += entry.size
                if kind is _SYMLINK:
                    symlink_size += entry.size
            own[path] = group
            if existing is None:
                added += 1
            elif existing.layer != index or existing.children is not None:
                changed += 1
                if existing.children is not None:
                    deleted += _drop(existing, hidden, index)
                    dirs = self._dirs = {"": self.root}  # cached directories may be gone
                else:
                    hidden[existing.group] = (index, REPLACED, group)
            else:
                hidden[existing.group] = (index, REPLACED, group)
            children[name] = _Node(index, group)
        self.added += added
        self.changed += changed
        self.deleted += deleted
        self.bytes += size
        self.symlink_bytes += symlink_size

    def stats(self) -> LayerStats:
        return LayerStats(self.bytes, self.added, self.changed, self.deleted, self.symlink_bytes)


def _walk(root: _Node) -> Iterator[tuple[str, _Node]]:
    stack: list[tuple[str, _Node]] = [("", root)]
    while stack:
        prefix, node = stack.pop()
        assert node.children is not None
        for name, child in node.children.items():
            path = prefix + name
            if child.children is None:
                yield path, child
            else:
                stack.append((path + "/", child))


def merge_layers(layers: Sequence[Sequence[Entry]]) -> MergeResult:
    """Stack layers, lowest first, and work out what a container sees.

    Args:
        layers: each layer's entries in tar order, lowest layer first.

    Returns:
        The groups of all layers, the visible paths, and per-layer statistics.
    """
    root = _Node(-1, children={})
    groups: list[Group] = []
    stats: list[LayerStats] = []
    hidden: dict[int, tuple[int, str, int]] = {}
    for index, entries in enumerate(layers):
        step = _LayerMerge(root, index, groups, hidden)
        step.apply_markers(entries)
        step.apply_entries(entries)
        stats.append(step.stats())
    final: dict[str, int] = {}
    visible: list[str | None] = [None] * len(groups)
    for path, node in _walk(root):
        final[path] = node.group
    for path, group in final.items():
        current = visible[group]
        if (
            current is None
            or (path == groups[group].path)
            or (current != groups[group].path and path < current)
        ):
            visible[group] = path
    return MergeResult(
        groups=tuple(groups),
        final=final,
        visible_path=tuple(visible),
        layers=tuple(stats),
        hidden_by={g: hidden[g] for g, path in enumerate(visible) if path is None and g in hidden},
    )

"""Walk overlay2 layer folders into their tar entries, on both cores when it pays.

The walk is the engine's tar writer's: names in byte order, each folder's entries right
after the folder (its opaque marker first), a hardlinked inode's first path holding the
data and the later ones linking to it.  It is the first step of a cold analysis, and
one process spends 0.3–0.45 s on the sample's 51,000 entries, half of it in ``stat``.

:func:`read_layer_dirs` splits it: this process lists each layer's top folders, breadth
first, until a layer has :data:`UNITS_PER_LAYER` folders left to walk (or none); the
folders are the units of work.  A child forked from here and this process then take the
units one by one from a pipe that holds their numbers (a read of 4 bytes from a pipe
is atomic, so no unit is taken twice), walk them, and the child sends its rows back
(``marshal``: plain tuples, some ten times quicker than pickling entries).  The rows go
back together in walk order, and only then are hardlinks resolved, so the entries are
the same as one process walking alone, which is what happens where no child may be
forked (:func:`~workbench.analysis.forked.can_fork`), for a layer too small to split,
or when the child fails.
"""

from __future__ import annotations

import marshal
import os
import stat
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.analysis.forked import READ, can_fork
from workbench.analysis.reader import CaptureRule, Entry, EntryKind, LayerSummary

OPAQUE_XATTR = "trusted.overlay.opaque"
UNITS_PER_LAYER = 16  # folders a layer is listed into, breadth first, before it is walked
MAX_DEPTH = 8  # how deep the split looks for them
FAN_OUT = 16  # a unit with this many sub-folders or more (site-packages) is listed too
MAX_UNITS = 8192  # their numbers fit the pipe's buffer (64 KiB), 4 bytes each

# a row: (path, kind, size, link target, (device, inode) of a file with several links);
# kinds are small numbers so rows marshal
_DIR, _OPAQUE, _SYMLINK, _FILE, _WHITEOUT, _OTHER = range(6)
KINDS = (
    EntryKind.DIR,
    EntryKind.OPAQUE,
    EntryKind.SYMLINK,
    EntryKind.FILE,
    EntryKind.WHITEOUT,
    EntryKind.OTHER,
)
Row = tuple[str, int, int, str, Any]
_UNIT = None  # in a listed folder's rows: the next unit's rows go here


def _name(entry: os.DirEntry) -> bytes:
    return entry.name  # type: ignore[return-value]


def _opaque(path: bytes) -> bool:
    try:
        return os.getxattr(path, OPAQUE_XATTR, follow_symlinks=False) == b"y"
    except OSError:
        return False


def _capture(path: bytes, limit: int) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except OSError:
        return None


def walk_rows(
    folder: bytes,
    rel: str,
    rows: list[Row | None],
    captured: dict[str, bytes],
    capture: CaptureRule | None,
    units: list[Unit] | None = None,
) -> None:
    """Append the rows of everything under ``folder`` (``rel`` in the layer), in walk
    order; with ``units``, its sub-folders' contents are not walked but left as units
    (a ``None`` row each, and a :class:`Unit` in ``units``)."""
    # the hot loop (once per file of every layer): the entry's type comes from the
    # folder listing (d_type), so only regular files and device nodes are stat'ed
    with os.scandir(folder) as listing:
        children = sorted(listing, key=_name)
    prefix = f"{rel}/" if rel else ""
    append = rows.append
    for child in children:
        path = prefix + child.name.decode("utf-8", "surrogateescape")  # type: ignore[union-attr]
        if child.is_dir(follow_symlinks=False):
            append((path, _DIR, 0, "", None))
            if _opaque(child.path):  # type: ignore[arg-type]
                append((path, _OPAQUE, 0, "", None))
            if units is None:
                walk_rows(child.path, path, rows, captured, capture)  # type: ignore[arg-type]
            else:
                units.append(Unit(child.path, path))  # type: ignore[arg-type]
                append(_UNIT)
        elif child.is_symlink():
            target = os.readlink(child.path)
            append((path, _SYMLINK, len(target), os.fsdecode(target), None))
        elif child.is_file(follow_symlinks=False):
            info = child.stat(follow_symlinks=False)
            inode = (info.st_dev, info.st_ino) if info.st_nlink > 1 else None
            append((path, _FILE, info.st_size, "", inode))
            if capture is not None:
                limit = capture(path)
                if limit:
                    content = _capture(child.path, limit)  # type: ignore[arg-type]
                    if content is not None:
                        captured[path] = content
        else:
            info = child.stat(follow_symlinks=False)
            whiteout = stat.S_ISCHR(info.st_mode) and info.st_rdev == 0
            append((path, _WHITEOUT if whiteout else _OTHER, 0, "", None))


@dataclass
class Unit:
    """A folder whose contents are walked as one piece (``rows``), or listed one level
    (``listed``: its rows with a ``None`` for each sub-unit, in ``parts``)."""

    folder: bytes
    rel: str
    rows: list[Row] | None = None
    listed: list[Row | None] | None = None
    parts: list[Unit] = field(default_factory=list)
    number: int = -1
    weight: int = 0  # its sub-folders: the heaviest are taken first


def entries_of(rows: Sequence[Row], captured: dict[str, bytes]) -> tuple[Entry, ...]:
    """The entries of a layer's rows in walk order: a file's later links to an inode
    become hardlinks to its first path (and keep no content, as in a tar)."""
    inodes: dict[Any, str] = {}
    entries = []
    append = entries.append
    hardlink = EntryKind.HARDLINK
    for path, kind, size, link, inode in rows:
        if inode is not None:
            first = inodes.get(inode)
            if first is not None:
                append(Entry(path, hardlink, 0, first))
                captured.pop(path, None)
                continue
            inodes[inode] = path
        append(Entry(path, KINDS[kind], size, link))
    return tuple(entries)


def read_layer_dir(
    root: Path, *, key: str = "", capture: CaptureRule | None = None
) -> LayerSummary:
    """Read one overlay2 ``diff`` folder into the entries its layer tar would give, in
    the order of its tar (in this process)."""
    rows: list[Row | None] = []
    captured: dict[str, bytes] = {}
    walk_rows(os.fsencode(root), "", rows, captured, capture)
    return LayerSummary(
        key=key or str(root),
        entries=entries_of(rows, captured),  # type: ignore[arg-type]
        captured=captured,
    )


def _subfolders(unit: Unit) -> int:
    """How many sub-folders a unit's folder has, by its link count (a folder's ``..``
    entries); 0 where the file system does not count them so (btrfs)."""
    try:
        return max(os.stat(unit.folder, follow_symlinks=False).st_nlink - 2, 0)
    except OSError:
        return 0


def _list(units: Sequence[Unit], captured: dict[str, bytes], capture: CaptureRule | None) -> None:
    for unit in units:
        unit.listed = []
        walk_rows(unit.folder, unit.rel, unit.listed, captured, capture, unit.parts)


def _split(root: Path, captured: dict[str, bytes], capture: CaptureRule | None) -> Unit:
    """List a layer breadth first until it has :data:`UNITS_PER_LAYER` units to walk,
    then list the units with :data:`FAN_OUT` sub-folders or more (a ``site-packages``)
    into them, and weigh each unit that is left by its sub-folders."""
    top = Unit(os.fsencode(root), "")
    frontier = [top]
    for _ in range(MAX_DEPTH):
        if not frontier or len(frontier) >= UNITS_PER_LAYER:
            break
        _list(frontier, captured, capture)
        frontier = [part for unit in frontier for part in unit.parts]
    for _ in range(2):
        for unit in frontier:
            unit.weight = _subfolders(unit)
        wide = [unit for unit in frontier if unit.weight >= FAN_OUT]
        if not wide:
            break
        _list(wide, captured, capture)
        frontier = _leaves(top)
    return top


def _leaves(unit: Unit) -> list[Unit]:
    if unit.listed is None:
        return [unit]
    return [leaf for part in unit.parts for leaf in _leaves(part)]


def _flatten(unit: Unit, rows: list[Row]) -> None:
    if unit.listed is None:
        rows.extend(unit.rows or ())
        return
    parts = iter(unit.parts)
    for row in unit.listed:
        if row is None:
            _flatten(next(parts), rows)
        else:
            rows.append(row)


def _walk_taken(
    claims: int, leaves: Sequence[Unit], layer_of: Sequence[int], capture: CaptureRule | None
) -> tuple[dict[int, list[Row]], dict[int, dict[str, bytes]]]:
    """Take units from the pipe until it is empty; walk each: rows per unit number,
    captured contents per layer."""
    walked: dict[int, list[Row]] = {}
    captured: dict[int, dict[str, bytes]] = {}
    while len(taken := os.read(claims, 4)) == 4:
        (number,) = struct.unpack("=I", taken)
        _walk_leaf(number, leaves, layer_of, capture, walked, captured)
    return walked, captured


def _walk_leaf(
    number: int,
    leaves: Sequence[Unit],
    layer_of: Sequence[int],
    capture: CaptureRule | None,
    walked: dict[int, list[Row]],
    captured: dict[int, dict[str, bytes]],
) -> None:
    leaf = leaves[number]
    rows: list[Row | None] = []
    walk_rows(leaf.folder, leaf.rel, rows, captured.setdefault(layer_of[number], {}), capture)
    walked[number] = rows  # type: ignore[assignment]


def _child(
    claims: int,
    out: int,
    leaves: Sequence[Unit],
    layer_of: Sequence[int],
    capture: CaptureRule | None,
) -> None:
    """In the child: walk the units it takes, send the rows, leave without cleanup."""
    status = 1
    try:
        data = memoryview(marshal.dumps(_walk_taken(claims, leaves, layer_of, capture)))
        while data:
            data = data[os.write(out, data) :]
        status = 0
    finally:
        os._exit(status)


def _from_child(pid: int, results: int) -> tuple[dict[int, list[Row]], dict[int, dict]] | None:
    chunks = []
    try:
        while chunk := os.read(results, READ):
            chunks.append(chunk)
    finally:
        os.close(results)
        _, status = os.waitpid(pid, 0)
    if status != 0:
        return None
    try:
        return marshal.loads(b"".join(chunks))
    except (EOFError, ValueError, TypeError):
        return None


def _walk_leaves(
    leaves: Sequence[Unit], layer_of: Sequence[int], capture: CaptureRule | None, fork: bool
) -> tuple[dict[int, list[Row]], dict[int, dict[str, bytes]]]:
    """Walk every leaf, here and (with ``fork``) in a child, taking them in turn."""
    claims, filler = os.pipe()
    try:
        heaviest = sorted(range(len(leaves)), key=lambda n: -leaves[n].weight)
        os.write(filler, b"".join(struct.pack("=I", n) for n in heaviest))
    finally:
        os.close(filler)
    pid = 0
    results = -1
    try:
        if fork:
            results, out = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(results)
                _child(claims, out, leaves, layer_of, capture)
            os.close(out)
        walked, captured = _walk_taken(claims, leaves, layer_of, capture)
    except BaseException:
        if pid:
            os.close(results)
            os.waitpid(pid, 0)
        raise
    finally:
        os.close(claims)
    theirs = _from_child(pid, results) if pid else None
    if theirs is not None:
        walked.update(theirs[0])
        for layer, contents in theirs[1].items():
            captured.setdefault(layer, {}).update(contents)
    for number in range(len(leaves)):  # a failed child's units: walked here
        if number not in walked:
            _walk_leaf(number, leaves, layer_of, capture, walked, captured)
    return walked, captured


def read_layer_dirs(
    dirs: Sequence[Path], *, capture: CaptureRule | None = None, fork: bool | None = None
) -> tuple[LayerSummary, ...]:
    """Read overlay2 ``diff`` folders (lowest first), as :func:`read_layer_dir` reads
    each, on two cores when a child may be forked (``fork``: ``None`` for when
    :func:`~workbench.analysis.forked.can_fork`)."""
    if not (can_fork() if fork is None else fork):
        return tuple(read_layer_dir(d, key=str(d), capture=capture) for d in dirs)
    captured: list[dict[str, bytes]] = [{} for _ in dirs]
    tops = [_split(d, captured[i], capture) for i, d in enumerate(dirs)]
    leaves: list[Unit] = []
    layer_of: list[int] = []
    for index, top in enumerate(tops):
        for leaf in _leaves(top):
            leaf.number = len(leaves)
            leaves.append(leaf)
            layer_of.append(index)
    if len(leaves) > MAX_UNITS:
        return tuple(read_layer_dir(d, key=str(d), capture=capture) for d in dirs)
    walked, contents = _walk_leaves(leaves, layer_of, capture, fork=len(leaves) > 1)
    for leaf in leaves:
        leaf.rows = walked[leaf.number]
    for index, more in contents.items():
        captured[index].update(more)
    summaries = []
    for index, (root, top) in enumerate(zip(dirs, tops, strict=True)):
        rows: list[Row] = []
        _flatten(top, rows)
        summaries.append(
            LayerSummary(
                key=str(root), entries=entries_of(rows, captured[index]), captured=captured[index]
            )
        )
    return tuple(summaries)

"""Any image A against any image B: the size difference, reconciled to the byte.

Pure: two :class:`~workbench.analysis.ImageAnalysis` in, an :class:`ImageDiff` out
(:func:`diff_analyses`); :meth:`ImageDiff.to_dict` is the JSON shape of ``workbench diff
--json``.  Every delta is B minus A, and the figures add up:

* the components' deltas sum to the size difference;
* each component's delta is its Python packages' deltas, plus its Debian packages'
  deltas, plus its bytes outside those packages (``non_package_delta``);
* the layers' deltas (shared by diff id, new in B, gone from A) sum to the size
  difference;
* with the file lists (:mod:`workbench.compare.diff_files`), each component's file
  changes sum to its delta.

A package counts in one component: the one the image's rules give a file every such
package has (a Python distribution's ``.dist-info/RECORD``; a Debian package's
``/usr/share/doc/NAME/copyright``, owned by it), so the pip a Python base image ships
counts in the runtime, a virtualenv's packages in the dependencies, gcc in the build
tools.  A package whose component differs between A and B is gone from one and new in
the other.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from workbench.analysis import COMPONENT_LABELS, COMPONENTS, ImageAnalysis, LayerAnalysis
from workbench.analysis.classify import Classifier, RuleSet, load_rules

if TYPE_CHECKING:
    from workbench.compare.diff_files import FilesDiff

PYTHON = "python"
DEBIAN = "debian"
ADDED = "added"
REMOVED = "removed"
VERSION_CHANGED = "version changed"
GROWN = "grown"
SHRUNK = "shrunk"
UNCHANGED = "unchanged"
SHARED = "shared"
NEW = "new"
GONE = "gone"
SHIPPED_RULES = "the shipped rules.toml"
DEBIAN_COPYRIGHT = "/usr/share/doc/{name}/copyright"


@dataclass(frozen=True)
class ImageSide:
    """One side of a diff: the image as the user named it.

    Attributes:
        ref: what the user typed (a tag, an id, ``PROJECT_DIR:VARIANT``).
        image_id: the image's ``sha256:`` id.
        tags: its references.
        size_bytes: its size (the engine's ``Size``).
    """

    ref: str
    image_id: str
    tags: tuple[str, ...]
    size_bytes: int

    @property
    def shown(self) -> str:
        """The image for people: what the user named it, else its first tag or short id."""
        return self.ref or (self.tags[0] if self.tags else self.image_id[7:19])


@dataclass(frozen=True)
class ComponentDelta:
    """One component in A and in B.

    Attributes:
        component: its name (one of :data:`~workbench.analysis.COMPONENTS`).
        a_bytes: its bytes in A.
        b_bytes: its bytes in B.
        python_packages_delta: the deltas of the Python packages counted in it.
        debian_packages_delta: the deltas of the Debian packages counted in it.
    """

    component: str
    a_bytes: int
    b_bytes: int
    python_packages_delta: int = 0
    debian_packages_delta: int = 0

    @property
    def label(self) -> str:
        return COMPONENT_LABELS.get(self.component, self.component)

    @property
    def delta(self) -> int:
        return self.b_bytes - self.a_bytes

    @property
    def non_package_delta(self) -> int:
        """The change of its bytes outside the packages counted in it."""
        return self.delta - self.python_packages_delta - self.debian_packages_delta

    def to_dict(self) -> dict[str, Any]:
        return {
            "a_bytes": self.a_bytes,
            "b_bytes": self.b_bytes,
            "delta_bytes": self.delta,
            "python_packages_bytes": self.python_packages_delta,
            "debian_packages_bytes": self.debian_packages_delta,
            "non_package_bytes": self.non_package_delta,
        }


@dataclass(frozen=True)
class LayerDelta:
    """A layer of A, of B, or of both (the same diff id).

    Attributes:
        status: ``"shared"`` (both hold it), ``"new"`` (only B) or ``"gone"`` (only A).
        diff_id: the layer's uncompressed digest.
        created_by: the instruction that made it (B's when both hold it).
        a_index: its position in A, ``None`` when A lacks it.
        b_index: its position in B, ``None`` when B lacks it.
        a_bytes: its bytes in A (0 when A lacks it).
        b_bytes: its bytes in B (0 when B lacks it).
        components: per component, B's bytes of the layer minus A's (a shared layer's
            files can be hidden or classified differently by the layers above it).
    """

    status: str
    diff_id: str
    created_by: str
    a_index: int | None
    b_index: int | None
    a_bytes: int
    b_bytes: int
    components: Mapping[str, int] = field(default_factory=dict)

    @property
    def delta(self) -> int:
        return self.b_bytes - self.a_bytes

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "diff_id": self.diff_id,
            "created_by": self.created_by,
            "a_index": self.a_index,
            "b_index": self.b_index,
            "a_bytes": self.a_bytes,
            "b_bytes": self.b_bytes,
            "delta_bytes": self.delta,
            "components": dict(self.components),
        }


@dataclass(frozen=True)
class PackageDelta:
    """A Python or Debian package in A, in B, or in both.

    Attributes:
        kind: ``"python"`` or ``"debian"``.
        name: its name (as B spells it when both hold it).
        component: the component it counts in.
        change: ``"added"``, ``"removed"``, ``"version changed"``, ``"grown"``,
            ``"shrunk"`` or ``"unchanged"``.
        a_version: its version in A (``""`` when A lacks it).
        b_version: its version in B (``""`` when B lacks it).
        a_bytes: its bytes in A (0 when A lacks it).
        b_bytes: its bytes in B (0 when B lacks it).
        where: a Python package's ``site-packages`` folder (B's when both hold it), a
            Debian package's architecture.
    """

    kind: str
    name: str
    component: str
    change: str
    a_version: str
    b_version: str
    a_bytes: int
    b_bytes: int
    where: str = ""

    @property
    def delta(self) -> int:
        return self.b_bytes - self.a_bytes

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "component": self.component,
            "change": self.change,
            "a_version": self.a_version,
            "b_version": self.b_version,
            "a_bytes": self.a_bytes,
            "b_bytes": self.b_bytes,
            "delta_bytes": self.delta,
            ("location" if self.kind == PYTHON else "architecture"): self.where,
        }


@dataclass(frozen=True)
class ImageDiff:
    """Image B against image A, to the byte (every delta is B minus A).

    Attributes:
        a: the reference image.
        b: the image compared with it.
        components: every component, in the order of
            :data:`~workbench.analysis.COMPONENTS`.
        layers: B's layers in order (shared or new), then the layers gone from A.
        python_packages: every Python package of either image, largest change first.
        debian_packages: every Debian package of either image, largest change first.
        files: the file and folder changes, when the file lists were read.
        files_note: why there are no file changes, when there are none.
    """

    a: ImageSide
    b: ImageSide
    components: tuple[ComponentDelta, ...]
    layers: tuple[LayerDelta, ...]
    python_packages: tuple[PackageDelta, ...] = ()
    debian_packages: tuple[PackageDelta, ...] = ()
    files: FilesDiff | None = None
    files_note: str = ""

    @property
    def size_delta_bytes(self) -> int:
        """B's size minus A's."""
        return self.b.size_bytes - self.a.size_bytes

    @property
    def growth_fraction(self) -> float | None:
        """The size delta as a fraction of A's size (``None`` when A is empty)."""
        return self.size_delta_bytes / self.a.size_bytes if self.a.size_bytes else None

    def component(self, name: str) -> ComponentDelta:
        """One component's delta (zero when neither image has the component)."""
        for delta in self.components:
            if delta.component == name:
                return delta
        return ComponentDelta(name, 0, 0)

    def changed_packages(self, kind: str | None = None) -> list[PackageDelta]:
        """The packages that changed (all kinds, or one), largest change first."""
        rows = {PYTHON: self.python_packages, DEBIAN: self.debian_packages}
        chosen = [p for k, found in rows.items() if kind in (None, k) for p in found]
        return sorted(
            (p for p in chosen if p.change != UNCHANGED),
            key=lambda p: (-abs(p.delta), p.kind, p.name.lower()),
        )

    def with_files(self, files: FilesDiff | None, note: str = "") -> ImageDiff:
        """This diff with its file changes (or the reason there are none)."""
        return replace(self, files=files, files_note=note)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (``workbench diff --json``); ``unreconciled`` lists what does
        not add up (empty: every figure does)."""
        return {
            "a": _side(self.a),
            "b": _side(self.b),
            "size_delta_bytes": self.size_delta_bytes,
            "components": {c.component: c.delta for c in self.components},
            "reconciliation": {c.component: c.to_dict() for c in self.components},
            "layers": [layer.to_dict() for layer in self.layers],
            "python_packages": [p.to_dict() for p in self.python_packages],
            "debian_packages": [p.to_dict() for p in self.debian_packages],
            "files": self.files.to_dict() if self.files is not None else None,
            "files_note": self.files_note,
            "unreconciled": reconciles(self),
        }


def _side(side: ImageSide) -> dict[str, Any]:
    return {
        "ref": side.ref,
        "image_id": side.image_id,
        "tags": list(side.tags),
        "size_bytes": side.size_bytes,
    }


# -- packages -------------------------------------------------------------------------


def canonical_name(name: str) -> str:
    """A package name as PEP 503 compares them (``Foo_Bar`` = ``foo-bar``)."""
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def _rules(analysis: ImageAnalysis) -> RuleSet:
    """The rules the analysis was made with (the shipped ones unless a file was named)."""
    if not analysis.rules or analysis.rules == SHIPPED_RULES:
        return load_rules()
    return load_rules(analysis.rules)


def dist_info_name(name: str) -> str:
    """A distribution's name as its ``.dist-info`` folder spells it (``poetry_core``)."""
    return re.sub(r"[-_.]+", "_", name.strip()).lower()


def package_components(analysis: ImageAnalysis) -> tuple[list[str], list[str]]:
    """The component each of an analysis's Python and Debian packages counts in.

    A Python distribution counts where the image's rules put its
    ``.dist-info/RECORD``; a Debian package, where they put its
    ``/usr/share/doc/NAME/copyright`` (every Debian package ships one), owned by it.

    Returns:
        The components of ``analysis.python_packages`` and of
        ``analysis.debian_packages``, in their order.
    """
    copyrights = {DEBIAN_COPYRIGHT.format(name=p.name): p.name for p in analysis.debian_packages}
    classifier = Classifier(
        _rules(analysis),
        app_paths=analysis.app_paths,
        virtualenvs=analysis.virtualenvs,
        dpkg_files=copyrights,
    )
    python = [
        classifier.component(
            f"{p.location.rstrip('/')}/{dist_info_name(p.name)}-{p.version}.dist-info/RECORD"
        )
        for p in analysis.python_packages
    ]
    debian = [
        classifier.component(DEBIAN_COPYRIGHT.format(name=p.name)) for p in analysis.debian_packages
    ]
    return python, debian


@dataclass(frozen=True)
class _Package:
    """A package of one image, as the diff pairs them."""

    key: tuple[str, str]  # (component, canonical name)
    name: str
    version: str
    bytes: int
    where: str


def _python(analysis: ImageAnalysis, components: Sequence[str]) -> list[_Package]:
    return [
        _Package((c, canonical_name(p.name)), p.name, p.version, p.bytes, p.location)
        for p, c in zip(analysis.python_packages, components, strict=True)
    ]


def _debian(analysis: ImageAnalysis, components: Sequence[str]) -> list[_Package]:
    return [
        _Package((c, f"{p.name}:{p.architecture}"), p.name, p.version, p.bytes, p.architecture)
        for p, c in zip(analysis.debian_packages, components, strict=True)
    ]


def _change(a: _Package | None, b: _Package | None) -> str:
    if a is None:
        return ADDED
    if b is None:
        return REMOVED
    if a.version != b.version:
        return VERSION_CHANGED
    if b.bytes > a.bytes:
        return GROWN
    return SHRUNK if b.bytes < a.bytes else UNCHANGED


def _pairs(
    a: Iterable[_Package], b: Iterable[_Package]
) -> list[tuple[_Package | None, _Package | None]]:
    """Pair the packages of A and B by component and name; a name held twice in one
    component (two virtualenvs) pairs by location first, then in order."""
    by_key_a: dict[tuple[str, str], list[_Package]] = defaultdict(list)
    by_key_b: dict[tuple[str, str], list[_Package]] = defaultdict(list)
    for package in a:
        by_key_a[package.key].append(package)
    for package in b:
        by_key_b[package.key].append(package)
    pairs: list[tuple[_Package | None, _Package | None]] = []
    for key in dict.fromkeys([*by_key_a, *by_key_b]):
        left, right = list(by_key_a.get(key, ())), list(by_key_b.get(key, ()))
        for package in list(left):
            same = next((p for p in right if p.where == package.where), None)
            if same is not None:
                pairs.append((package, same))
                left.remove(package)
                right.remove(same)
        while left and right:
            pairs.append((left.pop(0), right.pop(0)))
        pairs += [(package, None) for package in left]
        pairs += [(None, package) for package in right]
    return pairs


def package_deltas(
    kind: str, a: Iterable[_Package], b: Iterable[_Package]
) -> tuple[PackageDelta, ...]:
    """Every package of A or B with its change, largest change first."""
    rows = []
    for left, right in _pairs(a, b):
        shown = right or left
        assert shown is not None
        rows.append(
            PackageDelta(
                kind=kind,
                name=shown.name,
                component=shown.key[0],
                change=_change(left, right),
                a_version=left.version if left else "",
                b_version=right.version if right else "",
                a_bytes=left.bytes if left else 0,
                b_bytes=right.bytes if right else 0,
                where=shown.where,
            )
        )
    rows.sort(key=lambda p: (-abs(p.delta), p.name.lower(), p.where))
    return tuple(rows)


# -- layers ---------------------------------------------------------------------------


def _layer_components(a: LayerAnalysis | None, b: LayerAnalysis | None) -> dict[str, int]:
    names = dict.fromkeys([*COMPONENTS, *(a.components if a else {}), *(b.components if b else {})])
    return {
        name: (b.components.get(name, 0) if b else 0) - (a.components.get(name, 0) if a else 0)
        for name in names
    }


def layer_deltas(a: Sequence[LayerAnalysis], b: Sequence[LayerAnalysis]) -> tuple[LayerDelta, ...]:
    """B's layers in order, each shared with A (the same diff id) or new; then A's
    layers B lacks.  A diff id held several times pairs in order."""
    unmatched: dict[str, list[LayerAnalysis]] = defaultdict(list)
    for layer in a:
        unmatched[layer.diff_id].append(layer)
    rows = []
    for layer in b:
        pool = unmatched.get(layer.diff_id) if layer.diff_id else None
        mine = pool.pop(0) if pool else None
        rows.append(
            LayerDelta(
                status=SHARED if mine is not None else NEW,
                diff_id=layer.diff_id,
                created_by=layer.created_by,
                a_index=mine.index if mine is not None else None,
                b_index=layer.index,
                a_bytes=mine.bytes if mine is not None else 0,
                b_bytes=layer.bytes,
                components=_layer_components(mine, layer),
            )
        )
    gone = sorted((layer for pool in unmatched.values() for layer in pool), key=lambda x: x.index)
    rows += [
        LayerDelta(
            status=GONE,
            diff_id=layer.diff_id,
            created_by=layer.created_by,
            a_index=layer.index,
            b_index=None,
            a_bytes=layer.bytes,
            b_bytes=0,
            components=_layer_components(layer, None),
        )
        for layer in gone
    ]
    return tuple(rows)


# -- the diff -------------------------------------------------------------------------


def _sums(rows: Iterable[PackageDelta]) -> dict[str, int]:
    sums: dict[str, int] = defaultdict(int)
    for row in rows:
        sums[row.component] += row.delta
    return sums


def component_names(a: ImageAnalysis, b: ImageAnalysis) -> list[str]:
    """Every component, in the analysis's order, then any other either image reports."""
    return list(dict.fromkeys([*COMPONENTS, *a.components, *b.components]))


def diff_analyses(
    a: ImageAnalysis, b: ImageAnalysis, *, a_ref: str = "", b_ref: str = ""
) -> ImageDiff:
    """Image B against image A: components, layers and packages (no file lists).

    Args:
        a: the reference image's analysis.
        b: the analysis of the image compared with it.
        a_ref: how the user named A (shown in the headline).
        b_ref: how the user named B.

    Returns:
        The diff; :meth:`ImageDiff.with_files` adds the file changes.
    """
    python_a, debian_a = package_components(a)
    python_b, debian_b = package_components(b)
    python = package_deltas(PYTHON, _python(a, python_a), _python(b, python_b))
    debian = package_deltas(DEBIAN, _debian(a, debian_a), _debian(b, debian_b))
    python_sums, debian_sums = _sums(python), _sums(debian)
    components = tuple(
        ComponentDelta(
            component=name,
            a_bytes=int(a.components.get(name, 0)),
            b_bytes=int(b.components.get(name, 0)),
            python_packages_delta=python_sums.get(name, 0),
            debian_packages_delta=debian_sums.get(name, 0),
        )
        for name in component_names(a, b)
    )
    return ImageDiff(
        a=ImageSide(a_ref, a.image_id, tuple(a.tags), a.size_bytes),
        b=ImageSide(b_ref, b.image_id, tuple(b.tags), b.size_bytes),
        components=components,
        layers=layer_deltas(a.layers, b.layers),
        python_packages=python,
        debian_packages=debian,
    )


def reconciles(diff: ImageDiff) -> list[str]:
    """What does not add up in a diff, one line each (empty: every figure reconciles)."""
    problems = []
    total = sum(c.delta for c in diff.components)
    if total != diff.size_delta_bytes:
        problems.append(
            f"components sum to {total:+,} B, the sizes differ by {diff.size_delta_bytes:+,} B"
        )
    layers = sum(layer.delta for layer in diff.layers)
    if diff.layers and layers != diff.size_delta_bytes:
        problems.append(
            f"layers sum to {layers:+,} B, the sizes differ by {diff.size_delta_bytes:+,} B"
        )
    for kind, rows in ((PYTHON, diff.python_packages), (DEBIAN, diff.debian_packages)):
        sums = _sums(rows)
        for c in diff.components:
            field_delta = c.python_packages_delta if kind == PYTHON else c.debian_packages_delta
            if sums.get(c.component, 0) != field_delta:
                problems.append(f"{kind} packages of {c.component} do not sum to their delta")
    if diff.files is not None:
        for c in diff.components:
            files = diff.files.component_delta(c.component)
            if files != c.delta:
                problems.append(f"{c.component}: files sum to {files:+,} B, not {c.delta:+,} B")
    return problems

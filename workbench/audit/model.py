"""What an audit found, and its JSON shape (``workbench audit --json`` and the store).

The result dataclasses of the dependency audit: :class:`Audit` and the findings it
holds (:class:`Candidate`, :class:`Overlap` with its :class:`OverlapMember` rows,
:class:`AuditWarning`, :class:`ScriptUse`); :meth:`Audit.to_dict` and
:meth:`Audit.from_dict` write and read them back.  Every finding says whether it is
:data:`CERTAIN` (module names and the start command read from the image) or a
:data:`GUESS`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.audit.distributions import ImageFacts
from workbench.audit.graph import LockGraph
from workbench.project.manifests import normalize

CERTAIN = "certain"
GUESS = "guess"


@dataclass(frozen=True)
class ScriptUse:
    """A distribution the start command uses without importing it: it runs its script.

    Attributes:
        name: the distribution, normalized.
        command: the console script run.
        where: the command or script that runs it (``/app/start.sh:5``).
        certainty: certain when the script names came from the image's entry points.
    """

    name: str
    command: str
    where: str
    certainty: str


@dataclass(frozen=True)
class Candidate:
    """A dependency the pruned variant can drop.

    Attributes:
        name: the distribution, normalized.
        requirement: the line as pyproject.toml writes it.
        kind: ``"dev-tool"`` (a development tool declared for runtime), ``"unused"``
            (no copied file imports it, no start command runs it) or ``"stdlib"``.
        action: what to do, in a few words.
        certainty: ``"certain"`` or ``"guess"``.
        reason: one sentence on why.
        bytes: what dropping it alone frees in the image (``None`` without an image).
        cached_bytes: the part of ``bytes`` that is installer-cache copies (gone anyway
            once installs run without a cache: plan priority 1).
        packages: the distributions that leave the install with it.
        needed_by: when it stays installed anyway, the packages that need it.
        selected: ticked by default (certain findings are).
    """

    name: str
    requirement: str
    kind: str
    action: str
    certainty: str
    reason: str
    bytes: int | None = None
    cached_bytes: int | None = None
    packages: tuple[str, ...] = ()
    needed_by: tuple[str, ...] = ()
    selected: bool = True


@dataclass(frozen=True)
class OverlapMember:
    """One library of an overlapping group.

    Attributes:
        name: the distribution, normalized.
        requirement: the line as pyproject.toml writes it.
        files: the copied files that import it (relative to the project).
        own_bytes: its own distribution's bytes in the image.
        frees_bytes: what dropping it would free on top of the selected candidates
            (0 when other packages need it anyway).
        needed_by: the remaining packages that need it.
    """

    name: str
    requirement: str
    files: tuple[str, ...]
    own_bytes: int | None = None
    frees_bytes: int | None = None
    needed_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Overlap:
    """Libraries that do the same job, declared together.

    Attributes:
        group: what the libraries do (``"HTTP clients"``).
        members: one row per declared library of the group.
        certainty: ``"certain"`` or ``"guess"``.
        advice: one sentence on what picking one of them takes.
    """

    group: str
    members: tuple[OverlapMember, ...]
    certainty: str
    advice: str


@dataclass(frozen=True)
class AuditWarning:
    """A finding that is not a removal: imported but undeclared, and the like.

    Attributes:
        code: deptry's code (``DEP001`` imported but undeclared, ``DEP003`` imported
            but only installed as another package's dependency, ``DEP004`` a
            development dependency imported by the app), ``NAMESPACE`` (declared
            distributions sharing an imported module) or ``DEV-IMPORTED`` (a
            development tool the app imports).
        name: the module or distribution.
        message: one sentence.
        files: where (``path:line``).
        certainty: ``"certain"`` or ``"guess"``.
    """

    code: str
    name: str
    message: str
    files: tuple[str, ...] = ()
    certainty: str = CERTAIN


@dataclass(frozen=True)
class Audit:
    """The audit of one project (optionally against one built image).

    Attributes:
        project_path: the project folder.
        project_key: its store key.
        image: the image reference audited against, ``None`` without one.
        image_id: its id.
        names_from: ``"image"`` (module names and scripts read from the image's
            dist-info) or ``"guesses"``.
        sources: the folders and files scanned, relative to the project.
        python_files: how many Python files were scanned.
        declared: the runtime dependencies (normalized).
        candidates: what the pruned variant can drop.
        overlaps: libraries that do the same job, declared together.
        warnings: imported but undeclared, and similar.
        script_uses: distributions the start command runs.
        dev_group: a ``[dependency-groups]`` snippet for the development tools.
        notes: sentences to show beside the findings.
        total_bytes: what dropping every selected candidate frees together.
        total_cached_bytes: the part of it that is installer-cache copies.
        total_packages: the distributions that leave with them.
        plan_min_bytes / plan_max_bytes: the plan's estimate for this task.
        sizes: per distribution (normalized), what removing it frees in the image.
        cached: per distribution, the part of its size that is installer-cache copies.
        frees: per runtime dependency (normalized; used ones too), what dropping it alone
            frees in the image (``None`` without an image).
        graph: the lock's runtime graph (else the image's), ``None`` without either.
        image_facts: what was read from the image (kept to answer again quickly).
        created_at: when the audit ran.
    """

    project_path: str
    project_key: str
    image: str | None
    image_id: str | None
    names_from: str
    sources: tuple[str, ...]
    python_files: int
    declared: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    overlaps: tuple[Overlap, ...]
    warnings: tuple[AuditWarning, ...]
    script_uses: tuple[ScriptUse, ...]
    dev_group: str
    notes: tuple[str, ...]
    total_bytes: int | None
    total_packages: tuple[str, ...]
    plan_min_bytes: int | None
    plan_max_bytes: int | None
    total_cached_bytes: int | None = None
    sizes: Mapping[str, int] = field(default_factory=dict)
    cached: Mapping[str, int] = field(default_factory=dict)
    frees: Mapping[str, int | None] = field(default_factory=dict)
    graph: LockGraph | None = None
    image_facts: ImageFacts | None = None
    created_at: float = 0.0

    @property
    def found(self) -> bool:
        """Whether there is anything to act on (candidates or overlaps)."""
        return bool(self.candidates or self.overlaps)

    @property
    def exit_code(self) -> int:
        """The CLI's exit code: 0 nothing found, 1 candidates found."""
        return 1 if self.found else 0

    def selected_names(self) -> tuple[str, ...]:
        """The candidates ticked by default."""
        return tuple(c.name for c in self.candidates if c.selected)

    def removal_bytes(self, names: Iterable[str]) -> tuple[int | None, tuple[str, ...]]:
        """What dropping these dependencies together frees, and which distributions go.

        Returns:
            ``(bytes, packages)``; bytes is ``None`` when the audit had no image.
        """
        names = [normalize(n) for n in names]
        if self.graph is not None:
            packages = self.graph.removal(names).packages
        else:
            packages = tuple(sorted(set(names)))
        if self.image_id is None:
            return None, packages
        return sum(self.sizes.get(p, 0) for p in packages), packages

    def cached_part(self, packages: Iterable[str]) -> int | None:
        """Of the bytes these distributions take, those in installer-cache copies."""
        if self.image_id is None:
            return None
        return sum(self.cached.get(p, 0) for p in packages)

    def plan_verdict(self, value: int | None = None) -> str:
        """``"below"``, ``"within"`` or ``"above"`` the plan's estimate ("" if none)."""
        value = self.total_bytes if value is None else value
        if value is None or self.plan_min_bytes is None or self.plan_max_bytes is None:
            return ""
        if value < self.plan_min_bytes:
            return "below"
        return "above" if value > self.plan_max_bytes else "within"

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (``workbench audit --json`` and the store)."""
        return {
            "project_path": self.project_path,
            "project_key": self.project_key,
            "image": self.image,
            "image_id": self.image_id,
            "names_from": self.names_from,
            "sources": list(self.sources),
            "python_files": self.python_files,
            "declared": list(self.declared),
            "candidates": [_plain(c) for c in self.candidates],
            "overlaps": [
                {**_plain(o), "members": [_plain(m) for m in o.members]} for o in self.overlaps
            ],
            "warnings": [_plain(w) for w in self.warnings],
            "script_uses": [_plain(s) for s in self.script_uses],
            "dev_group": self.dev_group,
            "notes": list(self.notes),
            "total_bytes": self.total_bytes,
            "total_packages": list(self.total_packages),
            "total_cached_bytes": self.total_cached_bytes,
            "plan_min_bytes": self.plan_min_bytes,
            "plan_max_bytes": self.plan_max_bytes,
            "plan_verdict": self.plan_verdict(),
            "sizes": dict(self.sizes),
            "cached": dict(self.cached),
            "frees": dict(self.frees),
            "graph": self.graph.to_dict() if self.graph is not None else None,
            "image_facts": self.image_facts.to_dict() if self.image_facts is not None else None,
            "created_at": self.created_at,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Audit:
        """Read back what :meth:`to_dict` wrote (``plan_verdict`` is recomputed)."""
        return cls(
            project_path=data["project_path"],
            project_key=data["project_key"],
            image=data.get("image"),
            image_id=data.get("image_id"),
            names_from=data.get("names_from", "guesses"),
            sources=tuple(data.get("sources") or ()),
            python_files=int(data.get("python_files", 0)),
            declared=tuple(data.get("declared") or ()),
            candidates=tuple(_candidate(c) for c in data.get("candidates") or ()),
            overlaps=tuple(_overlap(o) for o in data.get("overlaps") or ()),
            warnings=tuple(_warning(w) for w in data.get("warnings") or ()),
            script_uses=tuple(ScriptUse(**s) for s in data.get("script_uses") or ()),
            dev_group=data.get("dev_group", ""),
            notes=tuple(data.get("notes") or ()),
            total_bytes=data.get("total_bytes"),
            total_packages=tuple(data.get("total_packages") or ()),
            total_cached_bytes=data.get("total_cached_bytes"),
            plan_min_bytes=data.get("plan_min_bytes"),
            plan_max_bytes=data.get("plan_max_bytes"),
            sizes=dict(data.get("sizes") or {}),
            cached=dict(data.get("cached") or {}),
            frees=dict(data.get("frees") or {}),
            graph=LockGraph.from_dict(data["graph"]) if data.get("graph") else None,
            image_facts=ImageFacts.from_dict(data["image_facts"])
            if data.get("image_facts")
            else None,
            created_at=float(data.get("created_at", 0.0)),
        )


def _plain(obj: Any) -> dict[str, Any]:
    out = {}
    for name in obj.__dataclass_fields__:
        value = getattr(obj, name)
        if isinstance(value, tuple) and not (value and hasattr(value[0], "__dataclass_fields__")):
            value = list(value)
        out[name] = value
    return out


def _candidate(data: Mapping[str, Any]) -> Candidate:
    return Candidate(
        **{
            **data,
            "packages": tuple(data.get("packages") or ()),
            "needed_by": tuple(data.get("needed_by") or ()),
        }
    )


def _member(data: Mapping[str, Any]) -> OverlapMember:
    return OverlapMember(
        **{
            **data,
            "files": tuple(data.get("files") or ()),
            "needed_by": tuple(data.get("needed_by") or ()),
        }
    )


def _overlap(data: Mapping[str, Any]) -> Overlap:
    return Overlap(
        group=data["group"],
        members=tuple(_member(m) for m in data.get("members") or ()),
        certainty=data.get("certainty", CERTAIN),
        advice=data.get("advice", ""),
    )


def _warning(data: Mapping[str, Any]) -> AuditWarning:
    return AuditWarning(**{**data, "files": tuple(data.get("files") or ())})

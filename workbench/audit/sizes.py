"""The audit's sizes: what a removal frees in the image.

Dropping direct dependencies removes them and every transitive dependency nothing
remaining needs (:meth:`workbench.audit.graph.LockGraph.removal`; without a uv.lock only
the distributions themselves); the bytes are the image's per-distribution sizes
(:meth:`workbench.audit.distributions.ImageFacts.sizes`), cached copies included.
Without an image there are no bytes (``None``), only the distributions that would go.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from workbench.audit.distributions import ImageFacts
from workbench.audit.graph import LockGraph
from workbench.audit.model import Candidate


@dataclass(frozen=True)
class Sizes:
    """The image's bytes per distribution and the lock's graph.

    Attributes:
        graph: the lock's runtime graph, ``None`` without a uv.lock.
        sizes: per distribution (normalized), what removing it frees in the image.
        cached: per distribution, the part of its size that is installer-cache copies.
        measured: whether there is an image to measure (else every figure is ``None``).
    """

    graph: LockGraph | None
    sizes: Mapping[str, int] = field(default_factory=dict)
    cached: Mapping[str, int] = field(default_factory=dict)
    measured: bool = False

    @classmethod
    def of(cls, graph: LockGraph | None, facts: ImageFacts | None) -> Sizes:
        """The sizes of an image's distributions (none without an image)."""
        if facts is None:
            return cls(graph)
        return cls(graph, facts.sizes(), facts.copies(), measured=True)

    def removal(self, names: Sequence[str]) -> tuple[int | None, tuple[str, ...]]:
        """What dropping these direct dependencies together frees, and what leaves.

        Returns:
            ``(bytes, packages)``; bytes is ``None`` without an image.
        """
        if not names:
            return (0 if self.measured else None), ()
        graph = self.graph
        packages = graph.removal(names).packages if graph is not None else tuple(sorted(names))
        if not self.measured:
            return None, packages
        return sum(self.sizes.get(p, 0) for p in packages), packages

    def cached_bytes(self, packages: Iterable[str]) -> int | None:
        """Of the bytes these distributions take, those in installer-cache copies."""
        return sum(self.cached.get(p, 0) for p in packages) if self.measured else None

    def needed_by(self, name: str, dropped: Sequence[str]) -> tuple[str, ...]:
        """When ``name`` stays installed after dropping ``dropped``, who needs it."""
        if self.graph is None:
            return ()
        return self.graph.removal(dropped).needed_by.get(name, ())

    def sized(self, candidate: Candidate) -> Candidate:
        """The candidate with what dropping it alone frees, and what leaves with it."""
        if self.graph is None:
            packages: tuple[str, ...] = (candidate.name,)
            needed_by: tuple[str, ...] = ()
        else:
            removal = self.graph.removal([candidate.name])
            packages = removal.packages
            needed_by = removal.needed_by.get(candidate.name, ())
        total = sum(self.sizes.get(p, 0) for p in packages) if self.measured else None
        return replace(
            candidate,
            bytes=total,
            cached_bytes=self.cached_bytes(packages),
            packages=packages,
            needed_by=needed_by,
        )

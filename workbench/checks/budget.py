"""The size budget gate: an image's figures against limits, as a list of violations.

Finding is pure (:func:`check_budget`, :func:`budget_result`: an analysis, an optional
measured push total and the limits in, violations out), reporting is separate
(:func:`render_text`, :meth:`BudgetResult.to_dict`), and :func:`evaluate_image` is the
one step that talks to the engine and the store.

The compressed size is the registry's (a push's measured total) when the store has one
for the image, else the analysis's gzip estimate; every figure says which.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import docker
import docker.errors

from workbench import registry
from workbench.analysis import ImageAnalysis
from workbench.analysis import stored as analyses
from workbench.analysis.model import SCHEMA_VERSION
from workbench.errors import BudgetError
from workbench.store import Store
from workbench.units import human_bytes

MEASURED = "measured"
ESTIMATE = "estimate"
WHAT_LABELS = {
    "size": "Image size",
    "compressed": "Compressed size",
    "efficiency": "Efficiency",
    "shadowed": "Shadowed by later layers",
}


@dataclass(frozen=True)
class Limits:
    """A size budget; ``None`` leaves a figure unchecked.

    Attributes:
        max_size: most bytes the image may have (``docker image inspect .Size``).
        max_compressed: most compressed bytes (what a registry stores).
        min_efficiency: least efficiency (dive's score, 0..1).
        max_shadowed: most bytes later layers may hide (deleted or overwritten).
    """

    max_size: int | None = None
    max_compressed: int | None = None
    min_efficiency: float | None = None
    max_shadowed: int | None = None

    def __post_init__(self) -> None:
        """Refuse negative byte limits and an efficiency outside 0..1 (``BudgetError``)."""
        for name in ("max_size", "max_compressed", "max_shadowed"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise BudgetError(f"{name.replace('_', '-')} must not be negative: {value}")
        if self.min_efficiency is not None and not 0 <= self.min_efficiency <= 1:
            raise BudgetError(
                f"min-efficiency is a fraction from 0 to 1 (e.g. 0.95), not {self.min_efficiency}"
            )

    @property
    def empty(self) -> bool:
        """No figure is limited."""
        return all(value is None for value in asdict(self).values())


@dataclass(frozen=True)
class Violation:
    """A figure over its limit (or, for efficiency, under it).

    Attributes:
        what: ``"size"``, ``"compressed"``, ``"efficiency"`` or ``"shadowed"``.
        limit: the limit (bytes, or a fraction for efficiency).
        actual: the image's figure.
        over_by: how far past the limit, always positive (bytes, or efficiency points
            under the minimum).
        source: for ``compressed``: ``"measured"`` (a registry's manifest) or
            ``"estimate"`` (the analysis's gzip); ``""`` otherwise.
    """

    what: str
    limit: int | float
    actual: int | float
    over_by: int | float
    source: str = ""

    @property
    def label(self) -> str:
        """The figure's name for people, with its source (``Compressed size (measured)``)."""
        name = WHAT_LABELS.get(self.what, self.what)
        return f"{name} ({self.source})" if self.source else name


def compressed_size(
    analysis: ImageAnalysis, measured_total: int | None = None
) -> tuple[int | None, str]:
    """The compressed size to show or check, preferring the measured one.

    Args:
        analysis: the image's analysis (its ``compressed.gzip_bytes`` is an estimate).
        measured_total: the total of a push's manifest layer sizes, if any.

    Returns:
        ``(bytes, "measured")``, ``(bytes, "estimate")``, or ``(None, "")`` when
        there is neither.
    """
    if measured_total is not None:
        return measured_total, MEASURED
    if analysis.compressed.gzip_bytes is not None:
        return analysis.compressed.gzip_bytes, ESTIMATE
    return None, ""


def check_budget(
    analysis: ImageAnalysis, limits: Limits, measured_compressed: int | None = None
) -> list[Violation]:
    """Compare an image's figures with a budget.

    Args:
        analysis: the image's analysis.
        limits: the budget.
        measured_compressed: the registry's total for this image (a push), preferred
            over the analysis's gzip estimate.

    Returns:
        The violations, in the order size, compressed, efficiency, shadowed; empty
        when the image is within budget.

    Raises:
        BudgetError: a compressed limit is set but there is neither a measured total
            nor an estimate.
    """
    violations: list[Violation] = []
    if limits.max_size is not None and analysis.size_bytes > limits.max_size:
        violations.append(
            Violation(
                "size",
                limits.max_size,
                analysis.size_bytes,
                analysis.size_bytes - limits.max_size,
            )
        )
    if limits.max_compressed is not None:
        actual, source = compressed_size(analysis, measured_compressed)
        if actual is None:
            raise BudgetError(
                "no compressed size for this image: push it (`workbench push`) or analyse "
                "it with the estimate (`workbench analyze` without --no-compress)"
            )
        if actual > limits.max_compressed:
            violations.append(
                Violation(
                    "compressed",
                    limits.max_compressed,
                    actual,
                    actual - limits.max_compressed,
                    source,
                )
            )
    if limits.min_efficiency is not None and analysis.efficiency < limits.min_efficiency:
        violations.append(
            Violation(
                "efficiency",
                limits.min_efficiency,
                analysis.efficiency,
                limits.min_efficiency - analysis.efficiency,
            )
        )
    if limits.max_shadowed is not None and analysis.shadowed_bytes > limits.max_shadowed:
        violations.append(
            Violation(
                "shadowed",
                limits.max_shadowed,
                analysis.shadowed_bytes,
                analysis.shadowed_bytes - limits.max_shadowed,
            )
        )
    return violations


@dataclass(frozen=True)
class BudgetResult:
    """An image checked against a budget, with every figure the check looked at.

    Attributes:
        image: the reference checked.
        image_id: the engine's id of it.
        limits: the budget.
        size_bytes: the image's size.
        compressed_bytes: its compressed size (``None`` when not needed and unknown).
        compressed_source: ``"measured"`` or ``"estimate"`` (``""`` when unknown).
        efficiency: dive's efficiency score.
        shadowed_bytes: bytes later layers hide.
        violations: what is over budget.
    """

    image: str
    image_id: str
    limits: Limits
    size_bytes: int
    compressed_bytes: int | None
    compressed_source: str
    efficiency: float
    shadowed_bytes: int
    violations: tuple[Violation, ...] = field(default_factory=tuple)

    @property
    def within_budget(self) -> bool:
        """No figure is over its limit."""
        return not self.violations

    def actual(self, what: str) -> int | float | None:
        """The image's figure for a limit name (``size``, ``compressed``, ...)."""
        return {
            "size": self.size_bytes,
            "compressed": self.compressed_bytes,
            "efficiency": self.efficiency,
            "shadowed": self.shadowed_bytes,
        }[what]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (``workbench check --json``)."""
        return {
            "image": self.image,
            "image_id": self.image_id,
            "within_budget": self.within_budget,
            "limits": asdict(self.limits),
            "figures": {
                "size_bytes": self.size_bytes,
                "compressed_bytes": self.compressed_bytes,
                "compressed_source": self.compressed_source,
                "efficiency": self.efficiency,
                "shadowed_bytes": self.shadowed_bytes,
            },
            "violations": [asdict(violation) for violation in self.violations],
        }


def budget_result(
    image: str,
    analysis: ImageAnalysis,
    limits: Limits,
    measured_compressed: int | None = None,
) -> BudgetResult:
    """Check an analysis against a budget and keep the figures looked at.

    Args:
        image: the reference, for the report.
        analysis: the image's analysis.
        limits: the budget.
        measured_compressed: a push's measured total for this image, if any.
    """
    compressed, source = compressed_size(analysis, measured_compressed)
    return BudgetResult(
        image=image,
        image_id=analysis.image_id,
        limits=limits,
        size_bytes=analysis.size_bytes,
        compressed_bytes=compressed,
        compressed_source=source,
        efficiency=analysis.efficiency,
        shadowed_bytes=analysis.shadowed_bytes,
        violations=tuple(check_budget(analysis, limits, measured_compressed)),
    )


# -- reporting ----------------------------------------------------------------------


def _figure(what: str, value: int | float | None, signed: bool = False) -> str:
    """A figure for people: bytes in MB/GB, efficiency as a fraction, or ``unknown``."""
    if value is None:
        return "unknown"
    if what == "efficiency":
        return f"{value:+.4f}" if signed else f"{value:.4f}"
    return human_bytes(value, signed=signed)


def render_text(result: BudgetResult) -> list[str]:
    """The check as lines of text: a headline, then a table of the limits.

    Over budget, the table lists what is over and by how much; within budget, each
    checked figure beside its limit.
    """
    limit_of = {
        "size": result.limits.max_size,
        "compressed": result.limits.max_compressed,
        "efficiency": result.limits.min_efficiency,
        "shadowed": result.limits.max_shadowed,
    }
    if result.within_budget:
        lines = [f"within budget: {result.image}"]
        for what, limit in limit_of.items():
            if limit is None:
                continue
            source = f" ({result.compressed_source})" if what == "compressed" else ""
            relation = "minimum" if what == "efficiency" else "limit"
            lines.append(
                f"  {WHAT_LABELS[what] + source:34} {_figure(what, result.actual(what)):>10}"
                f"   {relation} {_figure(what, limit)}"
            )
        return lines
    count = len(result.violations)
    lines = [
        f"over budget: {result.image} ({count} limit{'s' if count > 1 else ''} exceeded)",
        f"  {'what':34} {'limit':>10} {'actual':>10} {'over by':>12}",
    ]
    for violation in result.violations:
        over = (
            f"{violation.over_by:.4f} under"
            if violation.what == "efficiency"
            else _figure(violation.what, violation.over_by, signed=True)
        )
        lines.append(
            f"  {violation.label:34} {_figure(violation.what, violation.limit):>10} "
            f"{_figure(violation.what, violation.actual):>10} {over:>12}"
        )
    return lines


# -- the one step with I/O ----------------------------------------------------------


def evaluate_image(
    client: docker.DockerClient,
    ref: str,
    limits: Limits,
    store: Store | None = None,
) -> BudgetResult:
    """Check an image against a budget, from the store when it can.

    A stored analysis of the image is reused (any options: size, efficiency and
    shadowed bytes do not depend on them); the compressed figure is the newest push's
    measured total, else the gzip estimate (the image is analysed with it when a
    compressed limit needs it and the store has neither).

    Args:
        client: a connected docker client.
        ref: the image: a tag or an id.
        limits: the budget.
        store: the store (default: the workbench's).

    Raises:
        AnalysisError: the image is missing or cannot be read.
        BudgetError: a needed figure cannot be had.
    """
    store = store or Store()
    analysis: ImageAnalysis | None = None
    image_id = _image_id(client, ref)
    measured = registry.measured_push(image_id, store)
    needs_estimate = limits.max_compressed is not None and measured is None
    stored = store.latest_analysis(image_id, SCHEMA_VERSION)
    if stored is not None:
        try:
            analysis = ImageAnalysis.from_dict(stored)
        except (KeyError, TypeError, ValueError):
            analysis = None
        if analysis is not None and needs_estimate and analysis.compressed.gzip_bytes is None:
            analysis = None
    if analysis is None:
        analysis = analyses.analyze(client, ref, compress=needs_estimate, store=store)
    return budget_result(ref, analysis, limits, measured.total_bytes if measured else None)


def _image_id(client: docker.DockerClient, ref: str) -> str:
    """The engine's id of the image ``ref`` names."""
    return analyses.get_image(client, ref).id

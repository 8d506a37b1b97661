"""The growth gate: how much an image grew against a reference, against limits.

Finding is pure (:func:`check_growth`: a diff and the limits in, violations out),
reporting is separate (:func:`render_text`, :meth:`GrowthResult.to_dict`, and the
pull-request comment in :mod:`workbench.checks.comment`), and :func:`evaluate_growth`
is the one step with I/O: it names both images and diffs them
(:func:`workbench.compare.sides.diff_refs`).

A limit is bytes (``20MB``) or a share of the reference's figure (``5%``): of its size
for the total, of the component's bytes for a component.  Shrinking never fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from workbench.analysis import COMPONENT_LABELS, COMPONENTS
from workbench.compare.diff import ImageDiff
from workbench.compare.sides import diff_refs
from workbench.errors import BudgetError
from workbench.store import Store
from workbench.units import human_bytes, parse_size

TOTAL = "total"


@dataclass(frozen=True)
class GrowthLimit:
    """How much one figure may grow against the reference.

    Attributes:
        what: ``"total"`` (the image's size) or a component's name.
        max_bytes: most bytes it may grow, when the limit is a size.
        max_fraction: most it may grow as a share of the reference's figure, when the
            limit is a percentage (``0.05`` for ``5%``).
        text: the limit as it was written (``"5%"``, ``"20MB"``).
    """

    what: str
    max_bytes: int | None = None
    max_fraction: float | None = None
    text: str = ""

    def allowed(self, reference_bytes: int) -> int:
        """The most bytes the figure may grow, given the reference's bytes of it."""
        if self.max_bytes is not None:
            return self.max_bytes
        return int((self.max_fraction or 0.0) * reference_bytes)

    @property
    def label(self) -> str:
        """The figure's name for people."""
        return "Image size" if self.what == TOTAL else COMPONENT_LABELS.get(self.what, self.what)


def parse_growth(text: str, what: str = TOTAL) -> GrowthLimit:
    """Read ``5%``, ``2.5 %`` or a size (``20MB``, ``1.5GiB``) as a growth limit.

    Raises:
        BudgetError: it is neither (one line, naming the forms it takes).
    """
    cleaned = text.strip()
    percent = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)\s*%", cleaned)
    if percent:
        return GrowthLimit(what, max_fraction=float(percent.group(1)) / 100, text=cleaned)
    try:
        return GrowthLimit(what, max_bytes=parse_size(cleaned), text=cleaned)
    except ValueError:
        raise BudgetError(
            f"a growth limit is a percentage (5%) or a size (20MB, 1.5GiB), not {text!r}"
        ) from None


def parse_component_growth(text: str) -> GrowthLimit:
    """Read ``COMPONENT=LIMIT`` (``python_dependencies=10MB``) as a component's limit.

    Raises:
        BudgetError: no ``=``, an unknown component, or a malformed limit (one line).
    """
    name, sep, limit = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise BudgetError(
            f"--max-growth-component takes COMPONENT=LIMIT (python_dependencies=10MB), not {text!r}"
        )
    if name not in COMPONENTS:
        raise BudgetError(f"no component {name!r}; the components are {', '.join(COMPONENTS)}")
    return parse_growth(limit, name)


@dataclass(frozen=True)
class GrowthLimits:
    """The growth gate's limits; ``total`` ``None`` leaves the size unchecked.

    Attributes:
        total: the limit on the image's size growth.
        components: limits on components' growth (one per component: the last wins).
    """

    total: GrowthLimit | None = None
    components: tuple[GrowthLimit, ...] = ()

    @property
    def empty(self) -> bool:
        return self.total is None and not self.components

    def all(self) -> list[GrowthLimit]:
        """Every limit: the total first, then one per component in their order."""
        last = {limit.what: limit for limit in self.components}
        ordered = [last[c] for c in COMPONENTS if c in last]
        return ([self.total] if self.total is not None else []) + ordered

    def to_dict(self) -> dict[str, Any]:
        return {limit.what: limit.text for limit in self.all()}


@dataclass(frozen=True)
class GrowthCheck:
    """One limit checked.

    Attributes:
        limit: the limit.
        reference_bytes: the reference's figure.
        actual_bytes: the image's figure.
        allowed_bytes: the most it may grow.
    """

    limit: GrowthLimit
    reference_bytes: int
    actual_bytes: int
    allowed_bytes: int

    @property
    def growth_bytes(self) -> int:
        return self.actual_bytes - self.reference_bytes

    @property
    def over_by(self) -> int:
        """How far past the limit (0 when within it)."""
        return max(0, self.growth_bytes - self.allowed_bytes)

    @property
    def within(self) -> bool:
        return self.growth_bytes <= self.allowed_bytes

    def to_dict(self) -> dict[str, Any]:
        return {
            "what": self.limit.what,
            "limit": self.limit.text,
            "allowed_bytes": self.allowed_bytes,
            "reference_bytes": self.reference_bytes,
            "actual_bytes": self.actual_bytes,
            "growth_bytes": self.growth_bytes,
            "over_by": self.over_by,
            "within": self.within,
        }


def check_growth(diff: ImageDiff, limits: GrowthLimits) -> list[GrowthCheck]:
    """Check each limit against a diff (A: the reference, B: the image checked).

    Returns:
        One check per limit, the total first; a check is over when its figure grew by
        more than the limit allows.
    """
    checks = []
    for limit in limits.all():
        if limit.what == TOTAL:
            before, after = diff.a.size_bytes, diff.b.size_bytes
        else:
            component = diff.component(limit.what)
            before, after = component.a_bytes, component.b_bytes
        checks.append(GrowthCheck(limit, before, after, limit.allowed(before)))
    return checks


@dataclass(frozen=True)
class GrowthResult:
    """An image checked for growth against a reference.

    Attributes:
        image: the image checked, as named.
        against: the reference, as named.
        limits: the limits.
        diff: the image against the reference.
        checks: each limit checked.
    """

    image: str
    against: str
    limits: GrowthLimits
    diff: ImageDiff
    checks: tuple[GrowthCheck, ...] = field(default_factory=tuple)

    @property
    def violations(self) -> list[GrowthCheck]:
        return [check for check in self.checks if not check.within]

    @property
    def within_limits(self) -> bool:
        return not self.violations

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (``workbench check --against --json``'s ``growth``)."""
        return {
            "image": self.image,
            "against": self.against,
            "within_limits": self.within_limits,
            "limits": self.limits.to_dict(),
            "size_delta_bytes": self.diff.size_delta_bytes,
            "growth_fraction": self.diff.growth_fraction,
            "components": {c.component: c.delta for c in self.diff.components},
            "checks": [check.to_dict() for check in self.checks],
            "violations": [check.to_dict() for check in self.violations],
        }


def growth_result(image: str, against: str, diff: ImageDiff, limits: GrowthLimits) -> GrowthResult:
    """Check a diff against growth limits and keep what was looked at."""
    return GrowthResult(image, against, limits, diff, tuple(check_growth(diff, limits)))


# -- reporting ----------------------------------------------------------------------


def _limit_text(check: GrowthCheck) -> str:
    if check.limit.max_fraction is not None:
        return f"{check.limit.text} ({human_bytes(check.allowed_bytes)})"
    return human_bytes(check.allowed_bytes)


def check_rows(result: GrowthResult) -> list[dict[str, Any]]:
    """Each limit as a table row: what, the reference, the image, growth, limit, verdict."""
    return [
        {
            "Limit on": check.limit.label,
            "Reference": human_bytes(check.reference_bytes),
            "Image": human_bytes(check.actual_bytes),
            "Growth": human_bytes(check.growth_bytes, signed=True) if check.growth_bytes else "0 B",
            "Allowed": _limit_text(check),
            "Verdict": "within" if check.within else f"over by {human_bytes(check.over_by)}",
        }
        for check in result.checks
    ]


def render_text(result: GrowthResult) -> list[str]:
    """The growth check as lines of text: a headline, then each limit."""
    delta = result.diff.size_delta_bytes
    share = result.diff.growth_fraction
    grew = f"{human_bytes(delta, signed=True) if delta else '0 B'}" + (
        f", {share:+.1%}" if share is not None else ""
    )
    if result.within_limits:
        lines = [f"within growth limits: {result.image} against {result.against} ({grew})"]
    else:
        count = len(result.violations)
        lines = [
            f"over growth limits: {result.image} against {result.against} ({grew}; "
            f"{count} limit{'s' if count > 1 else ''} exceeded)"
        ]
    lines.append(f"  {'limit on':28} {'reference':>10} {'image':>10} {'growth':>11}   allowed")
    for row in check_rows(result):
        lines.append(
            f"  {row['Limit on']:28} {row['Reference']:>10} {row['Image']:>10} "
            f"{row['Growth']:>11}   {row['Allowed']}: {row['Verdict']}"
        )
    return lines


# -- the one step with I/O ----------------------------------------------------------


def evaluate_growth(
    image: str, against: str, limits: GrowthLimits, store: Store | None = None
) -> GrowthResult:
    """Diff an image against a reference and check the growth limits.

    Both are named as ``workbench diff`` names them (a tag, an id, ``PROJECT_DIR:VARIANT``);
    stored analyses are used, else each image is analysed once.

    Raises:
        DiffError: either image cannot be found or analysed.
    """
    diff = diff_refs(against, image, files=False, store=store)
    return growth_result(image, against, diff, limits)

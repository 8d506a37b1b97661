"""What a finding is, what every rule reads, and the JSON shape of both.

A :class:`Finding` names one waste in one image: the rule, its bytes (measured by the
analysis), the layer and the Dockerfile line that put them there (and, for bytes a
later layer hid, the line that hid them), why it matters, the fix (a named transform
of :mod:`workbench.variants.fixes`) when there is one, and how certain it is.
The rules read a :class:`Context`: the stored analysis, where each layer came from,
the project and what its newest dependency audit would drop (read from the audit's
stored JSON, so that the findings never load the audit's own machinery).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.analysis import ImageAnalysis, PathSize
from workbench.findings.lines import LayerSource

CERTAIN = "certain"
GUESS = "guess"


@dataclass(frozen=True)
class Finding:
    """One waste in an image, measured, located and (where a transform exists) fixable.

    Attributes:
        rule: the rule's id (``"installer-cache"``).
        title: one line naming the waste and where it is.
        bytes: how many bytes it takes in the image (measured by the analysis).
        layer: the layer that holds them.
        line: the Dockerfile line that put them there (``None`` when unknown).
        instruction: that line's instruction, in one line (else the layer's history).
        why: one sentence on why it matters.
        fix: the transform that removes it (``"no-cache"``, ``"multi-stage"``...), ``None``
            when there is none (a trade-off, or something only a person can change).
        certainty: :data:`CERTAIN`, or :data:`GUESS` with its reason.
        reason: why it is a guess (``""`` when certain).
        hidden_by_layer: for bytes a later layer hid, that layer.
        hidden_by_line: its Dockerfile line.
        hidden_by: its instruction, in one line.
        paths: the largest files it is made of.
        detail: what it is made of in a few words (``"uv, uvx"``, package names).
        trade_off: the bytes buy something (start-up time): no fix is offered by default.
        see: the hadolint rule that names the same waste without its bytes, if any.
    """

    rule: str
    title: str
    bytes: int
    layer: int | None
    line: int | None
    instruction: str
    why: str
    fix: str | None
    certainty: str = CERTAIN
    reason: str = ""
    hidden_by_layer: int | None = None
    hidden_by_line: int | None = None
    hidden_by: str = ""
    paths: tuple[PathSize, ...] = ()
    detail: str = ""
    trade_off: bool = False
    see: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (``workbench findings --json``)."""
        return {
            "rule": self.rule,
            "title": self.title,
            "bytes": self.bytes,
            "layer": self.layer,
            "line": self.line,
            "instruction": self.instruction,
            "fix": self.fix,
            "certainty": self.certainty,
            "reason": self.reason,
            "why": self.why,
            "hidden_by_layer": self.hidden_by_layer,
            "hidden_by_line": self.hidden_by_line,
            "hidden_by": self.hidden_by,
            "paths": [{"path": p.path, "bytes": p.bytes} for p in self.paths],
            "detail": self.detail,
            "trade_off": self.trade_off,
            "see": self.see,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """Read back what :meth:`to_dict` wrote."""
        values = dict(data)
        values["paths"] = tuple(PathSize(p["path"], p["bytes"]) for p in data.get("paths") or ())
        return cls(**values)


@dataclass(frozen=True)
class Removal:
    """A dependency the project's audit would drop (an audit candidate).

    Attributes:
        name: the distribution, normalized.
        requirement: the line as the manifest writes it.
        kind: ``"unused"``, ``"dev-tool"`` or ``"stdlib"``.
        certainty: ``"certain"`` or ``"guess"``.
        reason: one sentence on why.
        bytes: what dropping it alone frees in the image, ``None`` without an image.
        packages: the distributions that leave the install with it.
        selected: ticked by default (the pruned variant drops it).
    """

    name: str
    requirement: str
    kind: str
    certainty: str
    reason: str
    bytes: int | None
    packages: tuple[str, ...] = ()
    selected: bool = True


def removals(audit: Mapping[str, Any] | None) -> tuple[Removal, ...]:
    """The candidates of a stored audit (its JSON), as :class:`Removal` s."""
    found = []
    for c in (audit or {}).get("candidates") or ():
        try:
            found.append(
                Removal(
                    c["name"],
                    c.get("requirement", c["name"]),
                    c.get("kind", "unused"),
                    c.get("certainty", CERTAIN),
                    c.get("reason", ""),
                    c.get("bytes"),
                    tuple(c.get("packages") or ()),
                    bool(c.get("selected", True)),
                )
            )
        except (KeyError, TypeError):
            continue  # written by another version of the workbench
    return tuple(found)


@dataclass(frozen=True)
class Context:
    """What the rules read.

    Attributes:
        analysis: the image's stored analysis.
        sources: per layer, where it came from (:func:`~workbench.findings.lines.layer_sources`).
        dockerfile: the Dockerfile the image was built from, ``None`` when unknown.
        project_dir: the project the image was built from, ``None`` when unknown.
        removals: what the project's newest dependency audit would drop (none when no
            audit ran).
        scripts: the text of the scripts the start command runs (image path -> text).
    """

    analysis: ImageAnalysis
    sources: tuple[LayerSource, ...]
    dockerfile: str | None = None
    project_dir: Path | None = None
    removals: tuple[Removal, ...] = ()
    scripts: Mapping[str, str] = field(default_factory=dict)

    def source(self, layer: int | None) -> LayerSource | None:
        """Where a layer came from, ``None`` for no layer."""
        if layer is None or not 0 <= layer < len(self.sources):
            return None
        return self.sources[layer]

    def own(self, layer: int) -> bool:
        """Whether the Dockerfile made the layer (not the base image)."""
        source = self.source(layer)
        return source is not None and not source.base

    def has_dockerignore(self) -> bool:
        """Whether the project filters its build context with a ``.dockerignore``."""
        return self.project_dir is not None and (self.project_dir / ".dockerignore").is_file()


def located(
    context: Context,
    rule: str,
    title: str,
    size: int,
    layer: int | None,
    why: str,
    fix: str | None,
    **extra: Any,
) -> Finding:
    """A finding at a layer: its line and instruction filled in from the context.

    Args:
        context: what the rules read.
        rule: the rule's id.
        title: one line.
        size: its bytes.
        layer: the layer holding them.
        why: one sentence.
        fix: the transform's name, or ``None``.
        **extra: the other :class:`Finding` fields (``hidden_by_layer`` fills in
            ``hidden_by_line`` and ``hidden_by`` too).
    """
    source = context.source(layer)
    hidden = context.source(extra.get("hidden_by_layer"))
    if hidden is not None:
        extra.setdefault("hidden_by_line", hidden.line)
        extra.setdefault("hidden_by", hidden.text)
    return Finding(
        rule=rule,
        title=title,
        bytes=size,
        layer=layer,
        line=source.line if source else None,
        instruction=source.text if source else "",
        why=why,
        fix=fix,
        **extra,
    )


def ranked(findings: Sequence[Finding]) -> list[Finding]:
    """Largest first; ties by rule and layer."""
    return sorted(
        findings, key=lambda f: (-f.bytes, f.rule, f.layer if f.layer is not None else -1)
    )

"""Which Dockerfile line made each layer: the image's history aligned with the Dockerfile.

A layer's ``created_by`` names the instruction that made it, as the builder wrote it:
BuildKit ``RUN /bin/sh -c CMD # buildkit``, ``COPY SRC DEST # buildkit``, ``WORKDIR /app``;
the classic builder ``/bin/sh -c CMD`` and ``/bin/sh -c #(nop) COPY file:... in DEST``.
The final stage's layer-making instructions (with the stages it is built ``FROM``) are
aligned with the layers from the top down, so that each layer gets the best-matching
instruction in order; the layers below the first instruction are the base image's,
and map to the ``FROM`` line.
"""

from __future__ import annotations

import difflib
import json
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.analysis import LayerAnalysis
from workbench.errors import WorkbenchError
from workbench.variants import dockerfile as df
from workbench.variants.build_state import from_image

LAYER_KEYWORDS = ("RUN", "COPY", "ADD", "WORKDIR")
FROM = "FROM"
_NOP = re.compile(r"^/bin/sh -c #\(nop\)\s+([A-Z]+)\b\s*(.*)$", re.S)
_SHELL = re.compile(r"^(?:\|\d+\s+(?:\S+=\S*\s+)*)?/bin/(?:ba)?sh -c\s+(.*)$", re.S)
_RUN_FLAG = re.compile(r"^--[a-z-]+=?\S*\s+")
_MIN_RUN_RATIO = 0.5
_UNMATCHED = -0.5


@dataclass(frozen=True)
class LayerSource:
    """Where one layer came from.

    Attributes:
        layer: the layer's index.
        keyword: the instruction (``RUN``, ``COPY``...; ``FROM`` for the base image's
            layers; ``""`` when unknown).
        line: its 1-based line in the Dockerfile, ``None`` when it cannot be told.
        text: the instruction in one line (continuations joined), or the layer's
            ``created_by`` when no line is known.
        base: whether the layer came with the base image.
        copies_context: a ``COPY``/``ADD`` from the build context (not ``--from``).
    """

    layer: int
    keyword: str
    line: int | None
    text: str
    base: bool = False
    copies_context: bool = False


@dataclass(frozen=True)
class _Step:
    """A layer-making instruction of the Dockerfile, ready to compare."""

    keyword: str
    line: int
    text: str
    signature: str
    dests: tuple[str, ...] = ()
    copies_context: bool = False


def one_line(text: str) -> str:
    """Text with its line continuations joined and its spaces collapsed."""
    return " ".join(re.sub(r"\\\r?\n", " ", text).split())


def layer_step(created_by: str) -> tuple[str, str]:
    """The instruction a layer's ``created_by`` names, and its arguments (one line).

    Returns:
        ``("RUN", "apt-get update")``, ``("COPY", ". /app")``...; ``("", text)`` when
        it names none (``(Imported from -)``).
    """
    text = one_line(created_by).removesuffix("# buildkit").strip()
    nop = _NOP.match(text)
    if nop:
        return nop.group(1), nop.group(2).strip()
    keyword, _, rest = text.partition(" ")
    if keyword in (*LAYER_KEYWORDS, "ENV", "LABEL", "USER"):
        if keyword == "RUN":
            shell = _SHELL.match(rest)
            rest = shell.group(1) if shell else rest
        return keyword, rest.strip()
    shell = _SHELL.match(text)
    if shell:
        return "RUN", shell.group(1).strip()
    return "", text


def _run_signature(instruction: df.Instruction) -> str:
    value = one_line(instruction.value)
    while _RUN_FLAG.match(value):
        value = _RUN_FLAG.sub("", value, count=1)
    if value.startswith("["):
        try:
            argv = json.loads(value)
        except ValueError:
            argv = None
        if isinstance(argv, list):
            return " ".join(str(a) for a in argv)
    return value


def _steps(text: str) -> tuple[list[_Step], df.Instruction | None]:
    """The final image's layer-making instructions (its FROM stages' first), and the
    FROM the image starts from."""
    parsed = df.parse(text)
    stages = parsed.stages()
    names: dict[str, int] = {}
    for number, indexes in enumerate(stages):
        first = parsed.instructions[indexes[0]]
        words = first.value.split()
        if len(words) >= 3 and words[-2].lower() == "as":
            names[words[-1].lower()] = number
        names[str(number)] = number
    chain = [len(stages) - 1]
    while True:
        source = from_image(parsed.instructions[stages[chain[0]][0]]).lower()
        parent = names.get(source)
        if parent is None or parent in chain or parent >= chain[0]:
            break
        chain.insert(0, parent)
    wanted = {i for number in chain for i in stages[number]}
    steps = []
    for index, instruction, state in df.walk(parsed):
        if index not in wanted or instruction.keyword not in LAYER_KEYWORDS:
            continue
        steps.append(_step(instruction, state))
    return steps, parsed.instructions[stages[chain[0]][0]]


def _step(instruction: df.Instruction, state: df.BuildState) -> _Step:
    keyword = instruction.keyword
    text = one_line(instruction.text)
    if keyword == "RUN":
        return _Step(keyword, instruction.lineno, text, _run_signature(instruction))
    if keyword == "WORKDIR":
        path = state.expand(instruction.value.strip().strip("\"'"))
        absolute = posixpath.normpath(posixpath.join(state.workdir, path))
        return _Step(keyword, instruction.lineno, text, absolute, (path, absolute))
    spec = df.parse_copy(instruction)
    expanded = state.expand(spec.dest)
    absolute = posixpath.normpath(posixpath.join(state.workdir, expanded))
    dests = tuple(d.rstrip("/") or "/" for d in (spec.dest, expanded, absolute))
    context = "from" not in spec.flags
    return _Step(keyword, instruction.lineno, text, " ".join(spec.sources), dests, context)


def _score(layer: tuple[str, str], step: _Step) -> float | None:
    """How well a layer matches an instruction (higher is better), ``None`` if not at all."""
    keyword, rest = layer
    if keyword != step.keyword:
        return None
    if keyword == "RUN":
        ratio = difflib.SequenceMatcher(None, rest, step.signature, autojunk=False).ratio()
        return 1 + ratio if ratio >= _MIN_RUN_RATIO else None
    if keyword == "WORKDIR":
        return 2.0 if rest.rstrip("/") in step.dests else 1.0
    dest = rest.rpartition(" in ")[2] if " in " in rest else rest.rpartition(" ")[2]
    return 2.0 if dest.rstrip("/") in step.dests else 1.0


def _align(layers: Sequence[tuple[str, str]], steps: Sequence[_Step]) -> list[int | None]:
    """Per layer, the index of its instruction in ``steps``; ``-1`` for the base image's
    layers, ``None`` for a layer above them that matches none."""
    n, m = len(layers), len(steps)
    # best[a][b]: the best score aligning the top a layers with the last b steps
    best = [[float("-inf")] * (m + 1) for _ in range(n + 1)]
    move: list[list[tuple[str, float] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for a in range(n + 1):
        for b in range(m + 1):
            if a == 0 and b == 0:
                continue
            options = []
            if b and best[a][b - 1] > float("-inf"):
                options.append((best[a][b - 1], "skip-step"))
            if a and best[a - 1][b] > float("-inf"):
                options.append((best[a - 1][b] + _UNMATCHED, "skip-layer"))
            if a and b and best[a - 1][b - 1] > float("-inf"):
                score = _score(layers[n - a], steps[m - b])
                if score is not None:
                    options.append((best[a - 1][b - 1] + score, "match"))
            if options:
                best[a][b], kind = max(options)
                move[a][b] = (kind, best[a][b])
    top = max(range(n + 1), key=lambda a: (best[a][m], a))
    found: list[int | None] = [-1] * n
    a, b = top, m
    while a or b:
        kind = move[a][b][0] if move[a][b] else "skip-step"
        if kind == "match":
            found[n - a] = m - b
            a, b = a - 1, b - 1
        elif kind == "skip-layer":
            found[n - a] = None
            a -= 1
        else:
            b -= 1
    return found


def layer_sources(
    layers: Sequence[LayerAnalysis], dockerfile: str | None
) -> tuple[LayerSource, ...]:
    """Where each layer came from: its Dockerfile line, or the base image's ``FROM``.

    Args:
        layers: the image's layers, lowest first.
        dockerfile: the Dockerfile the image was built from; ``None`` when unknown
            (each layer then keeps its ``created_by`` and no line).

    Returns:
        One :class:`LayerSource` per layer.
    """
    named = [layer_step(layer.created_by) for layer in layers]
    built = [i for i, layer in enumerate(layers) if layer.created_by.endswith("# buildkit")]
    lowest = built[0] if built else 0  # without a Dockerfile: below BuildKit's, the base's
    unknown = tuple(
        LayerSource(
            layer.index,
            FROM if layer.index < lowest else keyword,
            None,
            one_line(layer.created_by),
            layer.index < lowest,
        )
        for layer, (keyword, _) in zip(layers, named, strict=True)
    )
    if not dockerfile:
        return unknown
    try:
        steps, origin = _steps(dockerfile)
    except WorkbenchError:
        return unknown
    sources = []
    for layer, match, guess in zip(layers, _align(named, steps), unknown, strict=True):
        if match == -1 and origin is not None:
            sources.append(
                LayerSource(layer.index, FROM, origin.lineno, one_line(origin.text), True)
            )
        elif match is None or match < 0:
            sources.append(guess)
        else:
            step = steps[match]
            sources.append(
                LayerSource(
                    layer.index, step.keyword, step.line, step.text, False, step.copies_context
                )
            )
    return tuple(sources)

"""Reading a Dockerfile: the names other stages use, and ``COPY``/``ADD`` parsing.

The parser itself lives in :mod:`workbench.variants.instructions` and the build-state walker in
:mod:`workbench.variants.build_state`; this module offers them together with
:func:`parse_copy` and :func:`final_stage_context_copies` (what the final image takes from the
build context), which the analysis and the dependency audit read.
"""

from __future__ import annotations

import json
import posixpath
import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from workbench.errors import WorkbenchError
from workbench.variants.build_state import BuildState, walk
from workbench.variants.instructions import Dockerfile, Instruction, parse, split_lines

__all__ = [
    "BuildState",
    "CopySpec",
    "Dockerfile",
    "Instruction",
    "final_stage_context_copies",
    "parse",
    "parse_copy",
    "split_lines",
    "walk",
]


@dataclass(frozen=True)
class CopySpec:
    """The parts of a ``COPY`` or ``ADD``.

    Attributes:
        flags: ``--from``, ``--chown``... without the dashes (``--link`` maps to ``""``).
        sources: The source paths.
        dest: The destination path.
    """

    flags: Mapping[str, str]
    sources: tuple[str, ...]
    dest: str


def parse_copy(ins: Instruction) -> CopySpec:
    """Split a ``COPY``/``ADD`` into flags, sources and destination (both forms)."""
    rest = ins.value.strip()
    flags: dict[str, str] = {}
    while rest.startswith("--"):
        word, _, rest = rest.partition(" ")
        name, _, value = word[2:].partition("=")
        flags[name.lower()] = value
        rest = rest.strip()
    paths: list[str] = []
    if rest.startswith("["):
        try:
            paths = [str(p) for p in json.loads(rest)]
        except ValueError:
            paths = []
    if not paths:
        try:
            paths = shlex.split(rest)
        except ValueError:
            paths = rest.split()
    return CopySpec(flags, tuple(paths[:-1]), paths[-1] if paths else "")


def final_stage_context_copies(text: str) -> list[tuple[CopySpec, str]]:
    """The final stage's ``COPY``/``ADD`` from the build context (not ``--from``).

    Args:
        text: the Dockerfile.

    Returns:
        Each copy with its destination made absolute against the WORKDIR in force
        (variables expanded where known); empty when the Dockerfile does not parse.
    """
    try:
        parsed = parse(text)
    except WorkbenchError:
        return []
    stages = parsed.stages()
    final = set(stages[-1]) if stages else set()
    copies = []
    for index, instruction, state in walk(parsed):
        if index not in final or instruction.keyword not in ("COPY", "ADD"):
            continue
        spec = parse_copy(instruction)
        if "from" in spec.flags or not spec.sources or not spec.dest:
            continue
        dest = state.expand(spec.dest)
        copies.append((spec, dest if dest.startswith("/") else posixpath.join(state.workdir, dest)))
    return copies

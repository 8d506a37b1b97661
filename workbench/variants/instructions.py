"""Dockerfile instructions, parsed so that they render back byte for byte.

``dockerfile-parse`` finds the instructions and their line ranges; this module keeps each
instruction's verbatim text (line continuations and inner comments included) together with the
blank and comment lines just above it, so that a transform can rewrite one instruction and leave
every other line exactly as it was. Nothing here talks to Docker or the file system.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dockerfile_parse import DockerfileParser

from workbench.errors import CannotTransform

# fmt: off
KNOWN_INSTRUCTIONS = frozenset({
    "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
    "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
})
# fmt: on
HEREDOC = re.compile(r"<<-?\s*[\"']?[A-Za-z_][A-Za-z0-9_]*")
"""A heredoc (``<<EOF``, ``<<-"EOF"``) in a ``RUN``, ``COPY`` or ``ADD``."""
_DIRECTIVE = re.compile(r"#\s*([A-Za-z]+)\s*=\s*(\S*)\s*$")


@dataclass(frozen=True)
class Instruction:
    """One instruction with its original text.

    Attributes:
        keyword: The instruction in upper case (``RUN``, ``COPY``...).
        start: First line, 0-based.
        end: Last line, 0-based and inclusive.
        text: The verbatim lines ``start..end``, inner comments and continuations included.
        value: The instruction's arguments with continuations joined (from dockerfile-parse).
        preamble: The blank and comment lines between the previous instruction and this one.
    """

    keyword: str
    start: int
    end: int
    text: str
    value: str
    preamble: str = ""

    @property
    def lineno(self) -> int:
        """The 1-based line number of the instruction, as editors show it."""
        return self.start + 1


@dataclass(frozen=True)
class Dockerfile:
    """A parsed Dockerfile that can be rendered back, byte for byte.

    Attributes:
        head: Parser directives (``# syntax=...``) at the very top.
        instructions: Every instruction, in order.
        tail: Lines after the last instruction.
        directives: The parser directives, lower-cased names.
    """

    head: str
    instructions: tuple[Instruction, ...]
    tail: str
    directives: Mapping[str, str] = field(default_factory=dict)

    def render(
        self,
        replacements: Mapping[int, str] | None = None,
        before: Mapping[int, str] | None = None,
    ) -> str:
        """Return the text, with some instructions' text (preamble excluded) replaced.

        Args:
            replacements: Index in :attr:`instructions` -> new text for that instruction.
            before: Index -> lines to insert above that instruction and its preamble.
        """
        replacements = replacements or {}
        before = before or {}
        body = "".join(
            before.get(i, "") + ins.preamble + replacements.get(i, ins.text)
            for i, ins in enumerate(self.instructions)
        )
        return self.head + body + self.tail

    def stages(self) -> list[list[int]]:
        """Return, per stage, the indexes of its instructions (its ``FROM`` first)."""
        stages: list[list[int]] = []
        for i, ins in enumerate(self.instructions):
            if ins.keyword == "FROM":
                stages.append([])
            if stages:
                stages[-1].append(i)
        return stages

    def global_args(self) -> list[int]:
        """Return the indexes of the ``ARG`` instructions before the first ``FROM``."""
        out = []
        for i, ins in enumerate(self.instructions):
            if ins.keyword == "FROM":
                break
            out.append(i)
        return out


def split_lines(text: str) -> list[str]:
    """Split on ``\\n`` only, keeping line ends (as dockerfile-parse does)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _directives(lines: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        match = _DIRECTIVE.match(line.strip())
        if not match or match.group(1).lower() not in {"syntax", "escape", "check"}:
            break
        found[match.group(1).lower()] = match.group(2)
    return found


def parse(text: str) -> Dockerfile:
    """Parse Dockerfile text.

    Args:
        text: The Dockerfile's content.

    Returns:
        The parsed Dockerfile; ``parse(text).render() == text``.

    Raises:
        CannotTransform: The text has no ``FROM``, uses heredocs or a non-default escape
            character, or has something the parser does not understand.
    """
    lines = split_lines(text)
    directives = _directives(lines)
    if directives.get("escape", "\\") != "\\":
        raise CannotTransform("uses the escape directive '# escape=`'; only '\\' is supported")
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")))
    items = sorted(
        (s for s in parser.structure if s["instruction"] != "COMMENT"), key=lambda s: s["startline"]
    )
    instructions = _instructions(lines, items, len(directives))
    _check(instructions)
    tail_start = instructions[-1].end + 1
    return Dockerfile(
        head="".join(lines[: len(directives)]),
        instructions=tuple(instructions),
        tail="".join(lines[tail_start:]),
        directives=directives,
    )


def _instructions(lines: list[str], items: list[dict], first: int) -> list[Instruction]:
    out: list[Instruction] = []
    previous_end = first - 1
    for item in items:
        start, end = item["startline"], item["endline"]
        out.append(
            Instruction(
                keyword=item["instruction"].upper(),
                start=start,
                end=end,
                text="".join(lines[start : end + 1]),
                value=item["value"],
                preamble="".join(lines[previous_end + 1 : start]),
            )
        )
        previous_end = end
    return out


def _check(instructions: Sequence[Instruction]) -> None:
    if not instructions:
        raise CannotTransform("has no instructions: an empty Dockerfile")
    for ins in instructions:
        if ins.keyword in {"RUN", "COPY", "ADD"} and HEREDOC.search(ins.value):
            raise CannotTransform(
                f"line {ins.lineno}: uses a heredoc (<<EOF), which the transforms can't edit yet"
            )
        if ins.keyword not in KNOWN_INSTRUCTIONS:
            raise CannotTransform(
                f"line {ins.lineno}: unknown instruction {ins.keyword!r}"
                " (a blank line inside a continuation, or a heredoc?)"
            )
    for ins in instructions:
        if ins.keyword == "FROM":
            return
        if ins.keyword != "ARG":
            raise CannotTransform(f"line {ins.lineno}: {ins.keyword} comes before the first FROM")
    raise CannotTransform("has no FROM instruction")

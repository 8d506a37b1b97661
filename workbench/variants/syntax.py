"""The one check for Dockerfile syntax that only BuildKit understands.

The classic builder rejects some flags (``RUN --mount``, ``COPY --link``...) and heredocs; a
Dockerfile that uses them must be built with BuildKit. A flag counts only where it is a flag,
at the start of the instruction's arguments: ``RUN echo --mount`` is a shell command, not a
mount. The check reads the instructions dockerfile-parse finds (continuations joined), so it
works on Dockerfiles the transforms cannot parse, heredocs included.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping

from dockerfile_parse import DockerfileParser

from workbench.variants.instructions import HEREDOC

BUILDKIT_FLAGS: Mapping[str, frozenset[str]] = {
    "RUN": frozenset({"mount", "network", "security"}),
    "COPY": frozenset({"link", "chmod", "parents", "exclude", "checksum", "keep-git-dir"}),
    "ADD": frozenset({"link", "chmod", "parents", "exclude", "checksum", "keep-git-dir"}),
}
"""Per instruction, the flags (without dashes) the classic builder does not know."""
_FLAG = re.compile(r"\s*--([A-Za-z][\w-]*)(?:=\S*)?(?=\s|$)")


def buildkit_features(text: str) -> tuple[str, ...]:
    """Name each use of syntax only BuildKit understands, with its line.

    Args:
        text: A Dockerfile, parseable by the transforms or not.

    Returns:
        One entry per use, in order, such as ``"line 5: RUN --mount"`` or
        ``"line 9: COPY heredoc (<<EOF)"``; empty when the classic builder can build it.
    """
    found: list[str] = []
    for lineno, keyword, value in _instructions(text):
        flags = BUILDKIT_FLAGS.get(keyword, frozenset())
        found += [f"line {lineno}: {keyword} --{flag}" for flag in _flags(value) if flag in flags]
        heredoc = HEREDOC.search(value) if keyword in BUILDKIT_FLAGS else None
        if heredoc:
            found.append(f"line {lineno}: {keyword} heredoc (<<{_delimiter(heredoc.group())})")
    return tuple(found)


def needs_buildkit(text: str) -> bool:
    """Whether a Dockerfile uses syntax only BuildKit understands.

    ``RUN --mount/--network/--security``, ``COPY``/``ADD`` ``--link``, ``--chmod``,
    ``--parents``, ``--exclude``, ``--checksum``, ``--keep-git-dir``, and heredocs: see
    :func:`buildkit_features`.
    """
    return bool(buildkit_features(text))


def _instructions(text: str) -> Iterator[tuple[int, str, str]]:
    """Yield ``(line, KEYWORD, value)`` per instruction, skipping comments and heredoc bodies."""
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")))
    pending: list[str] = []
    for item in parser.structure:
        inside = bool(pending)
        for line in item["content"].splitlines():
            if pending and line.strip() == pending[0]:
                pending.pop(0)
        if inside or item["instruction"] == "COMMENT":
            continue
        keyword = item["instruction"].upper()
        yield item["startline"] + 1, keyword, item["value"]
        if keyword in BUILDKIT_FLAGS:
            pending = [_delimiter(m.group()) for m in HEREDOC.finditer(item["value"])]


def _flags(value: str) -> list[str]:
    """The flag names (lower case, without dashes) at the start of an instruction's arguments."""
    names = []
    position = 0
    while match := _FLAG.match(value, position):
        names.append(match.group(1).lower())
        position = match.end()
    return names


def _delimiter(heredoc: str) -> str:
    """The word that ends a heredoc: ``EOF`` for ``<<-"EOF"``."""
    return heredoc.lstrip("<").lstrip("-").strip().lstrip("\"'")

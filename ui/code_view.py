"""Dockerfiles, diffs and logs as plain HTML: line numbers, coloured lines, bold
instructions.

Streamlit's code element loads its syntax highlighter (every language it knows) the first
time a browser tab shows one: half a second of the browser's main thread, measured on
the Variants page (0.85–1.0 s to settle with two code blocks, 0.42 s without), then on
the Builds page's log once the Variants page no longer paid it.  A diff needs only its
added and removed lines coloured, a Dockerfile its instructions in bold, a log nothing,
so these draw them with ``st.html`` and no highlighter.  The text is escaped, never
interpreted.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

_BOX = (
    "font-family: 'Source Code Pro', ui-monospace, monospace; font-size: 0.85rem; "
    "line-height: 1.55; background: rgba(151, 166, 195, 0.15); border-radius: 0.5rem; "
    "padding: 0.75rem 1rem; margin: 0 0 1rem 0; overflow-x: auto; white-space: pre"
)
_DIFF_LINE = {
    "+": "background: rgba(33, 195, 84, 0.2)",
    "-": "background: rgba(255, 43, 43, 0.16)",
    "@": "color: #5f6473",
}
_HEADER_LINE = "font-weight: 600"
_NUMBER = "color: #8b8fa0; user-select: none; display: inline-block; text-align: right"
_INSTRUCTION = re.compile(
    r"^(\s*)(FROM|RUN|CMD|LABEL|EXPOSE|ENV|ADD|COPY|ENTRYPOINT|VOLUME|USER|WORKDIR|ARG|"
    r"ONBUILD|STOPSIGNAL|HEALTHCHECK|SHELL|MAINTAINER)\b",
    re.IGNORECASE,
)


def _pre(label: str, body: str) -> str:
    return f'<pre role="region" aria-label="{html.escape(label)}" style="{_BOX}">{body}</pre>'


def _box(label: str, lines: list[tuple[str, str]]) -> str:
    return _pre(label, "".join(f'<span style="display: block{s}">{t}</span>' for s, t in lines))


def diff_html(text: str, label: str = "Diff") -> str:
    """A unified diff as HTML: added lines green, removed lines red, hunks grey."""
    lines = []
    for line in text.splitlines():
        header = line.startswith(("+++", "---"))
        style = _HEADER_LINE if header else _DIFF_LINE.get(line[:1], "")
        lines.append((f"; {style}" if style else "", html.escape(line) or " "))
    return _box(label, lines)


def dockerfile_html(text: str, label: str = "Dockerfile") -> str:
    """A Dockerfile as HTML: numbered lines, each instruction's keyword in bold."""
    rows = text.splitlines() or [""]
    width = len(str(len(rows)))
    lines = []
    for number, line in enumerate(rows, start=1):
        found = _INSTRUCTION.match(line)
        if found:
            body = (
                html.escape(found.group(1))
                + f"<b>{html.escape(found.group(2))}</b>"
                + html.escape(line[found.end() :])
            )
        else:
            body = html.escape(line)
        numbered = f'<span style="{_NUMBER}; width: {width}ch">{number}</span>  {body}'
        lines.append(("", numbered))
    return _box(label, lines)


def log_html(text: str, label: str = "Log") -> str:
    """A log as HTML, as it is (escaped)."""
    return _pre(label, html.escape(text))


def show_log(text: str, *, label: str = "Log", where: DeltaGenerator | None = None) -> None:
    """Draw a log, or any plain text kept as it is (:func:`log_html`)."""
    (where or st).html(log_html(text, label))


def show_diff(text: str, *, label: str = "Diff", where: DeltaGenerator | None = None) -> None:
    """Draw a unified diff (:func:`diff_html`)."""
    (where or st).html(diff_html(text, label))


def show_dockerfile(
    text: str, *, label: str = "Dockerfile", where: DeltaGenerator | None = None
) -> None:
    """Draw a Dockerfile (:func:`dockerfile_html`)."""
    (where or st).html(dockerfile_html(text, label))

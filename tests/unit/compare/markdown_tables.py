"""Markdown parsed as a renderer does (markdown-it, CommonMark with GFM tables): the
tables it finds, as lists of rows of cell texts."""

from __future__ import annotations

from markdown_it import MarkdownIt


def tables(text: str) -> list[list[list[str]]]:
    """Every table in the Markdown: its rows (the header first), each a list of cells."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    found: list[list[list[str]]] = []
    row: list[str] | None = None
    for token in tokens:
        if token.type == "table_open":
            found.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token.content)
        elif token.type == "tr_close" and row is not None:
            found[-1].append(row)
            row = None
    return found


def html(text: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(text)

"""A diff for people: the headline, rows for tables, plain text and Markdown.

Reporting only: everything here reads an :class:`~workbench.compare.diff.ImageDiff` and
formats it (sizes decimal, as the docker CLI shows them); nothing is computed that the
diff does not hold.  The Diff page turns the rows into tables, ``workbench diff`` prints
the text or the Markdown, and the growth gate's pull-request comment reuses the
Markdown pieces.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from workbench.compare.diff import (
    GONE,
    NEW,
    PYTHON,
    SHARED,
    ComponentDelta,
    ImageDiff,
    PackageDelta,
)
from workbench.compare.diff_files import ADDED, GROWN, REMOVED, SHRUNK, PathDelta
from workbench.units import UNITS_NOTE, human_bytes

HEADLINE_PARTS = 4
TOP_PACKAGES = 15
TOP_FILES = 10
KIND_WORDS = {PYTHON: "Python", "debian": "Debian"}


def signed(n: int) -> str:
    """A delta for people: ``+12.3 MB``, ``-4.0 kB``, ``0 B``."""
    return human_bytes(n, signed=True) if n else "0 B"


def _mb(n: int) -> str:
    return human_bytes(abs(n))


def headline(diff: ImageDiff, parts: int = HEADLINE_PARTS) -> str:
    """One sentence: how much larger or smaller B is, and where.

    For example ``"pruned-deps is 274.6 MB smaller than baseline: -160.8 MB in Python
    dependencies, -113.6 MB in Build caches, -117.6 kB in Other."``
    """
    a, b = diff.a.shown, diff.b.shown
    delta = diff.size_delta_bytes
    if delta > 0:
        sentence = f"{b} is {_mb(delta)} larger than {a}"
    elif delta < 0:
        sentence = f"{b} is {_mb(delta)} smaller than {a}"
    else:
        sentence = f"{b} is the same size as {a}"
    moved = sorted((c for c in diff.components if c.delta), key=lambda c: -abs(c.delta))
    if not moved:
        return sentence + ("." if delta else ", component by component.")
    shown = [f"{signed(c.delta)} in {c.label}" for c in moved[:parts]]
    rest = moved[parts:]
    if rest:
        shown.append(f"{signed(sum(c.delta for c in rest))} in {len(rest)} more")
    return f"{sentence}: {', '.join(shown)}."


def component_rows(diff: ImageDiff) -> list[dict[str, Any]]:
    """Per component, then the total: A, B, the change, and its parts."""
    rows = [
        {
            "Component": c.label,
            "A": human_bytes(c.a_bytes),
            "B": human_bytes(c.b_bytes),
            "Change": signed(c.delta),
            "Python packages": signed(c.python_packages_delta),
            "Debian packages": signed(c.debian_packages_delta),
            "Outside packages": signed(c.non_package_delta),
            "Bytes": c.delta,
        }
        for c in diff.components
        if c.a_bytes or c.b_bytes
    ]
    total = ComponentDelta("total", diff.a.size_bytes, diff.b.size_bytes)
    rows.append(
        {
            "Component": "Total",
            "A": human_bytes(total.a_bytes),
            "B": human_bytes(total.b_bytes),
            "Change": signed(total.delta),
            "Python packages": signed(sum(c.python_packages_delta for c in diff.components)),
            "Debian packages": signed(sum(c.debian_packages_delta for c in diff.components)),
            "Outside packages": signed(sum(c.non_package_delta for c in diff.components)),
            "Bytes": total.delta,
        }
    )
    return rows


def _version(p: PackageDelta) -> str:
    if p.a_version and p.b_version and p.a_version != p.b_version:
        return f"{p.a_version} → {p.b_version}"
    return p.b_version or p.a_version


def package_rows(diff: ImageDiff, top: int | None = None) -> list[dict[str, Any]]:
    """The packages that changed, largest change first (all of them unless ``top``)."""
    labels = {c.component: c.label for c in diff.components}
    return [
        {
            "Package": p.name,
            "Kind": KIND_WORDS.get(p.kind, p.kind),
            "Component": labels.get(p.component, p.component),
            "Change": p.change,
            "Version": _version(p),
            "A": human_bytes(p.a_bytes) if p.a_bytes else "",
            "B": human_bytes(p.b_bytes) if p.b_bytes else "",
            "Size change": signed(p.delta),
            "Bytes": p.delta,
        }
        for p in diff.changed_packages()[:top]
    ]


def layer_summary(diff: ImageDiff) -> str:
    """The layers in one line: how many shared, new and gone, and their bytes."""
    parts = []
    for status, words in ((SHARED, "shared"), (NEW, "new in B"), (GONE, "gone from A")):
        rows = [layer for layer in diff.layers if layer.status == status]
        if status == SHARED:
            parts.append(f"{len(rows)} {words} ({human_bytes(sum(r.b_bytes for r in rows))})")
        elif rows:
            parts.append(f"{len(rows)} {words} ({signed(sum(r.delta for r in rows))})")
    return "Layers: " + ", ".join(parts) + "."


def layer_rows(diff: ImageDiff) -> list[dict[str, Any]]:
    """Every layer of either image: shared, new or gone, with its bytes."""
    return [
        {
            "Layer": layer.status,
            "A #": "" if layer.a_index is None else str(layer.a_index),
            "B #": "" if layer.b_index is None else str(layer.b_index),
            "Instruction": layer.created_by,
            "A": human_bytes(layer.a_bytes) if layer.a_index is not None else "",
            "B": human_bytes(layer.b_bytes) if layer.b_index is not None else "",
            "Size change": signed(layer.delta),
            "Diff id": layer.diff_id[7:19],
        }
        for layer in diff.layers
    ]


def _path_row(row: PathDelta, labels: dict[str, str], what: str) -> dict[str, Any]:
    return {
        what: row.path,
        "Component": labels.get(row.component, row.component),
        "Change": row.change,
        "A": human_bytes(row.a_bytes) if row.a_bytes else "",
        "B": human_bytes(row.b_bytes) if row.b_bytes else "",
        "Size change": signed(row.delta),
        "Bytes": row.delta,
    }


def file_rows(diff: ImageDiff, top: int = TOP_FILES) -> list[dict[str, Any]]:
    """The largest file changes of any kind (empty without the file lists)."""
    if diff.files is None:
        return []
    labels = {c.component: c.label for c in diff.components}
    return [_path_row(row, labels, "File") for row in diff.files.largest(top)]


def folder_rows(diff: ImageDiff, top: int = TOP_FILES) -> list[dict[str, Any]]:
    """The largest folder changes: added, removed, grown and shrunk, largest first."""
    if diff.files is None:
        return []
    rows = [r for change in (ADDED, REMOVED, GROWN, SHRUNK) for r in diff.files.folders[change]]
    rows.sort(key=lambda r: (-abs(r.delta), r.path))
    return [
        {k: v for k, v in _path_row(r, {}, "Folder").items() if k != "Component"}
        for r in rows[:top]
    ]


# -- text and Markdown ------------------------------------------------------------


def _md_cell(text: object) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def md_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], right: Iterable[str]) -> str:
    """A pipe table of some columns of the rows; the ``right`` ones right-aligned."""
    aligned = set(right)
    lines = [
        "| " + " | ".join(columns) + " |",
        "|" + "|".join("---:" if c in aligned else "---" for c in columns) + "|",
    ]
    lines += ["| " + " | ".join(_md_cell(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


COMPONENT_COLUMNS = ["Component", "A", "B", "Change", "Python packages", "Debian packages",
                     "Outside packages"]  # fmt: skip
PACKAGE_COLUMNS = ["Package", "Kind", "Component", "Change", "Version", "Size change"]
FILE_COLUMNS = ["File", "Component", "Change", "Size change"]


def markdown_sections(diff: ImageDiff, top_packages: int = TOP_PACKAGES) -> list[str]:
    """The diff's Markdown blocks: the component table, the top package changes, the
    layers and the largest file changes (without a title or the headline)."""
    numbers = COMPONENT_COLUMNS[1:]
    out = [md_table(component_rows(diff), COMPONENT_COLUMNS, numbers)]
    packages = package_rows(diff, top_packages)
    changed = len(diff.changed_packages())
    if packages:
        more = f" (the largest {len(packages)} of {changed})" if changed > len(packages) else ""
        out += [
            f"**Package changes**{more}",
            md_table(packages, PACKAGE_COLUMNS, ["Size change"]),
        ]
    else:
        out.append("No package changed.")
    out.append(layer_summary(diff))
    files = file_rows(diff)
    if files:
        out += ["**Largest file changes**", md_table(files, FILE_COLUMNS, ["Size change"])]
    elif diff.files_note:
        out.append(f"File changes: not read ({diff.files_note}).")
    return out


def diff_markdown(diff: ImageDiff) -> str:
    """The whole diff as Markdown: a title, the headline and the sections."""
    title = f"## {diff.b.shown} against {diff.a.shown}"
    ids = f"`{diff.b.image_id[7:19]}` against `{diff.a.image_id[7:19]}`. {UNITS_NOTE}"
    return "\n\n".join([title, f"**{headline(diff)}**", ids, *markdown_sections(diff)]) + "\n"


def _text_table(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], width: int = 36
) -> list[str]:
    def cell(value: object, first: bool) -> str:
        text = str(value)
        if first:
            return (text if len(text) <= width else "…" + text[-width + 1 :]).ljust(width)
        return text.rjust(12)

    lines = ["  " + " ".join(cell(c, i == 0) for i, c in enumerate(columns))]
    lines += ["  " + " ".join(cell(row[c], i == 0) for i, c in enumerate(columns)) for row in rows]
    return lines


def render_text(diff: ImageDiff, top_packages: int = TOP_PACKAGES) -> list[str]:
    """The diff as lines of plain text (``workbench diff``)."""
    lines = [headline(diff), ""]
    lines += _text_table(
        component_rows(diff), ["Component", "A", "B", "Change", "Outside packages"], 26
    )
    lines += ["", layer_summary(diff)]
    packages = package_rows(diff, top_packages)
    if packages:
        lines += ["", f"Package changes ({len(diff.changed_packages())}, largest first):"]
        lines += _text_table(packages, ["Package", "Change", "Version", "Size change"], 30)
    files = file_rows(diff)
    if files:
        lines += ["", "Largest file changes:"]
        lines += _text_table(files, ["File", "Change", "Size change"], 60)
    folders = folder_rows(diff)
    if folders:
        lines += ["", "Largest folder changes:"]
        lines += _text_table(folders, ["Folder", "Change", "Size change"], 60)
    if diff.files_note:
        lines += ["", f"File changes not read: {diff.files_note}"]
    return lines

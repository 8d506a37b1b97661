"""A diff for people: the headline, the rows, and Markdown that renders as tables."""

from __future__ import annotations

from tests.unit.compare.diff_images import A_FILES, B_FILES, image_a, image_b, table
from tests.unit.compare.markdown_tables import html, tables
from workbench.compare import diff_report
from workbench.compare.diff import diff_analyses
from workbench.compare.diff_files import diff_files


def _diff(files: bool = True):
    diff = diff_analyses(image_a(), image_b(), a_ref="baseline", b_ref="pruned")
    if files:
        diff = diff.with_files(diff_files(table(image_a(), A_FILES), table(image_b(), B_FILES)))
    return diff


def test_the_headline_says_how_much_and_where() -> None:
    assert diff_report.headline(_diff()) == (
        "pruned is 4.18 MB smaller than baseline: -4.00 MB in Build caches, "
        "-180 kB in Python dependencies, +200 B in Application code."
    )
    swapped = diff_analyses(image_b(), image_a(), a_ref="pruned", b_ref="baseline")
    assert diff_report.headline(swapped).startswith(
        "baseline is 4.18 MB larger than pruned: +4.00 MB"
    )
    same = diff_analyses(image_a(), image_a(), a_ref="x", b_ref="y")
    assert diff_report.headline(same) == "y is the same size as x, component by component."


def test_a_long_headline_folds_the_rest_into_one_part() -> None:
    text = diff_report.headline(_diff(), parts=1)
    assert text.endswith("-4.00 MB in Build caches, -180 kB in 2 more.")


def test_the_component_rows_end_with_the_total() -> None:
    rows = diff_report.component_rows(_diff())
    assert rows[-1]["Component"] == "Total" and rows[-1]["Bytes"] == -4_179_800
    assert sum(r["Bytes"] for r in rows[:-1]) == rows[-1]["Bytes"]
    deps = next(r for r in rows if r["Component"] == "Python dependencies")
    assert (deps["Python packages"], deps["Outside packages"]) == ("-200 kB", "+20.0 kB")


def test_the_package_rows_sort_by_the_size_of_the_change() -> None:
    rows = diff_report.package_rows(_diff())
    assert [(r["Package"], r["Change"], r["Version"], r["Size change"]) for r in rows] == [
        ("pytest", "removed", "8.0.0", "-700 kB"),
        ("numpy", "version changed", "1.26.0 → 2.0.0", "+500 kB"),
    ]


def test_the_markdown_renders_as_tables() -> None:
    text = diff_report.diff_markdown(_diff())
    found = tables(text)
    components, packages, files = found
    assert components[0] == diff_report.COMPONENT_COLUMNS
    assert components[-1][:4] == ["Total", "13.1 MB", "8.95 MB", "-4.18 MB"]
    assert [row[0] for row in packages[1:]] == ["pytest", "numpy"]
    assert files[1][:3] == ["/root/.cache/uv/archive/numpy.so", "Build caches", "removed"]
    assert "<table>" in html(text) and "pruned is 4.18 MB smaller" in text


def test_a_pipe_in_a_cell_does_not_break_the_table() -> None:
    text = diff_report.md_table([{"A": "x | y", "B": "1"}], ["A", "B"], ["B"])
    assert tables(text) == [[["A", "B"], ["x | y", "1"]]]


def test_without_the_file_lists_the_markdown_says_why() -> None:
    diff = _diff(files=False).with_files(None, "the engine is down")
    text = diff_report.diff_markdown(diff)
    assert "File changes: not read (the engine is down)." in text
    assert len(tables(text)) == 2


def test_the_text_has_the_headline_the_components_packages_and_files() -> None:
    lines = diff_report.render_text(_diff())
    assert lines[0].startswith("pruned is 4.18 MB smaller than baseline")
    text = "\n".join(lines)
    assert "Layers: 1 shared (3.30 MB), 2 new in B (+5.65 MB), 2 gone from A (-9.83 MB)." in text
    assert "Package changes (2, largest first):" in text
    assert "/root/.cache/uv/archive/numpy.so" in text and "Largest folder changes:" in text

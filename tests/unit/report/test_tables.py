from __future__ import annotations

from tests.unit.report.sample import MB, sample_report
from workbench.report.model import Report
from workbench.report.tables import (
    Badge,
    Show,
    components_table,
    headline_table,
    savings_table,
    targets_table,
    tasks_table,
    variants_table,
    waterfall_table,
)
from workbench.units import human_bytes

TABLES = (
    headline_table,
    components_table,
    savings_table,
    waterfall_table,
    tasks_table,
    targets_table,
    variants_table,
)


def test_every_row_has_one_cell_per_column_name(made: Report) -> None:
    for make in TABLES:
        table = make(made)
        keys = [c.key for c in table.columns]
        assert len(set(keys)) == len(keys), make.__name__
        assert table.rows, make.__name__
        assert all(list(row) == keys for row in table.rows), make.__name__


def test_badge_columns_hold_badges_of_the_kind_the_figures_say(made: Report) -> None:
    tasks = tasks_table(made)
    assert [row["verdict"].kind for row in tasks.rows] == ["more", "none", "less"]
    targets = targets_table(made)
    assert [row["status"] for row in targets.rows] == [
        Badge("met", "met"),
        Badge("met (estimate; push to a registry to measure)", "met"),
    ]
    bases = [row["base"] for row in variants_table(made).rows]
    assert bases == [Badge("stand-in for python:3.11-slim-bookworm", "standin")] * 3
    assert {row["base"].text for row in variants_table(sample_report()).rows} == {""}
    for make in TABLES:
        for column in make(made).columns:
            if column.show is Show.BADGE:
                assert all(isinstance(row[column.key], Badge) for row in make(made).rows)


def test_columns_are_named_and_say_how_they_show() -> None:
    made = sample_report()
    components = components_table(made)
    assert [c.header for c in components.columns] == [
        "Component",
        "baseline",
        "no-cache",
        "multi-stage",
    ]
    assert [c.numeric for c in components.columns] == [False, True, True, True]
    assert components.total_last
    assert components.rows[-1]["size:baseline"] == human_bytes(1451 * MB)
    savings = savings_table(made)
    assert [c.header for c in savings.columns] == [
        "Component",
        "baseline",
        "no-cache: saved (not checked)",  # the sample was never smoke-tested
        "no-cache: %",
        "multi-stage: saved (not checked)",
        "multi-stage: %",
    ]
    assert [c.show for c in savings.columns[1:]] == [Show.ZERO_MUTED] * 5
    assert savings.rows[-1]["saved:multi-stage"] == human_bytes(644 * MB)
    tasks = tasks_table(made)
    by_key = {c.key: c for c in tasks.columns}
    assert by_key["vs_baseline"].header == "Saving vs baseline"
    assert [k for k, c in by_key.items() if c.numeric] == ["estimate", "measured", "vs_baseline"]
    assert [k for k, c in by_key.items() if c.wrap] == ["task", "verdict"]

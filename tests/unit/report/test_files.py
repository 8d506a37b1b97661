from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from tests.unit.report.sample import MB, PNG_MAGIC, SHAPES
from workbench.analysis import COMPONENTS
from workbench.report.files import figures_csv, report_zip, write_report
from workbench.report.html import report_html
from workbench.report.model import Report


def test_write_report_writes_every_file(made: Report, tmp_path: Path) -> None:
    written = write_report(made, tmp_path / "out")
    names = sorted(str(p.relative_to(tmp_path / "out")) for p in written)
    assert names == sorted(
        ["report.html", "report.md", "figures.csv", "figures.json"]
        + [f"charts/{c.name}.png" for c in made.charts]
    )
    for path in written:
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == PNG_MAGIC
    assert (tmp_path / "out" / "report.html").read_text() == report_html(made)


def test_the_csv_is_long_form_and_its_totals_add_up(made: Report) -> None:
    rows = list(csv.DictReader(io.StringIO(figures_csv(made))))
    assert set(rows[0]) == {"variant", "component", "label", "bytes", "mb"}
    totals = {r["variant"]: int(r["bytes"]) for r in rows if r["component"] == "total"}
    assert totals == {name: sum(shape.values()) for name, shape in SHAPES.items()}
    for variant, total in totals.items():
        parts = [int(r["bytes"]) for r in rows if r["variant"] == variant]
        assert len(parts) == len(COMPONENTS) + 1  # the components, then the total
        assert sum(parts[:-1]) == parts[-1] == total


def test_the_json_round_trips_and_holds_the_full_figures(made: Report, tmp_path: Path) -> None:
    write_report(made, tmp_path)
    data = json.loads((tmp_path / "figures.json").read_text())
    assert data == made.to_dict()
    assert data == json.loads(json.dumps(data))
    assert data["headline"]["saved_bytes"] == 644 * MB
    variant = data["variants"][0]
    assert variant["analysis"]["size_bytes"] == 1451 * MB
    assert "layers" not in variant["analysis"]  # summary fields only
    assert variant["compressed_is_measured"] is True
    assert {t["verdict"] for t in data["plan"]["tasks"]} >= {"not built yet"}
    assert [t["met"] for t in data["plan"]["targets"]] == [True, True]
    saved = [r for r in data["savings"] if r["component"] == "total"]
    assert [r["saved_bytes"] for r in saved] == [600 * MB, 644 * MB]


def test_the_zip_holds_everything(made: Report) -> None:
    with zipfile.ZipFile(io.BytesIO(report_zip(made))) as archive:
        names = set(archive.namelist())
        assert "elevendops-report/report.html" in names
        assert "elevendops-report/figures.json" in names
        assert archive.read("elevendops-report/charts/components.png")[:8] == PNG_MAGIC
    assert len(names) == 4 + len(made.charts)

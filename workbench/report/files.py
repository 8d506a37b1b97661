"""The report's files: the figures as CSV and JSON, and every file written or zipped.

:func:`write_report` writes them into a folder:

* ``report.html``: self-contained (CSS inline, charts inlined as SVG, no script);
  it opens offline;
* ``report.md``: the same tables, the charts as PNG images beside it;
* ``figures.csv``: long form, one row per variant and component, plus totals;
* ``figures.json``: the full figures (:meth:`workbench.report.model.Report.to_dict`);
* ``charts/<name>.png``: each chart.

:func:`report_zip` gives all of them in one zip in memory, for a download button.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from workbench.compare import charts
from workbench.report.html import report_html
from workbench.report.markdown import report_markdown
from workbench.report.model import (
    CHARTS_DIR,
    CSV_FILE,
    HTML_FILE,
    JSON_FILE,
    MARKDOWN_FILE,
    Report,
)


def figures_csv(report: Report) -> str:
    """Long form: one row per variant and component, then one ``total`` row per variant."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["variant", "component", "label", "bytes", "mb"])
    for row in report.components:
        writer.writerow(
            [row["variant"], row["component"], row["label"], row["bytes"], f"{row['mb']:.1f}"]
        )
    for v in report.variants:
        writer.writerow([v.variant, "total", "Total", v.size_bytes, f"{v.size_bytes / 1e6:.1f}"])
    return buffer.getvalue()


def figures_json(report: Report) -> str:
    """The full figures as JSON (:meth:`workbench.report.model.Report.to_dict`)."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def report_files(report: Report) -> dict[str, bytes]:
    """Every file of the report by its relative path (the PNGs are rendered here)."""
    files = {
        HTML_FILE: report_html(report).encode(),
        MARKDOWN_FILE: report_markdown(report).encode(),
        CSV_FILE: figures_csv(report).encode(),
        JSON_FILE: figures_json(report).encode(),
    }
    for chart in report.charts:
        files[f"{CHARTS_DIR}/{chart.name}.png"] = charts.to_png(chart.chart)
    return files


def write_report(report: Report, out_dir: str | Path) -> list[Path]:
    """Write the report's files into a folder (made if missing).

    Args:
        report: the report to write.
        out_dir: the folder; files already there of the same names are replaced.

    Returns:
        The paths written: the HTML, Markdown, CSV, JSON, then one PNG per chart.
    """
    out = Path(out_dir)
    written = []
    for name, data in report_files(report).items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


def report_zip(report: Report) -> bytes:
    """Every file of the report in one zip, under a folder named after the project."""
    folder = f"{report.project_name}-report"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in report_files(report).items():
            archive.writestr(f"{folder}/{name}", data)
    return buffer.getvalue()

"""The stakeholder report: the Compare page's figures as files one can send around.

The stable API:

* :func:`build_report` gathers a project's figures from the store into a
  :class:`Report` (:func:`report_from_figures` from figures already read): plain data
  (:class:`VariantSummary`, :class:`Headline`) plus the Compare page's charts
  (:class:`ReportChart`);
* :func:`report_html`, :func:`report_markdown`, :func:`figures_csv` and
  :func:`figures_json` give each file's text;
* :func:`write_report` writes every file into a folder, :func:`report_files` and
  :func:`report_zip` give them in memory; :data:`HTML_FILE`, :data:`MARKDOWN_FILE`,
  :data:`CSV_FILE`, :data:`JSON_FILE` and :data:`CHARTS_DIR` name them.
"""

from __future__ import annotations

from workbench.report.files import (
    figures_csv,
    figures_json,
    report_files,
    report_zip,
    write_report,
)
from workbench.report.html import report_html
from workbench.report.markdown import report_markdown
from workbench.report.model import (
    CHARTS_DIR,
    CSV_FILE,
    HTML_FILE,
    JSON_FILE,
    MARKDOWN_FILE,
    Headline,
    Report,
    ReportChart,
    VariantSummary,
    build_report,
    report_from_figures,
)

__all__ = [
    "CHARTS_DIR",
    "CSV_FILE",
    "HTML_FILE",
    "JSON_FILE",
    "MARKDOWN_FILE",
    "Headline",
    "Report",
    "ReportChart",
    "VariantSummary",
    "build_report",
    "figures_csv",
    "figures_json",
    "report_files",
    "report_from_figures",
    "report_html",
    "report_markdown",
    "report_zip",
    "write_report",
]

"""The stakeholder report: the Compare page's figures as files one can send around."""

from __future__ import annotations

from workbench.report.core import (
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
    figures_csv,
    figures_json,
    report_files,
    report_from_figures,
    report_html,
    report_markdown,
    report_zip,
    write_report,
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

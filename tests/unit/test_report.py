from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.synthetic import analysis, build_record
from workbench.analysis import COMPONENTS, ImageAnalysis
from workbench.compare import figures as compare
from workbench.errors import WorkbenchError
from workbench.project import load_project
from workbench.project.plan import parse_plan
from workbench.report import core as report
from workbench.store import Store
from workbench.units import UNITS_NOTE, human_bytes

MB = 1_000_000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG_NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
WHEN = datetime(2026, 1, 20, 9, 30, tzinfo=UTC)
SHAPES = {
    "baseline": dict(
        python_dependencies=770 * MB,
        build_caches=600 * MB,
        other=45 * MB,
        python_runtime=34 * MB,
        application_code=2 * MB,
    ),
    "no-cache": dict(
        python_dependencies=770 * MB, other=45 * MB, python_runtime=34 * MB, application_code=2 * MB
    ),
    "multi-stage": dict(
        python_dependencies=770 * MB, other=1 * MB, python_runtime=34 * MB, application_code=2 * MB
    ),
}
PLAN = {
    "plan": {"title": "Image <plan> & co", "created": "2026-01-16"},
    "targets": {
        "uncompressed": {"min": "800 MB", "max": "900 MB"},
        "compressed": {"min": "250 MB", "max": "300 MB"},
    },
    "tasks": [
        {
            "priority": 1,
            "name": "Add --no-cache <to uv sync>",
            "variant": "no-cache",
            "saving": {"min": "20 MB", "max": "50 MB"},
        },
        {
            "priority": 2,
            "name": "Prune",
            "variant": "pruned-deps",
            "saving": {"min": "50 MB", "max": "150 MB"},
        },
        {
            "priority": 3,
            "name": "Multi-stage",
            "variant": "multi-stage",
            "saving": {"min": "50 MB", "max": "100 MB"},
        },
    ],
}


def _analysis(image_id: str, stand_in: str | None = None, **components: int) -> ImageAnalysis:
    return analysis(image_id, stand_in=stand_in, gzip_fraction=1 / 3, **components)


_build = build_record


def _figures(stand_in: str | None = None) -> list[compare.VariantFigures]:
    return [
        compare.VariantFigures(
            name,
            _build(name, f"sha256:{name}", duration=30.0 - index * 10),
            _analysis(f"sha256:{name}", stand_in, **shape),
            pushed_bytes=480 * MB if name == "baseline" else None,
        )
        for index, (name, shape) in enumerate(SHAPES.items())
    ]


def _report(
    name: str = "elevendops", stand_in: str | None = None, with_charts: bool = False
) -> report.Report:
    return report.report_from_figures(
        _figures(stand_in),
        project_name=name,
        project_path="/projects/elevendops",
        plan=parse_plan(PLAN),
        generated_at=WHEN,
        with_charts=with_charts,
    )


@pytest.fixture(scope="module")
def made() -> report.Report:
    return _report(stand_in="python:3.11-slim-bookworm", with_charts=True)


def test_the_headline_is_the_baseline_against_the_smallest_variant(made: report.Report) -> None:
    h = made.headline
    assert (h.baseline, h.best) == ("baseline", "multi-stage")
    assert h.saved_bytes == 644 * MB
    assert h.saved_pct == pytest.approx(644 / 1451 * 100)
    assert h.baseline_compressed_bytes == 480 * MB  # measured in a registry
    assert h.best_compressed_bytes == 807 * MB // 3  # the gzip estimate
    assert "baseline" in h.compressed_kind and "estimate" in h.compressed_kind


def test_the_html_is_self_contained(made: report.Report) -> None:
    html = report.report_html(made)
    assert "<script" not in html.lower()
    assert set(re.findall(r"https?://[^\s\"'<>)]+", html)) <= SVG_NAMESPACES
    assert "<link" not in html and "@import" not in html and "src=" not in html
    assert html.count("<svg") == len(made.charts)
    for chart in made.charts:
        assert chart.svg[chart.svg.index(">") + 1 :] in html  # inlined as is, after the tag
    assert [c.name for c in made.charts] == [
        "components",
        "savings",
        "waterfall",
        "plan_vs_measured",
        "compressed",
        "durations",
    ]


def test_the_html_shows_the_compare_pages_figures(made: report.Report) -> None:
    html = report.report_html(made)
    figures = _figures()
    assert f"{human_bytes(1451 * MB)}" in html  # the baseline's size
    assert "Saved" in html and human_bytes(644 * MB) in html and "44.4 %" in html
    for row in compare.components_frame(figures).itertuples():
        assert human_bytes(row.bytes) in html
    for row in compare.savings_frame(figures).itertuples():
        assert human_bytes(row.saved_bytes) in html
        assert f"{row.saved_pct:.1f} %" in html
    for row in compare.waterfall_frame(figures).itertuples():
        assert human_bytes(row.end) in html
    tasks, targets = compare.plan_vs_measured(parse_plan(PLAN), figures)
    for task in tasks:
        assert task.verdict in html
        if task.measured_bytes is not None:
            assert human_bytes(task.measured_bytes) in html
    assert "saves more than planned (12.0× the upper estimate)" in html
    assert [t.met for t in targets] == [True, True]
    assert "met (estimate; push to a registry to measure)" in html
    assert "measured in a registry" in html and "estimated (gzip)" in html
    assert "30.0 s" in html and "10.0 s" in html  # build durations
    assert UNITS_NOTE in html
    assert "2026-01-20 09:30" in html  # the date


def test_the_stand_in_badge_shows_only_for_stand_in_builds() -> None:
    with_stand_in = report.report_html(_report(stand_in="python:3.11-slim-bookworm"))
    assert "local stand-in base" in with_stand_in
    assert "stand-in for python:3.11-slim-bookworm" in with_stand_in
    assert "stand-in" not in report.report_html(_report())


def test_user_strings_are_escaped() -> None:
    made = _report(name='<script>alert("x")</script>')
    html = report.report_html(made)
    assert "<script" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "Image &lt;plan&gt; &amp; co" in html
    assert "Add --no-cache &lt;to uv sync&gt;" in html


def test_fewer_than_two_analysed_variants_is_an_error_saying_what_to_do() -> None:
    figures = _figures()
    for few in ([], figures[:1]):
        with pytest.raises(report.ReportError, match="build and analyse the baseline and at"):
            report.report_from_figures(few, project_name="p")
    with pytest.raises(report.ReportError, match="no analysed baseline"):
        report.report_from_figures(figures[1:], project_name="p")
    assert issubclass(report.ReportError, WorkbenchError)


def test_a_project_without_a_plan_says_so() -> None:
    made = report.report_from_figures(_figures(), project_name="p", generated_at=WHEN)
    assert made.charts  # the Compare page's charts, without the plan's
    html = report.report_html(made)
    assert "no plan file" in html
    assert "plan_vs_measured" not in [c.name for c in made.charts]
    assert made.to_dict()["plan"] is None


def test_write_report_writes_every_file(made: report.Report, tmp_path: Path) -> None:
    written = report.write_report(made, tmp_path / "out")
    names = sorted(str(p.relative_to(tmp_path / "out")) for p in written)
    assert names == sorted(
        ["report.html", "report.md", "figures.csv", "figures.json"]
        + [f"charts/{c.name}.png" for c in made.charts]
    )
    for path in written:
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == PNG_MAGIC
    assert (tmp_path / "out" / "report.html").read_text() == report.report_html(made)


def test_the_csv_is_long_form_and_its_totals_add_up(made: report.Report) -> None:
    rows = list(csv.DictReader(io.StringIO(report.figures_csv(made))))
    assert set(rows[0]) == {"variant", "component", "label", "bytes", "mb"}
    totals = {r["variant"]: int(r["bytes"]) for r in rows if r["component"] == "total"}
    assert totals == {name: sum(shape.values()) for name, shape in SHAPES.items()}
    for variant, total in totals.items():
        parts = [int(r["bytes"]) for r in rows if r["variant"] == variant]
        assert len(parts) == len(COMPONENTS) + 1  # the components, then the total
        assert sum(parts[:-1]) == parts[-1] == total


def test_the_json_round_trips_and_holds_the_full_figures(
    made: report.Report, tmp_path: Path
) -> None:
    report.write_report(made, tmp_path)
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


def test_the_markdown_has_the_tables_and_links_the_pngs(made: report.Report) -> None:
    markdown = report.report_markdown(made)
    for chart in made.charts:
        assert f"(charts/{chart.name}.png)" in markdown
    assert f"| Total | {human_bytes(1451 * MB)} |" in markdown
    assert "| P1: Add --no-cache <to uv sync> | no-cache |" in markdown


def test_the_zip_holds_everything(made: report.Report) -> None:
    with zipfile.ZipFile(io.BytesIO(report.report_zip(made))) as archive:
        names = set(archive.namelist())
        assert "elevendops-report/report.html" in names
        assert "elevendops-report/figures.json" in names
        assert archive.read("elevendops-report/charts/components.png")[:8] == PNG_MAGIC
    assert len(names) == 4 + len(made.charts)


# --- the CLI, on a store filled like the workbench fills it --------------------------


def _project(tmp_path: Path) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "Dockerfile").write_text("FROM python:3.11-slim-bookworm\n")
    return folder


def _fill(store: Store, project_dir: Path, variants: list[str]) -> None:
    project = load_project(project_dir)
    for name in variants:
        image_id = f"sha256:{name}"
        build_id = store.add_build(
            project_key=project.key,
            project_path=str(project.path),
            variant=name,
            tag=f"workbench/proj:{name}",
            builder="buildkit",
            request_key=name,
            dockerfile_sha256="x",
            duration_s=12.5,
        )
        store.update_build(build_id, status="succeeded", image_id=image_id)
        store.save_analysis(image_id, "k", _analysis(image_id, **SHAPES[name]).to_dict())


def _app() -> typer.Typer:
    from workbench.cli import report as cli_report

    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """A group, so `report` is a subcommand as in the workbench app."""

    cli_report.register(app)
    return app


def test_the_report_command_writes_the_report(tmp_path: Path) -> None:
    project_dir = _project(tmp_path)
    _fill(Store(), project_dir, ["baseline", "no-cache"])
    out = tmp_path / "report"
    result = CliRunner().invoke(_app(), ["report", str(project_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "saves 600.0 MB (41.4 %)" in result.output
    html = (out / "report.html").read_text()
    assert human_bytes(1451 * MB) in html and "no-cache" in html
    assert (out / "charts" / "components.png").read_bytes()[:8] == PNG_MAGIC
    data = json.loads((out / "figures.json").read_text())
    assert [v["variant"] for v in data["variants"]] == ["baseline", "no-cache"]

    as_json = CliRunner().invoke(_app(), ["report", str(project_dir), "--out", str(out), "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output)["headline"]["saved_bytes"] == 600 * MB


def test_the_report_command_says_what_to_do_with_one_analysed_image(tmp_path: Path) -> None:
    project_dir = _project(tmp_path)
    _fill(Store(), project_dir, ["baseline"])
    result = CliRunner().invoke(_app(), ["report", str(project_dir), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "build and analyse the baseline and at least one variant" in result.output
    assert not (tmp_path / "o").exists()

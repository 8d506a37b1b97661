"""The audit's deptry step: the import scan, described against the image."""

from __future__ import annotations

import workbench.audit.imports as audit_imports
from tests.unit.audit.audit_fixtures import SHOP
from workbench.audit.core import run_audit
from workbench.audit.imports import run_deptry
from workbench.audit.names import guess_modules
from workbench.audit.sources import CopiedSource
from workbench.project import load_project
from workbench.project.manifests import declared_dependencies


def test_deptry_runs_without_consulting_the_workbenchs_environment(shop) -> None:
    # urllib3 is installed in the workbench's own environment, so deptry alone would call
    # it a transitive dependency (DEP003); against an image without it, it is missing
    copies = [CopiedSource("shop", "/srv/shop", True)]
    declared = declared_dependencies({"project": {"dependencies": [
        "requests", "httpx", "gunicorn", "pyyaml", "google-cloud-storage", "pytest", "black", "six",
    ]}})  # fmt: skip
    module_map = {d.spelled: guess_modules(d.name) for d in declared}
    scan = run_deptry(shop, copies, module_map, {}, {})
    codes = {(code, name) for code, name, _ in scan.violations}
    assert ("DEP001", "urllib3") in codes
    assert ("DEP003", "urllib3") not in codes
    assert ("DEP002", "six") in codes and ("DEP002", "requests") not in codes
    assert scan.imports["yaml"] == ("shop/api.py:4",)


def test_copying_the_whole_project_scans_neither_tests_nor_the_virtualenv(tmp_path) -> None:
    import shutil

    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    (project / ".venv" / "lib").mkdir(parents=True)
    (project / ".venv" / "lib" / "x.py").write_text("import hypothesis\n")
    text = (project / "Dockerfile").read_text()
    (project / "Dockerfile").write_text(text.replace("COPY shop/ ./shop/", "COPY . ."))
    audit = run_audit(load_project(project), use_image=False, save=False)
    assert audit.sources[0] == "."
    assert audit.python_files == 4  # shop/*.py; not tests/ (imports pytest), not .venv/
    assert "pytest" in {c.name for c in audit.candidates}
    assert "hypothesis" not in {w.name for w in audit.warnings}


def test_the_default_excludes_are_deptrys() -> None:
    from deptry.cli import DEFAULT_EXCLUDE

    assert audit_imports.DEFAULT_EXCLUDE == DEFAULT_EXCLUDE


def test_the_scan_says_what_a_code_names_and_where_modules_are_imported() -> None:
    scan = audit_imports.Scan(
        violations=(("DEP002", "Six", "pyproject.toml"), ("DEP001", "x", "a.py:1")),
        imports={"yaml": ("a.py:1", "b.py:2"), "_yaml": ("a.py:1",)},
        python_files=2,
    )
    assert scan.named("DEP002") == {"six": "Six"}
    assert scan.places(["yaml", "_yaml", "nothing"]) == ("a.py:1", "b.py:2")


def test_deptry_reads_requirements_files_wherever_the_workbench_runs(tmp_path, monkeypatch) -> None:
    from tests.unit.audit.audit_fixtures import PIP
    from workbench.project.manifests import find_manifests, read_declared

    monkeypatch.chdir(tmp_path)  # deptry would resolve relative paths here
    manifests = find_manifests(PIP)
    declared = read_declared(manifests)
    module_map = {d.spelled: guess_modules(d.name) for d in declared}
    extract = audit_imports.dependencies_extract(load_project(PIP), module_map, manifests, declared)
    runtime = {d.name for d in extract.dependencies}
    assert runtime == {"attrs", "PyYAML", "Requests", "six", "click", "colorama", "tomli"}
    # tomli: deptry's getter can't name a URL without #egg=; the workbench's reading can
    assert "pytest" in {d.name for d in extract.dev_dependencies}
    assert "urllib3" not in runtime  # a constraint, not a dependency


def test_a_line_deptrys_reader_refuses_falls_back_to_the_workbenchs_reading(tmp_path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM x\nCOPY app.py .\nCMD python app.py\n")
    (tmp_path / "app.py").write_text("import idna\n")
    (tmp_path / "requirements.txt").write_text("--requirement=base.txt\nsix\n")
    (tmp_path / "base.txt").write_text("idna\n")
    audit = run_audit(load_project(tmp_path), use_image=False, save=False)
    assert [c.name for c in audit.candidates] == ["six"]
    assert not audit.warnings  # idna is declared (through the include)

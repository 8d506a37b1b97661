"""The audit's warnings: findings that are not removals."""

from __future__ import annotations

from workbench.audit.core import run_audit
from workbench.audit.imports import Scan
from workbench.audit.model import AuditWarning
from workbench.audit.names import Names, names_for
from workbench.audit.warnings import shared_namespaces, violation_warnings
from workbench.project import load_project
from workbench.project.manifests import declared_dependencies


def test_a_development_tool_the_app_imports_is_a_warning_not_a_candidate(tmp_path) -> None:
    project = tmp_path / "p"
    (project / "app").mkdir(parents=True)
    (project / "Dockerfile").write_text("FROM x\nCOPY app/ /app/app/\n")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "p"\nversion = "1"\ndependencies = ["pytest", "six"]\n'
    )
    (project / "app" / "__init__.py").write_text("")
    (project / "app" / "checks.py").write_text("import pytest\nimport six\n")
    audit = run_audit(load_project(project), use_image=False, save=False)
    assert audit.candidates == ()
    assert [(w.code, w.name) for w in audit.warnings] == [("DEV-IMPORTED", "pytest")]
    assert audit.exit_code == 0


def test_deptrys_violations_other_than_removals_become_warnings_by_code_and_name() -> None:
    scan = Scan(
        violations=(
            ("DEP003", "urllib3", "app/a.py:2"),
            ("DEP001", "missing", "app/a.py:1"),
            ("DEP002", "six", "pyproject.toml"),
            ("DEP001", "missing", "app/b.py:7"),
            ("DEP004", "mypy", "app/b.py:1"),
        ),
        imports={},
        python_files=2,
    )
    names = names_for(["requests"], None)
    names = Names({**names.modules, "requests": ("requests", "urllib3")}, {}, {}, {})
    assert violation_warnings(scan, names, from_image=True) == [
        AuditWarning(
            "DEP001", "missing", "missing is imported but no declared dependency provides it",
            ("app/a.py:1", "app/b.py:7"), "certain",
        ),
        AuditWarning(
            "DEP003", "urllib3",
            "urllib3 is imported but only installed as another package's dependency "
            "(requests); declare it",
            ("app/a.py:2",), "certain",
        ),
        AuditWarning(
            "DEP004", "mypy", "mypy is a development dependency but the app imports it",
            ("app/b.py:1",), "certain",
        ),
    ]  # fmt: skip


def test_declared_distributions_sharing_an_imported_module_are_a_namespace_guess() -> None:
    runtime = {
        d.name: d
        for d in declared_dependencies(
            {"project": {"dependencies": ["google-cloud-storage", "google-api-core", "six"]}}
        )
    }
    scan = Scan((), {"google": ("app/a.py:1",)}, 1)
    assert shared_namespaces(runtime, scan, names_for(runtime, None)) == [
        AuditWarning(
            "NAMESPACE",
            "google",
            "google-api-core, google-cloud-storage share the module google; the code imports "
            "it, so all count as used, but which of them it needs is a guess",
            ("app/a.py:1",),
            "guess",
        )
    ]

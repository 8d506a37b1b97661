"""The audit's chain: the declared dependencies, and whole audits of the fixture projects."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SAMPLE_PROJECT
from tests.unit.audit.audit_fixtures import (
    AUDIT,
    CLICK,
    FLASK,
    PIP,
    PIP_TOOLS,
    POETRY,
    REQUESTS,
    SHOP,
    facts_for,
    installed,
    pip_facts,
)
from workbench.audit.core import run_audit
from workbench.audit.graph import load_lock
from workbench.audit.notes import IMAGE_GRAPH_NOTE, NO_LOCK_NOTE, POETRY_DEV_NOTE
from workbench.errors import AuditError
from workbench.project import load_project


def test_the_audit_without_an_image_names_guessed_findings(shop) -> None:
    audit = run_audit(shop, use_image=False)
    assert audit.names_from == "guesses" and audit.image is None
    assert audit.sources == ("shop", "bin/run.sh")
    assert [(c.name, c.kind, c.certainty, c.selected) for c in audit.candidates] == [
        ("black", "dev-tool", "guess", True),
        ("pytest", "dev-tool", "guess", True),
        ("six", "unused", "guess", False),
    ]
    assert all(c.bytes is None for c in audit.candidates) and audit.total_bytes is None
    [overlap] = audit.overlaps
    assert overlap.group == "HTTP clients"
    assert [(m.name, m.files) for m in overlap.members] == [
        ("httpx", ("shop/client.py",)),
        ("requests", ("shop/api.py",)),
    ]
    assert [(u.name, u.command, u.where) for u in audit.script_uses] == [
        ("gunicorn", "gunicorn", "/srv/run.sh:4")
    ]
    codes = {(w.code, w.name, w.files) for w in audit.warnings}
    assert codes == {
        ("DEP001", "missing_mod", ("shop/client.py:4",)),
        ("DEP003", "urllib3", ("shop/client.py:5",)),
    }
    assert '"pytest>=8",' in audit.dev_group and '"black>=24",' in audit.dev_group
    assert any("[tool.uv] dev-dependencies" in note for note in audit.notes)
    assert audit.exit_code == 1


def test_the_audit_with_the_images_names_is_certain_and_sized(shop) -> None:
    lock = load_lock(SHOP / "uv.lock")
    facts = facts_for(lock)
    audit = run_audit(shop, facts=facts)
    assert audit.names_from == "image" and audit.image == "shop:test"
    by_name = {c.name: c for c in audit.candidates}
    assert set(by_name) == {"black", "pytest", "six"}
    assert all(c.certainty == "certain" and c.selected for c in audit.candidates)
    for name, candidate in by_name.items():
        assert candidate.packages == lock.removal([name]).packages
        assert candidate.bytes == 1000 * len(candidate.packages)
    assert by_name["pytest"].packages == ("iniconfig", "pluggy", "pygments", "pytest")
    together = lock.removal(["black", "pytest", "six"]).packages
    assert "packaging" in together  # shared by black and pytest: freed with both
    assert audit.total_bytes == 1000 * len(together)
    assert audit.total_bytes > sum(c.bytes for c in audit.candidates)
    assert (audit.plan_min_bytes, audit.plan_max_bytes) == (1_000_000, 5_000_000)
    assert audit.plan_verdict() == "below"
    members = {m.name: m for m in audit.overlaps[0].members}
    assert members["httpx"].frees_bytes == 4000  # anyio, h11, httpcore, httpx
    assert members["requests"].frees_bytes == 0
    assert members["requests"].needed_by == ("google-api-core", "google-cloud-storage")
    assert members["httpx"].own_bytes == 1000
    assert [u.certainty for u in audit.script_uses] == ["certain"]
    assert {w.certainty for w in audit.warnings} == {"certain"}
    assert audit.removal_bytes(["pytest"]) == (4000, by_name["pytest"].packages)


def test_the_sample_without_an_image_has_none_of_deptrys_false_findings() -> None:
    audit = run_audit(load_project(SAMPLE_PROJECT), use_image=False, save=False)
    names = {c.name for c in audit.candidates}
    assert {"poetry", "pytest", "hypothesis", "ruff"} <= names
    # the false findings the issue measured with deptry alone
    assert "google-cloud-firestore" not in names
    assert "uvicorn" not in names
    assert not [w for w in audit.warnings if w.code == "DEP001"]
    assert {"uvicorn", "streamlit"} <= {u.name for u in audit.script_uses}
    [overlap] = audit.overlaps
    assert {m.name: m.files for m in overlap.members} == {
        "httpx": ("backend/main.py",),
        "requests": ("streamlit_app/app.py",),
    }
    poetry = next(c for c in audit.candidates if c.name == "poetry")
    assert poetry.action.startswith("remove")
    assert "deprecated" in audit.notes[0]


def test_a_project_without_pyproject_is_an_audit_error(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM x\n")
    with pytest.raises(AuditError, match="no pyproject.toml"):
        run_audit(load_project(tmp_path), use_image=False)


# Every manifest format: requirements files, pip-tools, Poetry.


def test_a_pip_project_is_audited_from_its_requirements_files_without_an_image() -> None:
    audit = run_audit(load_project(PIP), use_image=False, save=False)
    assert audit.declared == ("attrs", "pyyaml", "requests", "six", "click", "tomli", "colorama")
    assert [(c.name, c.kind, c.requirement, c.packages) for c in audit.candidates] == [
        ("attrs", "unused", "attrs>=23.1", ("attrs",)),
        ("colorama", "unused", 'colorama ; sys_platform == "win32"', ("colorama",)),
        ("six", "unused", "six==1.16.0", ("six",)),
        ("tomli", "unused", "https://files.example.org/packages/tomli-2.0.1-py3-none-any.whl",
         ("tomli",)),
    ]  # fmt: skip
    assert audit.graph is None and NO_LOCK_NOTE in audit.notes
    assert not audit.warnings  # click, requests and yaml are declared, pytest is dev


def test_a_pip_project_against_its_image_is_certain_and_sized() -> None:
    facts = pip_facts(
        REQUESTS, CLICK, installed("attrs", ("attr", "attrs")), installed("six", ("six",)),
        installed("PyYAML", ("_yaml", "yaml")), installed("tomli", ("tomli",)),
        *(installed(n, (n.replace("-", "_"),)) for n in
          ("charset-normalizer", "idna", "urllib3", "certifi", "PySocks")),
    )  # fmt: skip
    audit = run_audit(load_project(PIP), facts=facts, save=False)
    assert [(c.name, c.certainty, c.selected, c.bytes, c.packages) for c in audit.candidates] == [
        ("attrs", "certain", True, 1000, ("attrs",)),
        ("six", "certain", True, 1000, ("six",)),
        ("tomli", "certain", True, 1000, ("tomli",)),
        ("colorama", "guess", False, 0, ()),  # Windows only: the image never had it
    ]
    assert audit.graph.source == "image" and IMAGE_GRAPH_NOTE in audit.notes
    assert audit.graph.roots[2] == ("requests", ("socks",))
    # requests[socks] is used: its extra keeps PySocks reachable, nothing of it leaves
    assert audit.removal_bytes(["attrs", "six"]) == (2000, ("attrs", "six"))
    assert "pip" in {name for name, _ in audit.graph.kept}


def test_a_pip_tools_project_frees_the_exclusive_dependencies_the_image_metadata_names() -> None:
    facts = pip_facts(
        FLASK, CLICK,
        installed("Werkzeug", ("werkzeug",), "MarkupSafe>=2.1.1",
                  'watchdog>=2.3 ; extra == "watchdog"'),
        installed("Jinja2", ("jinja2",), "MarkupSafe>=2.0", 'Babel>=2.7 ; extra == "i18n"'),
        installed("MarkupSafe", ("markupsafe",)), installed("itsdangerous", ("itsdangerous",)),
        installed("blinker", ("blinker",)),
        installed("python-dateutil", ("dateutil",), "six>=1.5"), installed("six", ("six",)),
    )  # fmt: skip
    audit = run_audit(load_project(PIP_TOOLS), facts=facts, save=False)
    [candidate] = audit.candidates
    assert (candidate.name, candidate.certainty, candidate.selected) == (
        "python-dateutil", "certain", True,
    )  # fmt: skip
    assert candidate.packages == ("python-dateutil", "six")  # six: only dateutil needed it
    assert candidate.bytes == 2000 == audit.total_bytes
    # every runtime dependency, used or not, with what dropping it alone frees
    assert audit.frees == {"flask": 7000, "python-dateutil": 2000}
    assert audit.graph.removal(["flask"]).packages == (
        "blinker", "click", "flask", "itsdangerous", "jinja2", "markupsafe", "werkzeug",
    )  # fmt: skip


def test_a_poetry_project_is_audited_from_its_poetry_tables() -> None:
    facts = pip_facts(
        installed("uvicorn", ("uvicorn",), "click>=7.0", "h11>=0.8",
                  'colorama>=0.4; sys_platform == "win32" and extra == "standard"',
                  'httptools>=0.5.0; extra == "standard"', 'pyyaml>=5.1; extra == "standard"'),
        CLICK, installed("h11", ("h11",)), installed("httptools", ("httptools",)),
        installed("PyYAML", ("_yaml", "yaml")), installed("attrs", ("attr", "attrs")),
        installed("zope.interface", ("zope",), "setuptools"),
        installed("setuptools", ("setuptools", "pkg_resources", "_distutils_hack")),
        installed("pytest", ("_pytest", "py", "pytest"), "iniconfig", "packaging", "pluggy<2,>=1.5",
                  'colorama; sys_platform == "win32"'),
        installed("iniconfig", ("iniconfig",)), installed("packaging", ("packaging",)),
        installed("pluggy", ("pluggy",)),
        command=("python", "-m", "inventory"),
    )  # fmt: skip
    audit = run_audit(load_project(POETRY), facts=facts, save=False)
    assert audit.declared == ("uvicorn", "attrs", "zope-interface", "pytest", "orjson")
    assert [(c.name, c.kind, c.action, c.bytes, c.packages) for c in audit.candidates] == [
        ("pytest", "dev-tool", "move to [tool.poetry.group.dev.dependencies]", 4000,
         ("iniconfig", "packaging", "pluggy", "pytest")),
        ("orjson", "unused", "remove", 0, ("orjson",)),  # optional: not installed
    ]  # fmt: skip
    assert audit.dev_group == (
        '[tool.poetry.group.dev.dependencies]\nruff = "^0.5"\npytest = "^8.0"\n'
    )
    assert audit.notes[0] == POETRY_DEV_NOTE
    assert not audit.warnings


def test_a_missing_include_is_an_audit_error_naming_the_line() -> None:
    with pytest.raises(AuditError, match=r"^requirements.txt line 2 includes requirements/prod"):
        run_audit(load_project(AUDIT / "missing-include"), use_image=False, save=False)


def test_requirements_files_that_declare_nothing_leave_nothing_to_audit(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM x\n")
    (tmp_path / "requirements.txt").write_text("# nothing yet\n")
    with pytest.raises(AuditError, match="requirements.txt in .* declare no runtime dependencies"):
        run_audit(load_project(tmp_path), use_image=False, save=False)

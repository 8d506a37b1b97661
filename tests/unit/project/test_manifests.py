"""The audit's chain: the declared dependencies, and whole audits of the fixture projects."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import AuditError, ManifestError
from workbench.project.manifests import (
    Declared,
    Manifests,
    RequirementLine,
    declared_dependencies,
    declared_parts,
    find_manifests,
    normalize,
    read_declared,
    requirement_lines,
    requirements_files,
    runtime_dependency_names,
)


def test_normalize_follows_pep_503() -> None:
    assert normalize("Foo_Bar.baz") == "foo-bar-baz"


def test_declared_dependencies_name_their_groups() -> None:
    pyproject = {
        "project": {
            "dependencies": ["Requests[socks]>=2", "six"],
            "optional-dependencies": {"fast": ["orjson"]},
        },
        "dependency-groups": {"dev": ["pytest", {"include-group": "x"}]},
        "tool": {"uv": {"dev-dependencies": ["mypy"]}},
    }
    assert declared_dependencies(pyproject) == [
        Declared("requests", "Requests", "Requests[socks]>=2", "runtime"),
        Declared("six", "six", "six", "runtime"),
        Declared("orjson", "orjson", "orjson", "optional:fast"),
        Declared("pytest", "pytest", "pytest", "dev:dev"),
        Declared("mypy", "mypy", "mypy", "uv-dev"),
    ]


def test_malformed_dependency_sections_are_skipped_not_fatal() -> None:
    pyproject = {
        "project": {"dependencies": ["httpx>=0.27"], "optional-dependencies": ["not", "a table"]},
        "dependency-groups": "dev",
        "tool": {"uv": {"dev-dependencies": {"not": "a list"}}},
    }
    assert [d.name for d in declared_dependencies(pyproject)] == ["httpx"]


def test_poetry_2_with_project_dependencies_only_enriches_them() -> None:
    pyproject = {
        "project": {"dependencies": ["requests>=2"]},
        "dependency-groups": {"dev": ["pytest"]},
        "tool": {"poetry": {"dependencies": {"requests": {"source": "internal"}}}},
    }
    assert declared_dependencies(pyproject) == [
        Declared("requests", "requests", "requests>=2", "runtime"),
        Declared("pytest", "pytest", "pytest", "dev:dev"),
    ]
    del pyproject["project"]
    assert [d.group for d in declared_dependencies(pyproject)] == ["dev:dev", "runtime"]


# Every format deptry reads, on the fixture projects of tests/fixtures/audit/.

AUDIT = Path(__file__).resolve().parents[2] / "fixtures" / "audit"


def test_a_pip_project_declares_in_its_requirements_files_includes_followed() -> None:
    manifests = find_manifests(AUDIT / "pip")
    assert manifests == Manifests(
        AUDIT / "pip",
        "requirements",
        None,
        ("requirements.txt", "requirements/base.txt"),
        ("requirements-dev.txt",),
    )
    assert read_declared(manifests) == [
        Declared("attrs", "attrs", "attrs>=23.1", "runtime"),  # -r requirements/base.txt
        Declared("pyyaml", "PyYAML", "PyYAML==6.0.1", "runtime"),
        Declared(
            "requests", "Requests", 'Requests[socks]>=2.31 ; python_version >= "3.8"', "runtime"
        ),
        Declared("six", "six", "six==1.16.0", "runtime"),  # its --hash continuation dropped
        Declared(
            "click", "click", "-e git+https://github.com/pallets/click.git@8.1.7#egg=click",
            "runtime",
        ),
        Declared(
            "tomli", "tomli", "https://files.example.org/packages/tomli-2.0.1-py3-none-any.whl",
            "runtime",
        ),
        Declared("colorama", "colorama", 'colorama ; sys_platform == "win32"', "runtime"),
        Declared("pytest", "pytest", "pytest>=8", "dev:requirements-dev.txt"),
    ]  # fmt: skip
    # the constraints file (-c) is read, but constrains rather than declares: no urllib3


def test_poetrys_tables_are_declared_python_excluded_groups_as_development() -> None:
    manifests = find_manifests(AUDIT / "poetry")
    assert manifests == Manifests(AUDIT / "poetry", "poetry", AUDIT / "poetry" / "pyproject.toml")
    assert read_declared(manifests) == [
        Declared(
            "uvicorn", "uvicorn", 'uvicorn = { version = "^0.30", extras = ["standard"] }',
            "runtime",
        ),
        Declared("attrs", "attrs", 'attrs = "^23.1"', "runtime"),
        Declared("zope-interface", "zope.interface", '"zope.interface" = "^6.4"', "runtime"),
        Declared("pytest", "pytest", 'pytest = "^8.0"', "runtime"),
        Declared(
            "orjson", "orjson", 'orjson = { version = "^3.10", optional = true }', "optional:fast"
        ),
        Declared("ruff", "ruff", 'ruff = "^0.5"', "dev:dev"),
        Declared("mkdocs", "mkdocs", 'mkdocs = "^1.6"', "dev:docs"),
    ]  # fmt: skip


def test_pdm_and_uv_development_tables_are_development_groups() -> None:
    pdm = find_manifests(AUDIT / "pdm")
    assert pdm is not None and pdm.format == "pdm"
    assert read_declared(pdm) == [
        Declared("httpx", "httpx", "httpx>=0.27", "runtime"),
        Declared("black", "black", "black>=24", "runtime"),
        Declared("orjson", "orjson", "orjson>=3.10", "optional:speed"),
        Declared("pytest", "pytest", "pytest>=8", "dev:test"),
        Declared("pytest-cov", "pytest-cov", "pytest-cov>=5", "dev:test"),
        Declared("ruff", "ruff", "ruff>=0.5", "dev:lint"),
    ]
    uv = find_manifests(AUDIT / "uv-groups")
    assert uv is not None and uv.format == "uv"
    assert read_declared(uv) == [
        Declared("rich", "rich", "rich>=13", "runtime"),
        Declared("pytest", "pytest", "pytest>=8", "dev:dev"),
        Declared("ruff", "ruff", "ruff>=0.5", "dev:lint"),
        Declared("mypy", "mypy", "mypy>=1.10", "uv-dev"),
    ]


def test_an_in_file_declares_and_the_txt_compiled_from_it_is_set_apart() -> None:
    manifests = find_manifests(AUDIT / "pip-tools")
    assert manifests == Manifests(
        AUDIT / "pip-tools", "requirements", None, ("requirements.in",), (), ("requirements.txt",)
    )
    assert read_declared(manifests) == [
        Declared("flask", "flask", "flask>=3", "runtime"),
        Declared("python-dateutil", "python-dateutil", "python-dateutil", "runtime"),
    ]


def test_setuptools_dynamic_dependencies_are_read_from_their_files() -> None:
    folder = AUDIT / "setuptools-dynamic"
    manifests = find_manifests(folder)
    assert manifests == Manifests(
        folder, "setuptools", folder / "pyproject.toml", ("requirements.txt",)
    )
    assert manifests.files == ("pyproject.toml", "requirements.txt")
    assert read_declared(manifests) == [
        Declared("idna", "idna", "idna>=3.7", "runtime"),
        Declared("six", "six", "six>=1.16", "runtime"),
    ]


def test_pyproject_wins_only_when_it_declares_dependencies(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("six\n")
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 99\n")
    assert find_manifests(tmp_path).format == "requirements"
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["idna"]\n')
    assert find_manifests(tmp_path).format == "pep621"
    (tmp_path / "requirements.txt").unlink()
    (tmp_path / "pyproject.toml").unlink()
    assert find_manifests(tmp_path) is None


def test_development_files_are_told_by_their_names(tmp_path: Path) -> None:
    names = [
        "requirements.txt", "requirements-prod.txt", "requirements_dev.txt",
        "dev-requirements.txt", "test-requirements.in", "constraints.txt", "notes.txt",
    ]  # fmt: skip
    for name in names:
        (tmp_path / name).write_text("six\n")
    (tmp_path / "requirements").mkdir()
    for name in ("base.txt", "production.in", "testing.txt", "README.md"):
        (tmp_path / "requirements" / name).write_text("six\n")
    assert requirements_files(tmp_path) == (
        ["requirements.txt", "requirements-prod.txt", "requirements/base.txt",
         "requirements/production.in"],
        ["dev-requirements.txt", "requirements/testing.txt", "requirements_dev.txt",
         "test-requirements.in"],
        [],
    )  # fmt: skip


def test_a_missing_include_names_the_file_and_the_line_that_includes_it() -> None:
    manifests = find_manifests(AUDIT / "missing-include")
    with pytest.raises(AuditError) as caught:
        read_declared(manifests)
    assert str(caught.value) == (
        "requirements.txt line 2 includes requirements/prod.txt, which does not exist; "
        "fix the path or add the file"
    )
    assert isinstance(caught.value, ManifestError)


def test_includes_are_relative_to_the_including_file_and_read_once(tmp_path: Path) -> None:
    (tmp_path / "reqs").mkdir()
    (tmp_path / "requirements.txt").write_text("--requirement=reqs/a.txt\n-rreqs/b.txt\n")
    (tmp_path / "reqs" / "a.txt").write_text("-r b.txt\nidna\n")
    (tmp_path / "reqs" / "b.txt").write_text("-r ../requirements.txt\nsix\n")
    lines = requirement_lines(tmp_path / "requirements.txt")
    assert [(line.file.name, line.first, line.text) for line in lines] == [
        ("b.txt", 2, "six"),
        ("a.txt", 2, "idna"),
    ]
    (tmp_path / "reqs" / "b.txt").write_text("-c ../missing.txt\n")
    with pytest.raises(ManifestError, match=r"^reqs/b.txt line 1 includes \.\./missing\.txt"):
        requirement_lines(tmp_path / "requirements.txt", root=tmp_path)


def test_lines_are_read_as_pip_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text(
        "# a comment\n"
        "--extra-index-url https://example.org/simple\n"
        "--pre\n"
        "foo==1.0 --hash=sha256:aa \\\n"
        "    --hash=sha256:bb  # pinned\n"
        "bar\\\n"
        "[fast]>=2\n"
        "baz @ https://example.org/baz-1.0.tar.gz\n"
        "./vendor/qux-2.0-py3-none-any.whl\n"
        "git+https://example.org/repo.git@v1#egg=Repo_Name&subdirectory=x\n"
        "https://example.org/archive/nameless\n"
        "-e .\n"
        "\n"
        "spam ; python_version < '3.0'\n"
    )
    assert requirement_lines(path) == [
        RequirementLine(path, 4, 5, "foo==1.0", "foo"),
        RequirementLine(path, 6, 7, "bar[fast]>=2", "bar"),
        RequirementLine(path, 8, 8, "baz @ https://example.org/baz-1.0.tar.gz", "baz"),
        RequirementLine(path, 9, 9, "./vendor/qux-2.0-py3-none-any.whl", "qux"),
        RequirementLine(
            path, 10, 10, "git+https://example.org/repo.git@v1#egg=Repo_Name&subdirectory=x",
            "Repo_Name",
        ),
        RequirementLine(path, 11, 11, "https://example.org/archive/nameless", ""),
        RequirementLine(path, 12, 12, "-e .", ""),
        RequirementLine(path, 14, 14, "spam ; python_version < '3.0'", "spam"),
    ]  # fmt: skip
    path.write_text("six\nnot a requirement!\n")
    with pytest.raises(ManifestError, match=r"^requirements.txt line 2: 'not a requirement!'"):
        requirement_lines(path)


def test_the_parts_of_a_declared_dependency_are_its_extras_and_marker() -> None:
    pep508 = Declared("uvicorn", "uvicorn", 'uvicorn[Standard]>=0.30; os_name == "nt"', "runtime")
    assert declared_parts(pep508) == (("standard",), 'os_name == "nt"')
    poetry = Declared(
        "x", "x", 'x = { version = "^1", extras = ["a"], markers = "sys_platform == \'linux\'" }',
        "runtime",
    )  # fmt: skip
    assert declared_parts(poetry) == (("a",), "sys_platform == 'linux'")
    assert declared_parts(Declared("six", "six", "six==1.16.0", "runtime")) == ((), None)
    assert declared_parts(Declared("click", "click", "-e git+https://x#egg=click", "runtime")) == (
        (),
        None,
    )


def test_runtime_names_of_a_folder_include_its_requirements_files() -> None:
    assert runtime_dependency_names(AUDIT / "pip-tools") == ["flask", "python-dateutil"]
    assert runtime_dependency_names(AUDIT / "poetry" / "pyproject.toml") == [
        "uvicorn", "attrs", "zope.interface", "pytest",
    ]  # fmt: skip
    assert runtime_dependency_names(AUDIT / "missing-include") == []
    assert runtime_dependency_names(None) == []

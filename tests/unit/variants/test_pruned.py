"""The pruned-deps variant: pyproject.toml minus chosen dependencies, the lock regenerated."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from workbench.errors import CannotTransform
from workbench.variants import pruned
from workbench.variants.table import derive_variant


def test_pruned_variant_overlays_new_manifests(project: Path, fake_lock: list) -> None:
    variant = derive_variant(project, "pruned-deps", drop=["idna", "not-a-dep"])
    assert variant.dockerfile == (project / "Dockerfile").read_text()
    assert set(variant.extra_files) == {"pyproject.toml", "uv.lock"}
    pyproject = variant.extra_files["pyproject.toml"].decode()
    assert '"six>=1.16",  # used by app.py\n' in pyproject, "formatting and comments survive"
    assert "idna" not in pyproject.split("# not used")[1]
    assert b'[[package]]\nname = "idna"' not in variant.extra_files["uv.lock"]
    assert variant.summary == (
        "drops idna from pyproject.toml; uv.lock regenerated (1 packages fewer);"
        " not dependencies: not-a-dep"
    )
    assert '-    "idna>=3.7",\n' in variant.diff


@pytest.mark.parametrize(
    ("drop", "error"),
    [
        ([], "no dependencies chosen to drop"),
        (["requests"], "none of requests is in the [project] dependencies"),
    ],
)
def test_pruned_variant_says_when_there_is_nothing_to_drop(
    project: Path, fake_lock: list, drop: list[str], error: str
) -> None:
    variant = derive_variant(project, "pruned-deps", drop=drop)
    assert variant.error == error
    assert variant.dockerfile is None
    assert not variant.ok
    assert fake_lock == []


def test_pruned_variant_reports_uv_lock_failures(project: Path, monkeypatch) -> None:
    def fail(project: Path, pyproject: str, timeout: float) -> bytes:
        raise CannotTransform("uv lock failed after dropping the dependencies: no network")

    monkeypatch.setattr(pruned, "_relock", fail)
    pruned._prune_memo.cache_clear()
    variant = derive_variant(project, "pruned-deps", drop=["idna"])
    assert variant.error == "uv lock failed after dropping the dependencies: no network"


# Requirements files and Poetry: the fixture projects of tests/fixtures/audit/.

AUDIT = Path(__file__).resolve().parents[2] / "fixtures" / "audit"


def _copy(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(AUDIT / name, folder)
    pruned._prune_memo.cache_clear()
    return folder


def test_requirements_lose_the_lines_of_the_dropped_names_in_the_files_that_list_them(
    tmp_path: Path, home: Path
) -> None:
    project = _copy(tmp_path, "pip")
    before = {p: (project / p).read_bytes() for p in ("requirements.txt", "requirements/base.txt")}
    variant = derive_variant(project, "pruned-deps", drop=["six", "ATTRS", "not-a-dep"])
    assert variant.ok and variant.dockerfile == (project / "Dockerfile").read_text()
    assert variant.extra_files == {
        "requirements.txt": (
            b"# Runtime dependencies of the service.\n"
            b"--index-url https://pypi.org/simple\n"
            b"-r requirements/base.txt\n"
            b"-c constraints.txt\n"
            b"\n"
            b'Requests[socks]>=2.31 ; python_version >= "3.8"  # the HTTP client\n'
            b"-e git+https://github.com/pallets/click.git@8.1.7#egg=click\n"
            b"https://files.example.org/packages/tomli-2.0.1-py3-none-any.whl\n"
            b'colorama ; sys_platform == "win32"\n'
        ),
        "requirements/base.txt": b"# Shared by every environment.\nPyYAML==6.0.1  # config files\n",
    }
    assert variant.summary == (
        "drops attrs, six from requirements.txt, requirements/base.txt; not dependencies: not-a-dep"
    )
    assert "-six==1.16.0 \\\n-    --hash=sha256:" in variant.diff
    assert "-attrs>=23.1\n" in variant.diff
    assert {p: (project / p).read_bytes() for p in before} == before, "the folder is untouched"


def test_a_compiled_requirements_file_loses_the_pin_and_its_annotation_not_other_pins(
    tmp_path: Path, home: Path
) -> None:
    project = _copy(tmp_path, "pip-tools")
    variant = derive_variant(project, "pruned-deps", drop=["python-dateutil"])
    assert set(variant.extra_files) == {"requirements.in", "requirements.txt"}
    assert variant.extra_files["requirements.in"] == (
        b"# What the service needs; `pip-compile` pins it into requirements.txt.\nflask>=3\n"
    )
    compiled = (project / "requirements.txt").read_text()
    expected = compiled.replace("python-dateutil==2.9.0.post0\n    # via -r requirements.in\n", "")
    assert variant.extra_files["requirements.txt"].decode() == expected
    assert "six==1.16.0\n    # via python-dateutil\n" in expected  # pins stay pins
    assert variant.summary == (
        "drops python-dateutil from requirements.in, requirements.txt; pins of their "
        "dependencies stay in requirements.txt (no relock: compile it again to drop them)"
    )


def test_requirements_that_cannot_be_read_or_do_not_list_the_names_say_so(
    tmp_path: Path, home: Path
) -> None:
    broken = _copy(tmp_path, "missing-include")
    variant = derive_variant(broken, "pruned-deps", drop=["six"])
    assert variant.error == (
        "requirements.txt line 2 includes requirements/prod.txt, which does not exist; "
        "fix the path or add the file"
    )
    project = _copy(tmp_path, "setuptools-dynamic")
    assert derive_variant(project, "pruned-deps", drop=["flask"]).error == (
        "none of flask is in requirements.txt"
    )
    variant = derive_variant(project, "pruned-deps", drop=["six"])
    assert variant.extra_files == {"requirements.txt": b"idna>=3.7\n"}  # pyproject.toml as is


def test_without_poetry_a_poetry_lock_cannot_be_regenerated_and_the_variant_says_so(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _copy(tmp_path, "poetry")
    monkeypatch.setattr(pruned.shutil, "which", lambda name: None)
    variant = derive_variant(project, "pruned-deps", drop=["pytest"])
    assert variant.error == (
        "poetry.lock must be regenerated after the drop and poetry is not installed here; "
        "install poetry, or drop them with `poetry remove` yourself"
    )
    (project / "poetry.lock").unlink()  # no lock: the edit alone is the variant
    pruned._prune_memo.cache_clear()
    variant = derive_variant(project, "pruned-deps", drop=["pytest", "orjson"])
    assert variant.summary == "drops orjson, pytest from pyproject.toml [tool.poetry.dependencies]"
    original = (project / "pyproject.toml").read_text()
    expected = (
        original.replace('pytest = "^8.0"  # a development tool, declared for runtime\n', "")
        .replace('orjson = { version = "^3.10", optional = true }\n', "")
        .replace('fast = ["orjson"]', "fast = []")
    )
    assert variant.extra_files == {"pyproject.toml": expected.encode()}


POETRY_STAND_IN = """#!{python}
# Stands in for poetry: `--version`, and `lock` writing a lock of the pyproject's names.
import sys, tomllib
from pathlib import Path
if sys.argv[1:] == ["--version"]:
    print("Poetry (version 1.8.3)")
    sys.exit(0)
Path("{seen}").write_text(" ".join(sys.argv[1:]) + "\\n" + str(Path.cwd()))
names = tomllib.loads(Path("pyproject.toml").read_text())["tool"]["poetry"]["dependencies"]
Path("poetry.lock").write_text(
    "".join(f'[[package]]\\nname = "{{n}}"\\n\\n' for n in names if n != "python")
)
"""


def test_with_poetry_the_lock_is_regenerated_in_a_scratch_copy(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    project = _copy(tmp_path, "poetry")
    tools = tmp_path / "bin"
    tools.mkdir()
    seen = tmp_path / "poetry-was-run"
    (tools / "poetry").write_text(POETRY_STAND_IN.format(python=sys.executable, seen=seen))
    (tools / "poetry").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:{os.environ['PATH']}")
    lock = (project / "poetry.lock").read_bytes()
    variant = derive_variant(project, "pruned-deps", drop=["pytest"])
    assert variant.ok, variant.error
    args, cwd = seen.read_text().splitlines()
    assert args == "lock --no-update"  # Poetry 1 would update every version otherwise
    assert Path(cwd) != project and (project / "poetry.lock").read_bytes() == lock
    assert set(variant.extra_files) == {"pyproject.toml", "poetry.lock"}
    assert b'name = "pytest"' not in variant.extra_files["poetry.lock"]
    assert variant.summary == (
        "drops pytest from pyproject.toml [tool.poetry.dependencies]; "
        "poetry.lock regenerated (2 packages fewer)"
    )  # pytest and iniconfig, as the stand-in writes the lock

"""`workbench diff` and `workbench check --against` on real images of the tiny project:
baseline, no-cache (the uv cache gone) and pruned-deps (idna dropped)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import TINY_PROJECT

pytestmark = pytest.mark.docker

BASELINE = f"{TINY_PROJECT}:baseline"
NO_CACHE = f"{TINY_PROJECT}:no-cache"
PRUNED = f"{TINY_PROJECT}:pruned-deps"


def workbench(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workbench.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "WORKBENCH_HOME": str(home)},
        timeout=900,
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, stand_ins) -> Path:
    """A workbench home whose store holds the three builds of the tiny project."""
    home = tmp_path_factory.mktemp("diff-home")
    built = workbench(
        home, "build", str(TINY_PROJECT), "-v", "baseline", "-v", "no-cache",
        "-v", "pruned-deps", "--drop", "idna",
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    return home


def test_the_diff_reconciles_to_the_byte_and_names_the_dropped_package(home: Path) -> None:
    result = workbench(home, "diff", BASELINE, PRUNED, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["size_delta_bytes"] == data["b"]["size_bytes"] - data["a"]["size_bytes"] < 0
    assert sum(data["components"].values()) == data["size_delta_bytes"]
    for component, row in data["reconciliation"].items():
        parts = row["python_packages_bytes"] + row["debian_packages_bytes"]
        assert parts + row["non_package_bytes"] == data["components"][component]
        assert data["files"]["components"][component]["delta_bytes"] == row["delta_bytes"]
    assert sum(layer["delta_bytes"] for layer in data["layers"]) == data["size_delta_bytes"]
    removed = {p["name"]: p for p in data["python_packages"] if p["change"] == "removed"}
    assert "idna" in removed and removed["idna"]["delta_bytes"] < 0
    assert removed["idna"]["component"] == "python_dependencies"
    assert any("/idna/" in f["path"] for f in data["files"]["removed"])
    assert data["unreconciled"] == []
    shared = [layer for layer in data["layers"] if layer["status"] == "shared"]
    assert shared and all(layer["delta_bytes"] == 0 for layer in shared)


def test_the_second_diff_reads_the_kept_file_tables_quickly(home: Path) -> None:
    from workbench.compare.sides import diff_refs
    from workbench.store import Store

    store = Store(home / "workbench.db")
    diff_refs(BASELINE, NO_CACHE, store=store)  # reads the file tables the first time
    started = time.perf_counter()
    figures = diff_refs(BASELINE, NO_CACHE, files=False, store=store)
    quick = time.perf_counter() - started
    started = time.perf_counter()
    whole = diff_refs(BASELINE, NO_CACHE, store=store)
    with_files = time.perf_counter() - started
    assert whole.files is not None and whole.files.delta == whole.size_delta_bytes
    assert figures.size_delta_bytes == whole.size_delta_bytes < 0  # no-cache drops uv's cache
    assert whole.component("build_caches").delta < 0
    assert quick < 2 and with_files < 4, (quick, with_files)  # generous: a shared CI machine


def test_check_against_exit_codes(home: Path) -> None:
    itself = workbench(home, "check", BASELINE, "--against", BASELINE, "--max-growth", "0%")
    assert itself.returncode == 0, itself.stderr
    over = workbench(home, "check", BASELINE, "--against", NO_CACHE, "--max-growth", "1kB")
    assert over.returncode == 1, over.stderr
    assert over.stdout.startswith("over growth limits:")
    missing = workbench(home, "check", BASELINE, "--against", "workbench/none:missing",
                        "--max-growth", "5%")  # fmt: skip
    assert missing.returncode == 2
    lines = [line for line in missing.stderr.splitlines() if line.strip()]
    assert lines == [
        "error: the engine has no image 'workbench/none:missing'; name a tag, an image id "
        "or PROJECT_DIR:VARIANT (`docker images` lists the tags)"
    ]


def test_the_pull_request_comment_renders(home: Path) -> None:
    from tests.unit.compare.markdown_tables import tables

    result = workbench(home, "check", BASELINE, "--against", NO_CACHE, "--max-growth", "50%",
                       "--max-size", "1GB", "--format", "markdown")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "✅ **Within limits.**" in result.stdout
    headers = [table[0][0] for table in tables(result.stdout)]
    assert headers[0] == "Component" and headers[-2:] == ["Limit on", "Limit on"]

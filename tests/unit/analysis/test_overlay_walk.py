"""Layer folders walked on two cores give the entries one process walking alone gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.unit.analysis.test_overlay import make_layer
from workbench.analysis import overlay_walk
from workbench.analysis.overlay_walk import read_layer_dir, read_layer_dirs
from workbench.analysis.packages import capture_limit
from workbench.analysis.reader import EntryKind


def make_site_packages(root: Path, packages: int = 40) -> None:
    """A layer shaped like a virtualenv: one folder with many packages (a fan-out), each
    with modules, a cache, metadata the packages step keeps, and a hardlink across two."""
    site = root / "app" / ".venv" / "lib" / "python3.11" / "site-packages"
    for n in range(packages):
        package = site / f"pkg{n:02d}"
        (package / "__pycache__").mkdir(parents=True)
        for m in range(5):
            (package / f"m{m}.py").write_bytes(b"x" * (n + m))
            (package / "__pycache__" / f"m{m}.pyc").write_bytes(b"c" * m)
        info = site / f"pkg{n:02d}-1.0.dist-info"
        info.mkdir()
        (info / "RECORD").write_bytes(f"pkg{n:02d}/m0.py,,\n".encode())
        (info / "METADATA").write_bytes(f"Name: pkg{n:02d}\nVersion: 1.0\n".encode())
    os.link(site / "pkg00" / "m1.py", site / "pkg39" / "z-same-inode.py")
    (root / "app" / "main.py").write_text("print('hi')\n")


@pytest.fixture
def layers(tmp_path: Path) -> list[Path]:
    folders = [tmp_path / name for name in ("base", "empty", "venv", "small")]
    for folder in folders:
        folder.mkdir()
    make_layer(folders[0])
    make_site_packages(folders[2])
    (folders[3] / "etc").mkdir()
    (folders[3] / "etc" / "hostname").write_text("x\n")
    return folders


def _serial(folders: list[Path]):
    return tuple(read_layer_dir(d, key=str(d), capture=capture_limit) for d in folders)


def test_two_cores_read_the_same_entries_and_contents_as_one(layers) -> None:
    split = read_layer_dirs(layers, capture=capture_limit, fork=True)
    assert split == _serial(layers)
    venv = split[2]
    links = [e for e in venv.entries if e.kind is EntryKind.HARDLINK]
    assert [(e.path, e.link) for e in links] == [
        (
            "app/.venv/lib/python3.11/site-packages/pkg39/z-same-inode.py",
            "app/.venv/lib/python3.11/site-packages/pkg00/m1.py",
        )
    ]
    assert len([p for p in venv.captured if p.endswith("/METADATA")]) == 40


def test_a_fan_out_folder_is_split_into_its_sub_folders(layers) -> None:
    top = overlay_walk._split(layers[2], {}, capture_limit)
    leaves = [leaf.rel for leaf in overlay_walk._leaves(top)]
    site = "app/.venv/lib/python3.11/site-packages/"
    assert f"{site}pkg00" in leaves and f"{site}pkg39-1.0.dist-info" in leaves
    assert all(leaf.startswith(site) for leaf in leaves)


def test_when_the_child_fails_this_process_walks_its_units(layers, monkeypatch) -> None:
    def fail(*args) -> None:
        os._exit(3)

    monkeypatch.setattr(overlay_walk, "_child", fail)
    assert read_layer_dirs(layers, capture=capture_limit, fork=True) == _serial(layers)


def test_without_a_fork_each_layer_is_read_here(layers) -> None:
    assert read_layer_dirs(layers, capture=capture_limit, fork=False) == _serial(layers)

"""The overlay2 fast path reads a layer folder into the entries its tar would give.

Whiteouts (0/0 character devices) and the opaque attribute need root, as the
workbench's test command runs.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

from tests.unit.analysis.analysis_archives import (
    Dir,
    File,
    Hardlink,
    Opaque,
    Symlink,
    Whiteout,
    layer_tar,
)
from workbench.analysis.overlay import layer_dirs, read_layer_dir
from workbench.analysis.packages import capture_limit
from workbench.analysis.reader import read_layer


def make_layer(root: Path) -> None:
    (root / "app" / "sub").mkdir(parents=True)
    (root / "app" / "b.txt").write_bytes(b"b" * 10)
    (root / "app" / "sub" / "x").write_bytes(b"x" * 300)
    os.link(root / "app" / "sub" / "x", root / "app" / "z-link")
    (root / "app" / "a-link").symlink_to("/usr/bin/python3")
    os.mknod(root / "app" / "gone", stat.S_IFCHR | 0o600, os.makedev(0, 0))
    (root / "opq").mkdir()
    os.setxattr(root / "opq", "trusted.overlay.opaque", b"y")
    (root / "opq" / "new").write_bytes(b"n")
    site = root / "venv" / "lib" / "site-packages" / "p-1.dist-info"
    site.mkdir(parents=True)
    (site / "RECORD").write_bytes(b"p/__init__.py,,\n")


def test_a_layer_folder_reads_like_its_tar(tmp_path):
    make_layer(tmp_path)
    from_folder = read_layer_dir(tmp_path, key="l", capture=capture_limit)
    # the same layer as the engine's tar writer walks it: names in byte order,
    # each folder's content right after it, the opaque marker first
    tar = layer_tar(
        [
            Dir("app"),
            Symlink("app/a-link", "/usr/bin/python3"),
            File("app/b.txt", b"b" * 10),
            Whiteout("app/gone"),
            Dir("app/sub"),
            File("app/sub/x", b"x" * 300),
            Hardlink("app/z-link", "app/sub/x"),
            Dir("opq"),
            Opaque("opq"),
            File("opq/new", b"n"),
            Dir("venv"),
            Dir("venv/lib"),
            Dir("venv/lib/site-packages"),
            Dir("venv/lib/site-packages/p-1.dist-info"),
            File("venv/lib/site-packages/p-1.dist-info/RECORD", b"p/__init__.py,,\n"),
        ]
    )
    from_tar = read_layer(io.BytesIO(tar), capture=capture_limit)
    assert from_folder.entries == from_tar.entries
    assert from_folder.captured == from_tar.captured


def test_layer_dirs_need_overlay2_and_every_layer(tmp_path):
    lower, upper = tmp_path / "l", tmp_path / "u"
    lower.mkdir()
    upper.mkdir()
    inspect = {
        "GraphDriver": {
            "Name": "overlay2",
            "Data": {"LowerDir": str(lower), "UpperDir": str(upper)},
        },
        "RootFS": {"Layers": ["sha256:a", "sha256:b"]},
    }
    assert layer_dirs(inspect) == [lower, upper]
    assert layer_dirs({**inspect, "RootFS": {"Layers": ["sha256:a"]}}) is None
    assert layer_dirs({**inspect, "GraphDriver": {"Name": "btrfs", "Data": {}}}) is None
    gone = {"GraphDriver": {"Name": "overlay2", "Data": {"UpperDir": str(tmp_path / "no")}}}
    assert layer_dirs({**gone, "RootFS": {"Layers": ["sha256:a"]}}) is None

from __future__ import annotations

import io
import json
from dataclasses import replace

import pytest

from tests.unit.analysis.analysis_archives import (
    Dir,
    File,
    Hardlink,
    Symlink,
    Whiteout,
    docker_archive,
    image_config,
    layer_tar,
    oci_archive,
)
from workbench.analysis import (
    COMPONENTS,
    PLAN_ROWS,
    ComponentDetail,
    ImageAnalysis,
    LayerAnalysis,
    PathSize,
    analyze_archive,
    analyze_stream,
)
from workbench.analysis.reader import read_archive
from workbench.errors import AnalysisError

SITE = "app/.venv/lib/python3.11/site-packages"
MEMBERS = [
    [
        Symlink("bin", "usr/bin"),
        Dir("usr/lib"),
        File("usr/lib/libc.so.6", b"c" * 2000),
        File("usr/local/lib/python3.11/os.py", b"o" * 500),
        File("etc/os-release", b"e" * 40),
    ],
    [
        Dir("app"),
        File("app/pyproject.toml", b"p" * 30),
        File("app/uv.lock", b"l" * 70),
        File("root/.cache/uv/wheels/big.whl", b"w" * 4000),
        File("app/.venv/pyvenv.cfg", b"v" * 10),
        File(f"{SITE}/pkg/__init__.py", b"i" * 600),
        Hardlink(f"{SITE}/pkg/alias.py", f"{SITE}/pkg/__init__.py"),
        File(f"{SITE}/pkg-2.0.dist-info/RECORD", b"pkg/__init__.py,,\npkg/alias.py,,\n"),
        File("app/tmp-secret", b"s" * 300),
    ],
    [
        Dir("app"),
        Dir("app/src"),
        File("app/src/main.py", b"m" * 100),
        Whiteout("app/tmp-secret"),
        File("etc/os-release", b"E" * 45),
    ],
]
HISTORY = [
    {"created_by": "ADD rootfs.tar /"},
    {"created_by": "ENV A=1", "empty_layer": True},
    {"created_by": "RUN uv sync"},
    {"created_by": "WORKDIR /app", "empty_layer": True},
    {"created_by": "COPY src/ /app/src/"},
]
LABELS = {"org.workbench.stand-in.replaces": "python:3.11-slim-bookworm"}


def export(layout: str = "docker", media: str = "gzip") -> bytes:
    tars = [layer_tar(m) for m in MEMBERS]
    config = image_config(tars, history=HISTORY, labels=LABELS, workdir="/app")
    if layout == "docker":
        return docker_archive(tars, config=config)
    return oci_archive(tars, config=config, media=media)


def test_the_figures_add_up_and_follow_the_definitions():
    result = analyze_stream(io.BytesIO(export()), compress=False)
    assert result.size_bytes == 7 + 2000 + 500 + 40 + 30 + 70 + 4000 + 10 + 600 + 33 + 300 + 145
    assert sum(result.components.values()) == result.size_bytes
    assert sum(result.plan_view.values()) == result.size_bytes
    assert list(result.components) == list(COMPONENTS)
    assert list(result.plan_view) == list(PLAN_ROWS)
    assert result.final_bytes == result.size_bytes - result.components["shadowed"]
    assert result.components == {
        "python_dependencies": 10 + 600 + 33,
        "python_runtime": 500,
        "system_libraries": 2000,
        "application_code": 100,
        "build_caches": 4000,
        "build_tools": 0,
        "installer_inputs": 0,
        "other": 7 + 30 + 70 + 45,
        "shadowed": 40 + 300,
    }
    assert result.plan_view["Other/Overhead"] == 4000 + 152 + 340


def test_layers_carry_their_instruction_ids_and_counts():
    result = analyze_stream(io.BytesIO(export()), compress=False)
    tars = [layer_tar(m) for m in MEMBERS]
    diff_ids = image_config(tars)["rootfs"]["diff_ids"]
    zero = dict.fromkeys(COMPONENTS, 0)
    assert result.layers == (
        LayerAnalysis(
            0,
            diff_ids[0],
            "ADD rootfs.tar /",
            2547,
            {**zero, "system_libraries": 2000, "python_runtime": 500, "other": 7, "shadowed": 40},
            4,
            0,
            0,
            symlink_bytes=7,
        ),
        LayerAnalysis(
            1,
            diff_ids[1],
            "RUN uv sync",
            5043,
            {
                **zero,
                "python_dependencies": 643,
                "other": 100,
                "build_caches": 4000,
                "shadowed": 300,
            },
            8,
            0,
            0,
        ),
        LayerAnalysis(
            2,
            diff_ids[2],
            "COPY src/ /app/src/",
            145,
            {**zero, "application_code": 100, "other": 45},
            1,
            1,
            1,
        ),
    )


def test_packages_venvs_app_paths_and_stand_in():
    result = analyze_stream(io.BytesIO(export()), compress=False)
    assert [(p.name, p.version, p.location, p.bytes) for p in result.python_packages] == [
        ("pkg", "2.0", "/" + SITE, 600)
    ]
    assert result.debian_packages == ()
    assert result.virtualenvs == ("/app/.venv",)
    assert result.workdir == "/app"
    assert result.app_paths == ("/app",)
    assert result.stand_in_base == "python:3.11-slim-bookworm"
    assert result.tags == ("test/image:latest",)
    assert result.layout == "docker-archive"


def test_explicit_app_paths_replace_the_workdir():
    result = analyze_stream(io.BytesIO(export()), compress=False, app_paths=["/app/src/main.py"])
    assert result.app_paths == ("/app/src/main.py",)
    assert result.components["application_code"] == 100
    assert result.components["other"] == 7 + 30 + 70 + 45  # manifests are never app code


def test_largest_folders_and_files():
    result = analyze_stream(io.BytesIO(export()), compress=False, top=2)
    # folders at any depth; a chain of single-child folders shows as its deepest one
    assert result.largest["python_dependencies"] == ComponentDetail(
        (PathSize("/app/.venv", 643), PathSize("/" + SITE, 633)),
        (
            PathSize(f"/{SITE}/pkg/__init__.py", 600),
            PathSize(f"/{SITE}/pkg-2.0.dist-info/RECORD", 33),
        ),
    )
    assert result.largest["shadowed"].largest_files == (
        PathSize("/app/tmp-secret", 300, 1),
        PathSize("/etc/os-release", 40, 0),
    )
    assert result.largest["application_code"].largest_dirs == (PathSize("/app/src", 100),)


@pytest.mark.parametrize(("layout", "media"), [("oci", "gzip"), ("oci", "zstd"), ("oci", "tar")])
def test_both_layouts_give_the_same_analysis(layout, media):
    docker = analyze_stream(io.BytesIO(export()), compress=True)
    oci = analyze_stream(io.BytesIO(export(layout, media)), compress=True)
    assert oci.layout == "oci"
    assert replace(oci, layout="docker-archive") == docker


def test_compressed_estimates_per_layer_and_in_total():
    result = analyze_stream(io.BytesIO(export()), compress=True, zstd=True)
    gzips = [layer.gzip_bytes for layer in result.layers]
    assert all(g and g > 0 for g in gzips)
    assert result.compressed.gzip_bytes == sum(gzips)
    assert result.compressed.zstd_bytes == sum(layer.zstd_bytes for layer in result.layers)
    plain = analyze_stream(io.BytesIO(export()), compress=False)
    assert plain.compressed.gzip_bytes is None
    assert replace(result, layers=plain.layers, compressed=plain.compressed) == plain


def test_a_stream_of_chunks_works_like_a_file():
    data = export()
    chunks = (data[i : i + 777] for i in range(0, len(data), 777))
    assert analyze_stream(chunks, compress=False) == analyze_stream(data, compress=False)


def test_to_dict_is_json_and_reads_back():
    result = analyze_stream(io.BytesIO(export()), compress=True)
    data = json.loads(json.dumps(result.to_dict()))
    assert ImageAnalysis.from_dict(data) == result
    assert set(data) >= {
        "image_id",
        "tags",
        "size_bytes",
        "final_bytes",
        "components",
        "plan_view",
        "layers",
        "python_packages",
        "debian_packages",
        "efficiency",
        "wasted_bytes",
        "compressed",
        "stand_in_base",
    }
    assert data["compressed"]["estimate"] is True
    assert data["layers"][0]["created_by"] == "ADD rootfs.tar /"
    assert data["python_packages"][0] == {
        "name": "pkg",
        "version": "2.0",
        "location": "/" + SITE,
        "bytes": 600,
        "files": 2,
        "requires": [],
    }


def test_history_can_be_given():
    result = analyze_stream(io.BytesIO(export()), compress=False, history=["a", "b", "c"])
    assert [layer.created_by for layer in result.layers] == ["a", "b", "c"]


def test_bad_rules_fail_before_reading(tmp_path):
    class Unreadable:
        def read(self, size=-1):
            raise AssertionError("read before the rules were checked")

    path = tmp_path / "rules.toml"
    path.write_text("[[rule]]\ncomponent = 'nope'\nglobs = '/x'\n")
    with pytest.raises(AnalysisError, match="component must be one of"):
        analyze_stream(Unreadable(), rules=path)


def test_engine_size_note_for_an_unexplained_gap():
    result = analyze_stream(io.BytesIO(export()), compress=False)
    assert result.engine_size_note == ""
    odd = replace(result, engine_size_bytes=result.size_bytes + 1)
    assert "differs by +1 bytes" in odd.engine_size_note


def test_a_layer_whose_engine_size_leaves_symlinks_out_counts_them_as_the_engine_does():
    archive = read_archive(io.BytesIO(export()))
    plain = analyze_archive(archive)
    engine = [plain.layers[0].bytes - 7, plain.layers[1].bytes, plain.layers[2].bytes]
    result = analyze_archive(archive, engine_layer_bytes=engine)
    assert [layer.symlinks_counted for layer in result.layers] == [False, True, True]
    assert [layer.bytes for layer in result.layers] == engine
    assert result.size_bytes == sum(engine) == plain.size_bytes - 7
    assert sum(result.components.values()) == result.size_bytes
    assert sum(result.plan_view.values()) == result.size_bytes
    assert result.components == {**plain.components, "other": plain.components["other"] - 7}
    assert result.final_bytes == plain.final_bytes  # the container still sees the symlink
    assert result.uncounted_symlink_bytes == 7
    assert result.final_bytes == result.size_bytes - result.components["shadowed"] + 7
    assert "leaves out 7 bytes of symlink targets" in result.engine_size_note
    assert "sees 7 of them" in result.engine_size_note
    assert plain.engine_size_note == "" and plain.uncounted_symlink_bytes == 0
    assert ImageAnalysis.from_dict(result.to_dict()) == result


def test_an_engine_size_with_the_symlinks_in_keeps_them_counted():
    archive = read_archive(io.BytesIO(export()))
    plain = analyze_archive(archive)
    result = analyze_archive(archive, engine_layer_bytes=[layer.bytes for layer in plain.layers])
    assert result == replace(
        plain,
        layers=tuple(replace(layer, engine_bytes=layer.bytes) for layer in plain.layers),
        engine_size_bytes=plain.size_bytes,
    )


def test_a_shadowed_symlink_of_an_uncounted_layer_is_not_shadowed_bytes():
    members = [
        [File("usr/lib/libz.so", b"z" * 100)],
        [Symlink("usr/lib/libz.so.1", "libz.so"), Symlink("usr/bin/py", "/usr/bin/python3")],
        [Whiteout("usr/bin/py")],
    ]
    tars = [layer_tar(m) for m in members]
    archive = read_archive(io.BytesIO(docker_archive(tars, config=image_config(tars))))
    result = analyze_archive(archive, engine_layer_bytes=[100, 0, 0])
    assert result.layers[1].symlinks_counted is False
    assert result.size_bytes == 100 and result.components["shadowed"] == 0
    assert result.uncounted_symlink_bytes == len("libz.so")
    assert result.final_bytes == 100 + len("libz.so")


def test_an_imported_layer_is_named_by_its_history_comment():
    tars = [layer_tar(m) for m in MEMBERS]
    history = [
        {"created_by": "", "comment": "Imported from -"},
        {"created_by": "RUN uv sync"},
        {"created_by": "COPY src/ /app/src/"},
    ]
    result = analyze_stream(
        io.BytesIO(docker_archive(tars, config=image_config(tars, history=history))), compress=False
    )
    assert [layer.created_by for layer in result.layers] == [
        "(Imported from -)",
        "RUN uv sync",
        "COPY src/ /app/src/",
    ]

"""The image's dist-info: module names, console scripts and bytes, in one export pass."""

from __future__ import annotations

import json

import pytest

from tests.unit.analysis.analysis_archives import Dir, File, docker_archive, layer_tar
from workbench.audit.distributions import (
    Distribution,
    ImageFacts,
    console_scripts,
    is_script_word,
    modules_from_record,
    modules_from_top_level,
    read_image_facts,
    script_paths,
)
from workbench.errors import AuditError


def test_modules_from_record_take_folders_modules_and_extensions() -> None:
    record = "\n".join(
        [
            "foo/__init__.py,sha256=x,10",
            "foo/sub/x.py,,",
            "_foo_speedups.cpython-311-x86_64-linux-gnu.so,,",
            "single.py,,",
            "foo-1.0.dist-info/RECORD,,",
            "foo-1.0.data/scripts/x,,",
            "__pycache__/single.cpython-311.pyc,,",
            "../../../bin/foo,,",
            "foo.pth,,",
        ]
    )
    assert modules_from_record(record) == {"foo", "_foo_speedups", "single"}


def test_modules_from_top_level_and_console_scripts() -> None:
    assert modules_from_top_level("google\ngoogle/cloud/firestore\n\n") == {"google"}
    text = "[console_scripts]\nfoo = foo:main\npy.test = x:y\n\n[gui_scripts]\nbar = b:m\n"
    text += "[pytest11]\nplugin = p\n"
    assert console_scripts(text) == ("foo", "py.test", "bar")
    assert console_scripts("not an ini [") == ()


def test_script_paths_are_path_like_words_relative_to_the_workdir() -> None:
    assert script_paths(("./start.sh",), "/app") == ("app/start.sh",)
    assert script_paths(("/bin/sh", "-c", "exec /srv/run serve --x=1"), "/") == ("srv/run",)
    assert script_paths(("/usr/local/bin/python3.11", "-m", "app"), "/") == ()
    assert not is_script_word("streamlit_app/app.py")
    assert not is_script_word("backend.main:app")
    assert not is_script_word("--server.port")
    assert is_script_word("scripts/start.sh")


class _FakeAPI:
    def __init__(self, archive: bytes, inspect: dict) -> None:
        self.archive, self.inspect = archive, inspect

    def inspect_image(self, ref: str) -> dict:
        return self.inspect

    def get_image(self, ref: str):
        yield self.archive


class _FakeClient:
    def __init__(self, archive: bytes, inspect: dict) -> None:
        self.api = _FakeAPI(archive, inspect)


SITE = "app/.venv/lib/python3.11/site-packages"
CACHE = "root/.cache/uv/archive-v0/abc"
RECORD = (
    "foo/__init__.py,sha256=x,100\n"
    "_foo_speedups.cpython-311-x86_64-linux-gnu.so,,\n"
    "foo_bar-1.0.dist-info/METADATA,,\n"
    "foo_bar-1.0.dist-info/RECORD,,\n"
    "foo_bar-1.0.dist-info/entry_points.txt,,\n"
    "../../../bin/foo,,\n"
)
METADATA = "Metadata-Version: 2.1\nName: Foo_Bar\nVersion: 1.0\n\nlong description"
ENTRY_POINTS = "[console_scripts]\nfoo = foo:main\n"


def _image() -> bytes:
    base = layer_tar([Dir("app"), File("app/start.sh", b"#!/bin/sh\nexec foo --serve\n")])
    venv = layer_tar(
        [
            File(f"{SITE}/foo/__init__.py", b"x" * 100),
            File(f"{SITE}/foo/__pycache__/__init__.cpython-311.pyc", b"c" * 50),
            File(f"{SITE}/_foo_speedups.cpython-311-x86_64-linux-gnu.so", b"s" * 200),
            File(f"{SITE}/foo_bar-1.0.dist-info/METADATA", METADATA.encode()),
            File(f"{SITE}/foo_bar-1.0.dist-info/RECORD", RECORD.encode()),
            File(f"{SITE}/foo_bar-1.0.dist-info/entry_points.txt", ENTRY_POINTS.encode()),
            File("app/.venv/bin/foo", b"b" * 30),
            File(f"{CACHE}/foo/__init__.py", b"x" * 100),
            File(f"{CACHE}/foo_bar-1.0.dist-info/RECORD", b"foo/__init__.py,,\n"),
        ]
    )
    return docker_archive([base, venv])


def test_the_image_facts_come_from_one_pass_over_the_export() -> None:
    inspect = {
        "Id": "sha256:feed",
        "RepoTags": ["test/foo:1"],
        "Config": {"Cmd": ["./start.sh"], "WorkingDir": "/app"},
    }
    facts = read_image_facts(_FakeClient(_image(), inspect), "test/foo:1")
    assert facts.command == ("./start.sh",)
    assert facts.scripts == {"/app/start.sh": "#!/bin/sh\nexec foo --serve\n"}
    assert facts.python_version == "3.11"
    [dist] = facts.distributions
    recorded = 100 + 200 + len(METADATA) + len(RECORD) + len(ENTRY_POINTS) + 30
    assert dist == Distribution(
        name="Foo_Bar",
        version="1.0",
        location=f"/{SITE}",
        bytes=recorded,
        bytecode_bytes=50,
        copies_bytes=100,
        modules=("_foo_speedups", "foo"),
        console_scripts=("foo",),
    )
    assert facts.sizes() == {"foo-bar": recorded + 150}
    assert ImageFacts.from_dict(json.loads(json.dumps(facts.to_dict()))) == facts


def test_a_missing_image_is_an_audit_error() -> None:
    import docker.errors

    class Missing:
        class api:  # noqa: N801
            @staticmethod
            def inspect_image(ref: str) -> dict:
                raise docker.errors.ImageNotFound("no")

    with pytest.raises(AuditError, match="has no image"):
        read_image_facts(Missing(), "nope:1")

"""The image's dist-info: module names, console scripts and bytes, in one export pass."""

from __future__ import annotations

import json

import pytest

from tests.unit.analysis.analysis_archives import Dir, File, docker_archive, layer_tar
from workbench.analysis.packages import METADATA_LIMIT as ANALYSIS_METADATA_LIMIT
from workbench.audit.distributions import (
    FACTS_FORMAT,
    Distribution,
    ImageFacts,
    console_scripts,
    is_script_word,
    modules_from_record,
    modules_from_top_level,
    parse_metadata,
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


def test_metadata_gives_the_name_version_and_requires_dist() -> None:
    text = (
        "Metadata-Version: 2.1\nName: requests\nVersion: 2.32.3\n"
        "Requires-Dist: idna<4,>=2.5\nProvides-Extra: socks\n"
        'Requires-Dist: PySocks!=1.5.7,>=1.5.6;\n extra == "socks"\n'
        "\nRequires-Dist: not-a-header (the description)\n"
    )
    assert parse_metadata(text) == (
        "requests", "2.32.3", ("idna<4,>=2.5", 'PySocks!=1.5.7,>=1.5.6; extra == "socks"'),
    )  # fmt: skip
    assert parse_metadata("Metadata-Version: 2.1\n", "foo", "1") == ("foo", "1", ())


def test_the_pass_keeps_every_requires_dist_of_a_long_metadata() -> None:
    requires = [f"dependency-number-{i:04d}>=1.0; python_version >= '3.8'" for i in range(400)]
    metadata = "Metadata-Version: 2.1\nName: big\nVersion: 2\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires) + "\n" + "x" * 50_000
    headers = metadata.split("\n\n")[0]
    assert len(headers) > ANALYSIS_METADATA_LIMIT  # past what the analysis alone keeps
    record = "big/__init__.py,,\nbig-2.dist-info/METADATA,,\nbig-2.dist-info/RECORD,,\n"
    image = docker_archive(
        [
            layer_tar(
                [
                    File(f"{SITE}/big/__init__.py", b"x"),
                    File(f"{SITE}/big-2.dist-info/METADATA", metadata.encode()),
                    File(f"{SITE}/big-2.dist-info/RECORD", record.encode()),
                ]
            )
        ]
    )
    inspect = {"Id": "sha256:big", "RepoTags": [], "Config": {"Cmd": ["python"]}}
    [dist] = read_image_facts(_FakeClient(image, inspect), "sha256:big").distributions
    assert (dist.name, dist.version, dist.requires) == ("big", "2", tuple(requires))


def test_stored_facts_say_which_version_of_the_pass_read_them() -> None:
    facts = ImageFacts("sha256:x", (), (), "/", "3.11", ())
    assert facts.to_dict()["format"] == FACTS_FORMAT

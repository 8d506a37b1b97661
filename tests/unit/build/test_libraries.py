"""The library probe against a fake engine: files read from never-started containers, the plan
resolved, the builder stage built with the variant's builder, failures passed on."""

from __future__ import annotations

import io
import posixpath
import tarfile
import threading
from pathlib import Path

import docker.errors
import pytest

from tests.unit.build.test_shared_objects import DEMO, ELF, SITE
from workbench.build import libraries
from workbench.build.builders import BuilderInfo
from workbench.build.progress import BuildOutcome
from workbench.project import load_project
from workbench.variants.libraries import (
    LibraryCopy,
    LibraryPlan,
    MissingLibrary,
    RuntimePackage,
    probe_request,
    saved_plan,
)
from workbench.variants.multi_stage import to_multi_stage

BASELINE = (
    "FROM python:3.11-slim-bookworm\n"
    "RUN apt-get update && apt-get install -y gcc zlib1g-dev\n"
    "COPY requirements.txt .\n"
    "RUN pip install -r requirements.txt\n"
    "COPY docker-entrypoint.sh /usr/local/bin/\n"
    'ENTRYPOINT ["docker-entrypoint.sh"]\n'
)
STATUS = "Package: {0}\nStatus: install ok installed\n\n"


def _builder_files(with_foo: bool = True) -> dict[str, bytes | tuple[str, str]]:
    files: dict[str, bytes | tuple[str, str]] = {
        f"{SITE}/demo/{DEMO}": (ELF / DEMO).read_bytes(),
        f"{SITE}/demo/__init__.py": b"",
        "/var/lib/dpkg/status": "".join(
            STATUS.format(p) for p in ("libc6", "zlib1g", "gcc")
        ).encode(),
        "/var/lib/dpkg/info/zlib1g:amd64.list": b"/usr/lib/x86_64-linux-gnu/libz.so.1\n",
        "/var/lib/dpkg/info/gcc.list": b"/usr/bin/gcc\n",
        "/var/lib/dpkg/info/gcc.md5sums": b"abc  usr/bin/gcc\n",
        "/etc/ld.so.conf.d/libc.conf": b"/usr/local/lib\n",
    }
    if with_foo:
        files["/usr/local/lib/libfoo.so.1"] = ("link", "libfoo.so.1.0")
        files["/usr/local/lib/libfoo.so.1.0"] = (ELF / "libfoo.so.1").read_bytes()
    return files


def _tar(files: dict[str, bytes | tuple[str, str]], path: str) -> bytes | None:
    """What the engine's archive API answers for a path: it and what is under it."""
    buffer = io.BytesIO()
    base = posixpath.dirname(path.rstrip("/"))
    found = False
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, content in sorted(files.items()):
            if name != path and not name.startswith(path.rstrip("/") + "/"):
                continue
            found = True
            info = tarfile.TarInfo(posixpath.relpath(name, base))
            if isinstance(content, tuple):
                info.type, info.linkname = tarfile.SYMTYPE, content[1]
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue() if found else None


class FakeContainer:
    def __init__(self, files) -> None:
        self.files = files
        self.removed = False

    def get_archive(self, path):
        data = _tar(self.files, path)
        if data is None:
            raise docker.errors.NotFound(f"no {path}")
        return iter([data[:700], data[700:]]), {}

    def remove(self, force: bool = False) -> None:
        self.removed = True


class FakeClient:
    def __init__(self, images) -> None:
        self.images_files = images
        self.created: list[FakeContainer] = []
        self.containers = self

    def create(self, image, **options):
        assert options["labels"] == {libraries.LIBRARY_PROBE: "1"}
        if image not in self.images_files:
            raise docker.errors.ImageNotFound(f"no {image}")
        container = FakeContainer(self.images_files[image])
        self.created.append(container)
        return container


def _request():
    request = probe_request(to_multi_stage(BASELINE))
    assert request is not None
    return request


def _client(with_foo: bool = True, base: tuple[str, ...] = ("libc6",)) -> FakeClient:
    runtime = {"/var/lib/dpkg/status": "".join(STATUS.format(p) for p in base).encode()}
    return FakeClient(
        {"builder-id": _builder_files(with_foo), "python:3.11-slim-bookworm": runtime}
    )


def test_read_plan_installs_the_packages_and_copies_what_no_package_ships() -> None:
    client = _client()
    plan = libraries.read_plan(client, "builder-id", _request())
    assert plan == LibraryPlan(
        packages=(RuntimePackage("zlib1g", (f"needed by demo/{DEMO}",)),),
        copies=(
            LibraryCopy(
                "/usr/local/lib/libfoo.so.1.0", "/usr/local/lib/libfoo.so.1", (f"demo/{DEMO}",)
            ),
        ),
    )
    assert all(container.removed for container in client.created)


def test_what_the_runtime_image_has_is_not_installed_again() -> None:
    plan = libraries.read_plan(_client(base=("libc6", "zlib1g")), "builder-id", _request())
    assert plan.packages == ()


def test_without_the_runtime_image_every_package_found_is_listed() -> None:
    client = _client(base=("libc6", "zlib1g"))
    del client.images_files["python:3.11-slim-bookworm"]
    plan = libraries.read_plan(client, "builder-id", _request())
    assert [p.name for p in plan.packages] == ["zlib1g"]


def test_a_library_found_nowhere_is_named_with_what_needs_it() -> None:
    plan = libraries.read_plan(_client(with_foo=False), "builder-id", _request())
    assert plan.missing == (MissingLibrary("libfoo.so.1", (f"demo/{DEMO}",)),)
    assert "libfoo.so.1 (needed by demo/_demo.cpython-311" in plan.summary()


def test_an_image_that_cannot_be_read_gives_an_empty_plan_saying_why() -> None:
    plan = libraries.read_plan(_client(), "gone-id", _request())
    assert plan == LibraryPlan(error="no image gone-id to read the libraries of")


def _project(tmp_path: Path, script: str = '#!/bin/sh\nexec "$@"\n'):
    (tmp_path / "Dockerfile").write_text(BASELINE)
    (tmp_path / "requirements.txt").write_text("demo\n")
    (tmp_path / "docker-entrypoint.sh").write_text(script)
    return load_project(tmp_path)


def _fake_build(monkeypatch: pytest.MonkeyPatch, outcome: BuildOutcome, seen: list) -> None:
    def run_buildkit(builder, context, tag, labels, on_output, cancel, build_args=None):
        with tarfile.open(fileobj=context) as tar:
            seen.append((tag, tar.extractfile(".workbench.Dockerfile").read().decode()))
        cancel.set()  # as the real one does when it ends
        return outcome

    monkeypatch.setattr(libraries, "run_buildkit", run_buildkit)


BUILDKIT = BuilderInfo("buildkit", "BuildKit", "/usr/bin/docker")


def test_resolve_libraries_builds_the_builder_stage_and_resolves_the_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, script='#!/bin/sh\ngcc --version >/dev/null\nexec "$@"\n')
    text = to_multi_stage(BASELINE)
    seen: list = []
    _fake_build(monkeypatch, BuildOutcome("succeeded", "builder-id"), seen)
    lines: list[str] = []
    cancel = threading.Event()
    resolved, failed = libraries.resolve_libraries(
        _client(), BUILDKIT, project, "multi-stage", text, {}, lambda t, p: lines.append(t), cancel
    )
    assert failed is None
    assert not cancel.is_set()
    assert seen == [(f"workbench/{project.name}:multi-stage-builder", _request().builder_text)]
    assert "#   gcc: docker-entrypoint.sh runs gcc\n" in resolved
    assert "#   zlib1g: needed by demo/_demo.cpython-311-x86_64-linux-gnu.so\n" in resolved
    assert "apt-get install -y --no-install-recommends gcc zlib1g &&" in resolved
    assert (
        "COPY --from=builder /usr/local/lib/libfoo.so.1.0 /usr/local/lib/libfoo.so.1\n" in resolved
    )
    assert saved_plan(text) is not None
    assert lines[0] == (
        "[workbench] building the builder stage to read the libraries its extensions load\n"
    )
    assert lines[-1].startswith("[workbench] runtime libraries: the runtime installs gcc")


def test_a_builder_stage_that_fails_ends_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = to_multi_stage(BASELINE)
    outcome = BuildOutcome("failed", None, "step 3/4 failed: pip install exited with 1")
    _fake_build(monkeypatch, outcome, [])
    result = libraries.resolve_libraries(
        _client(), BUILDKIT, _project(tmp_path), "multi-stage", text, {}, lambda t, p: None,
        threading.Event(),
    )  # fmt: skip
    assert result == (text, outcome)


def test_a_dockerfile_without_a_block_is_built_as_it_is(tmp_path: Path) -> None:
    result = libraries.resolve_libraries(
        _client(), BUILDKIT, _project(tmp_path), "baseline", BASELINE, {}, lambda t, p: None,
        threading.Event(),
    )  # fmt: skip
    assert result == (BASELINE, None)

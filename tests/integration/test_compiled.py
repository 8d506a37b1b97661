"""Compiled dependencies on a real engine: a C extension of our own, linked against a library
built in the builder (no package ships it), through the multi-stage variant.

The probe of the built builder finds that ``_greet….so`` loads ``libgreet.so.1``, which no
Debian package ships: the runtime copies it from the builder, and the variant says so. When the
builder removes the library after the install, the variant says which ``.so`` needs which
library, and the smoke test fails (a failed smoke test is never counted as a saving). With the
builder stage cached, resolving the libraries adds at most 5 s to the build.
"""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import docker
import pytest

from workbench import variants
from workbench.build.service import BuildService, BuildSpec
from workbench.checks.smoke import run_smoke
from workbench.project import load_project
from workbench.store import Store
from workbench.variants.libraries import START, has_block

pytestmark = pytest.mark.docker

PROBE_BUDGET_S = 5.0
LIBRARY = "RUN gcc -shared -fPIC -O2 -Wl,-soname,libgreet.so.1 -o /usr/local/lib/libgreet.so.1.0"
DOCKERFILE = f"""\
FROM python:3.11-slim-bookworm
# the compiler and Python's headers, to build the extension
RUN apt-get update && apt-get install -y gcc python3-dev

WORKDIR /src
COPY libgreet/ libgreet/
COPY ext/ ext/
{LIBRARY} libgreet/greet.c \\
 && ln -s libgreet.so.1.0 /usr/local/lib/libgreet.so.1 \\
 && ln -s libgreet.so.1 /usr/local/lib/libgreet.so && ldconfig \\
 && pip install ./ext{{after}}

COPY app.py /app/app.py
EXPOSE 8000
CMD ["python", "/app/app.py"]
"""
FILES = {
    "libgreet/greet.c": 'const char *greet_hello(void) { return "hello from libgreet"; }\n',
    "ext/setup.py": textwrap.dedent(
        """\
        from setuptools import Extension, setup

        setup(
            name="greet",
            version="1.0",
            packages=["greet"],
            ext_modules=[Extension("greet._greet", ["greet/_greet.c"], libraries=["greet"])],
        )
        """
    ),
    "ext/greet/__init__.py": "from greet._greet import hello\n",
    "ext/greet/_greet.c": textwrap.dedent(
        """\
        #include <Python.h>
        extern const char *greet_hello(void);
        static PyObject *hello(PyObject *self, PyObject *args) {
            return PyUnicode_FromString(greet_hello());
        }
        static PyMethodDef methods[] = {{"hello", hello, METH_NOARGS, "Greet."}, {0}};
        static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_greet", 0, -1, methods};
        PyMODINIT_FUNC PyInit__greet(void) { return PyModule_Create(&module); }
        """
    ),
    "app.py": textwrap.dedent(
        """\
        from http.server import BaseHTTPRequestHandler, HTTPServer

        import greet


        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = greet.hello().encode()
                self.send_response(200 if body == b"hello from libgreet" else 500)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)


        HTTPServer(("0.0.0.0", 8000), Handler).serve_forever()
        """
    ),
    "plan.toml": '[plan]\ntitle = "greet"\n\n[smoke]\npath = "/"\nport = 8000\ntimeout_s = 30\n',
}


def _project(folder: Path, after: str = "") -> Path:
    for name, text in FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    (folder / "Dockerfile").write_text(DOCKERFILE.format(after=after))
    return folder


def _build(service: BuildService, folder: Path, variant: str, text: str | None = None):
    project = load_project(folder)
    text = text or variants.derive_variant(folder, "multi-stage").dockerfile
    started = time.monotonic()
    [record] = service.wait([service.submit(BuildSpec(project, variant, text))], timeout=900)
    assert record.status == "succeeded", (record.error, record.log_tail(30))
    return record, time.monotonic() - started


def test_a_library_no_package_ships_is_copied_and_the_variant_says_so(
    tmp_path: Path, docker_client: docker.DockerClient, stand_ins
) -> None:
    folder = _project(tmp_path / "greet")
    service = BuildService(Store())
    record, _ = _build(service, folder, "multi-stage")
    so = "greet/_greet.cpython-311-x86_64-linux-gnu.so"
    assert (
        f"#   /usr/local/lib/libgreet.so.1: no package ships it; needed by {so}\n"
        "COPY --from=builder /usr/local/lib/libgreet.so.1.0 /usr/local/lib/libgreet.so.1\n"
    ) in record.dockerfile
    assert "apt-get install -y gcc" not in record.dockerfile.split("AS runtime")[1]
    assert run_smoke(record.image_id, client=docker_client).passed
    summary = variants.derive_variant(folder, "multi-stage").summary
    assert "gcc and python3-dev stay in the builder stage (build-only, line 3)" in summary
    assert f"the runtime copies /usr/local/lib/libgreet.so.1 (needed by {so}; no package" in summary

    # with the builder stage cached, the probe costs little beside the build itself: the same
    # Dockerfile without its block's first line has no block, and builds without a probe
    probed, with_probe = _build(service, folder, "multi-stage")
    assert probed.dockerfile == record.dockerfile
    lines = probed.dockerfile.splitlines(keepends=True)
    plain = "".join(line for line in lines if not START.match(line.rstrip("\n")))
    assert not has_block(plain)
    direct, without = _build(service, folder, "multi-stage-resolved", plain)
    assert direct.dockerfile == plain
    assert "[workbench] building the builder stage" not in direct.log
    assert with_probe - without <= PROBE_BUDGET_S, (with_probe, without)


def test_a_library_that_cannot_be_resolved_is_named_and_the_smoke_test_fails(
    tmp_path: Path, docker_client: docker.DockerClient, stand_ins
) -> None:
    folder = _project(tmp_path / "greet-gone", after=" && rm /usr/local/lib/libgreet.so*")
    record, _ = _build(BuildService(Store()), folder, "multi-stage")
    so = "greet/_greet.cpython-311-x86_64-linux-gnu.so"
    assert (
        f"#   libgreet.so.1: needed by {so}, and no package or library folder of the builder"
        " has it\n"
    ) in record.dockerfile
    assert not run_smoke(record.image_id, client=docker_client).passed
    summary = variants.derive_variant(folder, "multi-stage").summary
    assert f"libgreet.so.1 (needed by {so}) is in no package or library folder" in summary


def test_the_classic_builder_reads_the_libraries_too_and_copies_the_wheels_its_way(
    tmp_path: Path, docker_client: docker.DockerClient, stand_ins
) -> None:
    """The probe builds the builder stage with the builder the variant is built with; a final
    stage that bind-mounts a builder's wheels gets an install stage for the classic builder."""
    service = BuildService(Store())
    folder = _project(tmp_path / "greet-classic")
    project = load_project(folder)
    text = variants.derive_variant(folder, "multi-stage").dockerfile
    [record] = service.wait(
        [service.submit(BuildSpec(project, "multi-stage", text, builder="classic"))], timeout=900
    )
    assert record.status == "succeeded", (record.error, record.log_tail(30))
    assert "COPY --from=builder /usr/local/lib/libgreet.so.1.0 /usr/local/lib/libgreet.so.1\n" in (
        record.dockerfile
    )
    assert run_smoke(record.image_id, client=docker_client).passed

    wheels = load_project(Path(__file__).parents[1] / "fixtures" / "projects" / "wheels-multistage")
    variant = variants.derive_variant(wheels.path, "multi-stage")
    assert variant.requires_buildkit
    [record] = service.wait(
        [service.submit(BuildSpec(wheels, "ms-classic", variant.dockerfile, builder="classic"))],
        timeout=900,
    )
    assert record.status == "succeeded", (record.error, record.log_tail(30))
    assert record.builder == "classic"
    assert "--mount" not in record.dockerfile
    assert "COPY --from=deps /install/ /\n" in record.dockerfile
    assert run_smoke(record.image_id, client=docker_client).passed

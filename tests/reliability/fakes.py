"""An engine-free build service: the real queue, worker, log writer, builder and store.

Only the docker CLI is a stand-in: :func:`fake_cli` writes a script that takes
``docker build`` arguments, reads the context from stdin, prints BuildKit-style plain
progress and writes ``--iidfile``, as the real CLI does.  What it does is picked by the
variant's name (the tag's suffix): succeed, sleep, print a lot, print bytes that are
not UTF-8, echo its build arguments' values, fail, or die by ``SIGKILL`` mid-build
(the way a broken engine connection ends the CLI).  So builds run through
:func:`workbench.build.buildkit.run_buildkit` for real, with no engine at all.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from workbench.build import builders
from workbench.build.builders import BuilderInfo
from workbench.build.service import BuildService, BuildSpec
from workbench.project import load_project
from workbench.store import Store

HUGE_LOG_LINES = 120_000  # ~6 MB of log: three times the cap
NOT_UTF8 = b"caf\xe9 \xff\xfe\x80 ok"

FAKE_CLI = """\
import os, signal, sys, time
args = sys.argv[1:]
tag = args[args.index("-t") + 1]
iidfile = args[args.index("--iidfile") + 1]
keys = [args[i + 1] for i, a in enumerate(args) if a == "--build-arg"]
behaviour = tag.rpartition(":")[2]
context = sys.stdin.buffer.read()
out = sys.stdout.buffer
out.write(b"#1 [internal] load build definition\\n#1 DONE 0.0s\\n")
out.write(b"#2 [1/2] FROM scratch\\n#2 DONE 0.0s\\n#3 [2/2] RUN work\\n")
out.flush()
if behaviour == "sleep":
    for step in range(6000):
        out.write(b"#3 working %d\\n" % step)
        out.flush()
        time.sleep(0.05)
elif behaviour == "huge":
    for line in range(HUGE):
        out.write(b"#3 line %08d %s\\n" % (line, b"x" * 40))
elif behaviour == "bytes":
    out.write(NOT_UTF8 + b"\\n")
elif behaviour == "secret":
    for key in keys:
        out.write(b"#3 " + key.encode() + b"=" + os.environ.get(key, "").encode() + b"\\n")
    out.write(b"#3 talking to " + os.environ.get("DOCKER_HOST", "").encode() + b"\\n")
elif behaviour == "fail":
    out.write(b"#3 ERROR: process did not complete successfully: exit code: 3\\n")
    sys.exit(1)
elif behaviour == "cut":
    out.write(b'error during connect: Post "http://127.0.0.1:9/v1.41/build": EOF\\n')
    sys.exit(1)
elif behaviour == "die":
    out.write(b"#3 half way\\n")
    out.flush()
    os.kill(os.getpid(), signal.SIGKILL)
out.write(b"#3 DONE 0.1s\\n")
out.flush()
with open(iidfile, "w") as f:
    f.write("sha256:" + "%064x" % len(context))
"""


def fake_cli(folder: Path) -> Path:
    """Write the fake docker CLI into ``folder``; return its path."""
    script = folder / "fake-docker"
    body = FAKE_CLI.replace("HUGE", str(HUGE_LOG_LINES)).replace("NOT_UTF8", repr(NOT_UTF8))
    script.write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
    script.chmod(0o755)
    return script


def fake_builder(cli: Path) -> BuilderInfo:
    return BuilderInfo("buildkit", "fake docker CLI for the reliability suite", str(cli))


def chooser(builder: BuilderInfo) -> Callable[[str | None, str], BuilderInfo]:
    return lambda name, text: builder


def install(monkeypatch: pytest.MonkeyPatch, folder: Path) -> BuilderInfo:
    """Make every BuildService in this process build with the fake CLI."""
    builder = fake_builder(fake_cli(folder))
    monkeypatch.setattr(builders, "choose_builder", chooser(builder))
    return builder


def make_project(folder: Path) -> Path:
    """A small project folder with a Dockerfile (any name: spaces and accents welcome)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Dockerfile").write_text("FROM scratch\nCOPY . /app\n", encoding="utf-8")
    (folder / "main.py").write_text("print('hello')\n", encoding="utf-8")
    return folder


def spec(project_dir: Path, behaviour: str, **kwargs) -> BuildSpec:
    """A build spec of the project whose fake build behaves as ``behaviour`` says."""
    project = load_project(project_dir)
    return BuildSpec(project, behaviour, f"FROM scratch\n# {behaviour}\n", **kwargs)


def service(store: Store) -> BuildService:
    """A build service on ``store`` that never connects to an engine."""
    return BuildService(store, client_factory=lambda: None)


def wait_until(predicate: Callable[[], object], timeout: float = 60.0, poll: float = 0.05) -> None:
    """Poll until ``predicate()`` holds; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting after {timeout} s")
        time.sleep(poll)


@contextlib.contextmanager
def reaped(child: subprocess.Popen) -> Iterator[subprocess.Popen]:
    """Run the block, then make sure the child process is gone, whatever happened."""
    try:
        yield child
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def kill_9(child: subprocess.Popen) -> None:
    """``kill -9`` the child and wait for it to die."""
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)

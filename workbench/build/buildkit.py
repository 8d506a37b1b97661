"""Build with BuildKit through a docker CLI, streaming its plain progress.

``docker buildx build --load`` where the buildx plugin exists, else the CLI's integrated
BuildKit (``DOCKER_BUILDKIT=1 docker build``); progress from ``--progress=plain``, the
image id from ``--iidfile``.  Cancel sends SIGINT, then SIGKILL; the CLI dies with the
workbench.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import tarfile
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from workbench.build.builders import BuilderInfo
from workbench.build.context import DOCKERFILE_NAME
from workbench.build.progress import (
    CLI_MESSAGE,
    BuildOutcome,
    BuildProgress,
    OnOutput,
    describe_failure,
    parse_buildkit_line,
)
from workbench.errors import BuildError

# How long a cancelled BuildKit CLI gets to stop on SIGINT before SIGKILL.  Mid-step it
# stops in ~0.1 s; a 20.10 CLI can otherwise wait for the build to wind down, and killing
# it drops its session, which makes the engine cancel the build (as on the parent's death).
CANCEL_GRACE_S = 3.0


def _die_with_parent() -> None:
    """In the child: be killed when the workbench dies, which ends the build on the engine.

    SIGKILL, not SIGINT: a docker CLI 20.10 that gets SIGINT mid-build waits for the
    build to wind down and can outlive its dead parent for the whole build; killed, its
    connection drops and the engine cancels the build.  Nothing would read its output.
    """
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def context_folder(context: IO[bytes], scratch: Path) -> tuple[Path, Path]:
    """The context tar as a folder, its Dockerfile beside it rather than in it.

    The CLI sends a folder's Dockerfile on its own, so ``COPY . /app`` copies what the
    user's own ``docker build .`` would, and not the variant's Dockerfile (which, in a
    tar on stdin, is part of the context and lands in the image).

    Returns:
        ``(folder, dockerfile)`` under ``scratch``.
    """
    folder, dockerfile = scratch / "context", scratch / "Dockerfile"
    folder.mkdir()
    with tarfile.open(fileobj=context) as tar:
        members = [m for m in tar.getmembers() if m.name != DOCKERFILE_NAME]
        tar.extractall(folder, members=members, filter="fully_trusted")  # our own tar
        dockerfile.write_bytes(tar.extractfile(DOCKERFILE_NAME).read())
    return folder, dockerfile


def run_buildkit(
    builder: BuilderInfo,
    context: IO[bytes],
    tag: str,
    labels: Mapping[str, str],
    on_output: OnOutput,
    cancel: threading.Event,
    build_args: Mapping[str, str] | None = None,
    no_cache: bool = False,
) -> BuildOutcome:
    """Build with BuildKit through the docker CLI, streaming its plain progress."""
    assert builder.cli is not None
    with tempfile.TemporaryDirectory(prefix="workbench-build-") as scratch:
        iidfile = Path(scratch) / "iid"
        folder, dockerfile = context_folder(context, Path(scratch))
        command = [builder.cli, *(["buildx", "build", "--load"] if builder.buildx else ["build"])]
        command += ["--progress=plain", "--iidfile", str(iidfile), "-f", str(dockerfile), "-t", tag]
        for key, value in labels.items():
            command += ["--label", f"{key}={value}"]
        if no_cache:
            command.append("--no-cache")
        for key in build_args or {}:
            command += ["--build-arg", key]  # values come from the environment, never argv
        command.append(str(folder))
        env = {**os.environ, "DOCKER_BUILDKIT": "1", **(build_args or {})}
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        except OSError as exc:
            raise BuildError(f"cannot run {builder.cli}: {exc}") from exc

        def stop_on_cancel() -> None:
            cancel.wait()
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
                try:
                    process.wait(timeout=CANCEL_GRACE_S)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)

        threading.Thread(target=stop_on_cancel, daemon=True).start()
        progress = BuildProgress()
        assert process.stdout is not None
        said = ""  # the CLI's last line of its own (not a step's), to explain an odd exit
        for raw in process.stdout:
            line = raw.decode("utf-8", errors="replace")
            parse_buildkit_line(line.rstrip("\n"), progress)
            on_output(line, progress)
            if CLI_MESSAGE.match(line):
                said = line.strip()[:300]
        code = process.wait()
        if cancel.is_set():
            return BuildOutcome("cancelled", None, "cancelled by the user")
        cancel.set()  # release the watcher thread
        if code != 0:
            return BuildOutcome(
                "failed",
                None,
                describe_failure(
                    progress,
                    f"docker build exited with code {code}" + (f": {said}" if said else ""),
                ),
                progress.failed_step,
            )
        image_id = iidfile.read_text().strip() if iidfile.exists() else None
        return BuildOutcome("succeeded", image_id)

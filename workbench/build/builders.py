"""Two image builders behind one interface.

* **BuildKit** through a docker CLI: ``docker buildx build`` where the buildx plugin
  exists, else the CLI's integrated BuildKit (``DOCKER_BUILDKIT=1 docker build``, docker
  CLIs before 23 such as Debian's 20.10 ``/usr/bin/docker``).  Progress comes from
  ``--progress=plain``, the image id from ``--iidfile``.  The default wherever it exists,
  because real Dockerfiles use its syntax (``RUN --mount``, heredocs, ``COPY --link``).
* **classic**: the engine's own builder through the docker SDK's streaming API
  (``client.api.build(decode=True)``), the fallback.

Both take the same build context: a tar stream made by :func:`make_context`, holding the
project (``.dockerignore`` respected), files a variant overlays, and the variant's
Dockerfile under :data:`DOCKERFILE_NAME`; nothing is written into the user's project.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import functools
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import docker
import docker.errors
import requests.exceptions
import urllib3.exceptions
from docker.utils import kwargs_from_env
from docker.utils.build import exclude_paths

from workbench.errors import BuildError
from workbench.home import workbench_home

DOCKERFILE_NAME = ".workbench.Dockerfile"
_BUILDKIT_SYNTAX = re.compile(
    r"^\s*(RUN|COPY|ADD)\b[^\n]*(--mount=|--link\b|<<-?\s*[\"']?\w+)", re.I | re.M
)


@dataclass(frozen=True)
class BuilderInfo:
    """A way to build images on the current engine."""

    name: str  # "buildkit" or "classic"
    description: str
    cli: str | None = None
    buildx: bool = False


@dataclass
class BuildProgress:
    """What a running build has done so far; builders update it as output arrives."""

    steps_done: int = 0
    steps_total: int = 0
    cache_hits: int = 0
    current_step: str = ""
    failed_step: str | None = None
    exit_code: int | None = None
    error: str | None = None
    image_id: str | None = None
    base_pull_error: str | None = None  # "REF: why" when a base image could not be pulled
    _steps: dict[str, str] = field(default_factory=dict)  # vertex -> state
    _metadata: dict[str, str] = field(default_factory=dict)  # vertex -> base image reference
    _stage_totals: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class BuildOutcome:
    """How a build ended."""

    status: str  # "succeeded", "failed" or "cancelled"
    image_id: str | None
    error: str | None = None
    failed_step: str | None = None


def needs_buildkit(dockerfile_text: str) -> bool:
    """Whether a Dockerfile uses syntax only BuildKit understands."""
    return bool(_BUILDKIT_SYNTAX.search(dockerfile_text))


# -- discovery ---------------------------------------------------------------


def _cli_candidates() -> list[str]:
    found = [shutil.which("docker"), "/usr/bin/docker"]
    return list(dict.fromkeys(path for path in found if path and os.access(path, os.X_OK)))


def _quiet(cmd: list[str]) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None


# Where docker CLIs look for plugins (buildx among them); see docker's cli/cli-plugins.
_PLUGIN_DIRS = (
    "~/.docker/cli-plugins",
    "/usr/local/lib/docker/cli-plugins",
    "/usr/local/libexec/docker/cli-plugins",
    "/usr/lib/docker/cli-plugins",
    "/usr/libexec/docker/cli-plugins",
)
PROBE_CACHE_VERSION = 2


def _probe_key(clis: list[str]) -> list[list[object]]:
    """What the probe's answer depends on: the CLIs and their plugin folders, as files."""
    key: list[list[object]] = [[PROBE_CACHE_VERSION]]
    folders = [os.path.expanduser(folder) for folder in _PLUGIN_DIRS]
    if os.environ.get("DOCKER_CONFIG"):
        folders.append(os.path.join(os.environ["DOCKER_CONFIG"], "cli-plugins"))
    for path in [*clis, *folders]:
        try:
            info = os.stat(path)
        except OSError:
            continue
        key.append([path, info.st_mtime_ns, info.st_size])
    return key


@functools.lru_cache(maxsize=8)
def _probe(docker_host: str) -> tuple[BuilderInfo, ...]:
    """The builders here, remembered on disk until a CLI or a plugin folder changes
    (asking the CLIs takes four processes, ~0.1 s, on every `workbench build`)."""
    clis = _cli_candidates()
    key = _probe_key(clis)
    cache = workbench_home() / "cache" / "builders.json"
    try:
        cached = json.loads(cache.read_text())
        if cached["key"] == key:
            return tuple(BuilderInfo(**item) for item in cached["builders"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    builders, complete = _ask_clis(clis)
    if not complete:  # a CLI did not answer: ask again next time rather than remember
        return builders
    with contextlib.suppress(OSError):
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        partial.write_text(
            json.dumps({"key": key, "builders": [dataclasses.asdict(b) for b in builders]})
        )
        partial.replace(cache)
    return builders


def _ask_clis(clis: list[str]) -> tuple[tuple[BuilderInfo, ...], bool]:
    """The builders the CLIs offer, and whether every CLI asked answered.

    Client-only questions (``buildx version``, ``--version``): the engine need not be up.
    """
    builders = []
    complete = True
    for cli in clis:
        buildx = _quiet([cli, "buildx", "version"])
        if buildx is not None and buildx.returncode == 0:
            builders.append(BuilderInfo("buildkit", f"BuildKit (docker buildx, {cli})", cli, True))
            break
        version = _quiet([cli, "--version"])
        complete = complete and buildx is not None and version is not None
        found = re.search(r"version (\d+)\.([\w.+~-]*)", version.stdout) if version else None
        if found and int(found.group(1)) < 23:
            number = f"{found.group(1)}.{found.group(2)}".rstrip(",")
            builders.append(
                BuilderInfo(
                    "buildkit",
                    f"BuildKit (DOCKER_BUILDKIT=1, docker CLI {number} at {cli})",
                    cli,
                )
            )
            break
    builders.append(BuilderInfo("classic", "classic builder (engine API through the SDK)"))
    return tuple(builders), complete


def available_builders() -> list[BuilderInfo]:
    """The builders this machine can use with the current engine, preferred first."""
    return list(_probe(os.environ.get("DOCKER_HOST", "")))


def choose_builder(name: str | None, dockerfile_text: str) -> BuilderInfo:
    """Pick a builder by name (None: the preferred one) and check it fits the Dockerfile.

    Raises:
        BuildError: the named builder does not exist here, or the Dockerfile needs
            BuildKit and none is available.
    """
    builders = available_builders()
    if name is None:
        chosen = builders[0]
    else:
        chosen = next((b for b in builders if b.name == name), None)
        if chosen is None:
            raise BuildError(
                f"no {name} builder here; available: {', '.join(b.name for b in builders)}"
            )
    if chosen.name == "classic" and needs_buildkit(dockerfile_text):
        hint = (
            "pick the buildkit builder"
            if any(b.name == "buildkit" for b in builders)
            else "install a docker CLI with BuildKit (Debian's docker.io ships one) or buildx"
        )
        raise BuildError(
            f"this Dockerfile needs BuildKit (RUN --mount, COPY --link or a heredoc), which the "
            f"classic builder rejects: {hint}"
        )
    return chosen


# -- context -----------------------------------------------------------------


def _dockerignore(root: Path) -> list[str]:
    path = root / ".dockerignore"
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def make_context(
    project_dir: Path, dockerfile_text: str, extra_files: Mapping[str, bytes] | None = None
) -> IO[bytes]:
    """A build context tar: the project as ``.dockerignore`` filters it, with overlays.

    Args:
        project_dir: the project folder (read, never written).
        dockerfile_text: the Dockerfile to build, stored as :data:`DOCKERFILE_NAME`.
        extra_files: relative path -> content replacing or adding files (e.g. a pruned
            ``pyproject.toml`` and its lock).

    Returns:
        A temporary file positioned at its start.
    """
    overlays = dict(extra_files or {})
    root = str(project_dir)
    files = sorted(
        name
        for name in exclude_paths(root, _dockerignore(project_dir), dockerfile=DOCKERFILE_NAME)
        if name not in overlays and name != DOCKERFILE_NAME
    )
    extra = {DOCKERFILE_NAME: dockerfile_text.encode("utf-8"), **overlays}
    context = tempfile.TemporaryFile(prefix="workbench-context-")  # noqa: SIM115 (returned)
    # GNU format: the docker CLI sniffs stdin for a tar and misreads a leading PAX header.
    with tarfile.open(fileobj=context, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name in files:
            path = project_dir / name
            try:
                tar.add(path, arcname=name, recursive=False)
            except OSError as exc:
                raise BuildError(f"cannot read {path} for the build context: {exc}") from exc
        for name, content in extra.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(content), 0o644, int(time.time())
            tar.addfile(info, io.BytesIO(content))
    context.seek(0)
    return context


# -- progress parsing ----------------------------------------------------------

_VERTEX = re.compile(
    r"^#(\d+) \[(?:(?P<stage>[^\]]*?)\s+)?(?P<n>\d+)/(?P<total>\d+)\] (?P<what>.*)$"
)
_STATE = re.compile(r"^#(\d+) (CACHED|DONE\b.*|ERROR:? ?(?P<error>.*))$")
_METADATA = re.compile(r"^#(\d+) \[internal\] load metadata for (\S+)$")
_CLI_MESSAGE = re.compile(r"^(?!#\d+ |-{6}| > |\s*$|\s*\d+ \| )")
_FROM_STEP = re.compile(r"^\[[^\]]*\] FROM\s+(?:--\S+\s+)*(\S+)", re.I)
_EXIT_CODE = re.compile(r"(?:exit code:? |non-zero code: )(\d+)")
_CLASSIC_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")


def parse_buildkit_line(line: str, progress: BuildProgress) -> None:
    """Update progress from one line of ``--progress=plain`` output."""
    vertex = _VERTEX.match(line)
    if vertex:
        key = vertex.group(1)
        stage = vertex.group("stage") or ""
        progress._stage_totals[stage] = int(vertex.group("total"))
        progress.steps_total = sum(progress._stage_totals.values())
        label = f"[{(stage + ' ') if stage else ''}{vertex.group('n')}/{vertex.group('total')}]"
        progress._steps.setdefault(key, f"{label} {vertex.group('what')}")
        progress.current_step = progress._steps[key]
        return
    metadata = _METADATA.match(line)
    if metadata:
        progress._metadata[metadata.group(1)] = metadata.group(2)
        return
    state = _STATE.match(line)
    if state and state.group(1) in progress._metadata and state.group("error") is not None:
        reference = progress._metadata[state.group(1)]
        progress.base_pull_error = f"{reference}: {state.group('error') or 'failed'}"
        return
    if not state or state.group(1) not in progress._steps:
        return
    key, word = state.group(1), state.group(2)
    if word == "CACHED":
        progress.cache_hits += 1
    if word == "CACHED" or word.startswith("DONE"):
        progress.steps_done += 1
    elif word.startswith("ERROR"):
        progress.failed_step = progress._steps[key]
        progress.error = state.group("error") or "failed"
        code = _EXIT_CODE.search(line)
        progress.exit_code = int(code.group(1)) if code else None


def parse_classic_event(event: dict, progress: BuildProgress) -> str:
    """Update progress from one decoded event of the engine's build API; return its text."""
    if "error" in event:
        message = str(event.get("errorDetail", {}).get("message") or event["error"])
        progress.failed_step = progress.current_step or None
        progress.error = message.strip()
        code = event.get("errorDetail", {}).get("code")
        match = _EXIT_CODE.search(message)
        progress.exit_code = int(code) if code else int(match.group(1)) if match else None
        return f"ERROR: {message}\n"
    aux = event.get("aux")
    if isinstance(aux, dict) and "ID" in aux:
        progress.image_id = str(aux["ID"])
    text = str(event.get("stream", ""))
    for line in text.splitlines():
        step = _CLASSIC_STEP.match(line.strip())
        if step:
            progress.steps_done = int(step.group(1)) - 1
            progress.steps_total = int(step.group(2))
            progress.current_step = f"[{step.group(1)}/{step.group(2)}] {step.group(3)}"
        elif line.strip() == "---> Using cache":
            progress.cache_hits += 1
    return text


# -- running -------------------------------------------------------------------

OnOutput = Callable[[str, BuildProgress], None]


PULL_HINT = (
    "run `workbench bootstrap` to make local stand-ins for base images this machine "
    "cannot pull, or pull it yourself"
)


def _describe_failure(progress: BuildProgress, fallback: str) -> str:
    if progress.base_pull_error:
        reference, _, why = progress.base_pull_error.partition(": ")
        return f"the base image {reference} cannot be pulled ({why}); {PULL_HINT}"
    base = _FROM_STEP.match(progress.failed_step or "")
    if base:
        why = (progress.error or "failed").splitlines()[0]
        return f"the base image {base.group(1)} cannot be pulled ({why}); {PULL_HINT}"
    if progress.failed_step:
        code = f" with exit code {progress.exit_code}" if progress.exit_code is not None else ""
        return f"step {progress.failed_step} failed{code}"
    return progress.error or fallback


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
        command = [builder.cli, *(["buildx", "build", "--load"] if builder.buildx else ["build"])]
        command += ["--progress=plain", "--iidfile", str(iidfile), "-f", DOCKERFILE_NAME, "-t", tag]
        for key, value in labels.items():
            command += ["--label", f"{key}={value}"]
        if no_cache:
            command.append("--no-cache")
        for key in build_args or {}:
            command += ["--build-arg", key]  # values come from the environment, never argv
        command.append("-")
        env = {**os.environ, "DOCKER_BUILDKIT": "1", **(build_args or {})}
        try:
            process = subprocess.Popen(
                command,
                stdin=context,
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
            if _CLI_MESSAGE.match(line):
                said = line.strip()[:300]
        code = process.wait()
        if cancel.is_set():
            return BuildOutcome("cancelled", None, "cancelled by the user")
        cancel.set()  # release the watcher thread
        if code != 0:
            return BuildOutcome(
                "failed",
                None,
                _describe_failure(
                    progress,
                    f"docker build exited with code {code}" + (f": {said}" if said else ""),
                ),
                progress.failed_step,
            )
        image_id = iidfile.read_text().strip() if iidfile.exists() else None
        return BuildOutcome("succeeded", image_id)


CONNECTION_ERRORS = (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError)


class _CancellableAPIClient(docker.APIClient):
    """An API client that keeps the build's HTTP response, so cancel can cut it."""

    response = None

    def _post(self, url, **kwargs):
        response = super()._post(url, **kwargs)
        self.response = response
        return response


def _cut(response) -> None:
    """Shut the build's connection; the engine then stops the build and its container."""
    with contextlib.suppress(AttributeError, OSError):
        response.raw._fp.fp.raw._sock.shutdown(socket.SHUT_RDWR)
    response.close()


def label_instruction(labels: Mapping[str, str]) -> str:
    """One ``LABEL`` instruction carrying every label.

    The classic builder turns each label of the API's ``labels`` into a step of its
    own (an image commit each); one instruction at the end of the Dockerfile is one.
    """
    pairs = " ".join(f"{json.dumps(key)}={json.dumps(value)}" for key, value in labels.items())
    return f"\nLABEL {pairs}\n"


def run_classic(
    client: docker.DockerClient,
    context: IO[bytes],
    tag: str,
    on_output: OnOutput,
    cancel: threading.Event,
    build_args: Mapping[str, str] | None = None,
    no_cache: bool = False,
) -> BuildOutcome:
    """Build with the engine's classic builder through the SDK's streaming API.

    Labels go in the Dockerfile (see :func:`label_instruction`), not through the API.
    """
    progress = BuildProgress()
    api = _CancellableAPIClient(**kwargs_from_env(), version=client.api.api_version, timeout=None)
    finished = threading.Event()

    def stop_on_cancel() -> None:
        while not finished.is_set():
            if cancel.wait(0.2) and api.response is not None:
                _cut(api.response)
                return

    threading.Thread(target=stop_on_cancel, daemon=True).start()
    try:
        stream = api.build(
            fileobj=context,
            custom_context=True,
            dockerfile=DOCKERFILE_NAME,
            tag=tag,
            buildargs=dict(build_args or {}),
            rm=True,
            forcerm=True,
            nocache=no_cache,
            decode=True,
        )
        for event in stream:
            text = parse_classic_event(event, progress)
            on_output(text, progress)
    except Exception as exc:
        # Cutting the connection on cancel surfaces as whatever the stream was doing
        # (a protocol error, a read on a closed file...): all of it means "cancelled".
        if cancel.is_set():
            pass
        elif isinstance(exc, docker.errors.APIError):
            return BuildOutcome("failed", None, f"the engine refused the build: {exc.explanation}")
        elif isinstance(exc, CONNECTION_ERRORS):
            return BuildOutcome("failed", None, f"the connection to the engine broke: {exc}")
        else:
            raise
    finally:
        finished.set()
        api.close()
    if cancel.is_set():
        return BuildOutcome("cancelled", None, "cancelled by the user")
    if progress.error:
        return BuildOutcome(
            "failed", None, _describe_failure(progress, progress.error), progress.failed_step
        )
    if progress.image_id is None:
        try:
            progress.image_id = client.images.get(tag).id
        except docker.errors.ImageNotFound:
            return BuildOutcome("failed", None, "the engine reported no image")
    progress.steps_done = progress.steps_total
    return BuildOutcome("succeeded", progress.image_id)

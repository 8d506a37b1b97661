"""Smoke tests: run a built image with its own command and check that it still answers.

An optimization that breaks the app saves nothing, so every variant can be run once:

* the container starts with the image's own ENTRYPOINT/CMD;
* its port (the plan's, else the first the image exposes) is published on 127.0.0.1
  at a free port the engine picks;
* the check is an HTTP GET on the configured path (ready at the first 2xx/3xx
  answer), or a configured command run inside the container (ready when it exits 0);
* a process that exits before it is ready fails at once, with its exit code and the
  tail of its log;
* the peak memory is the highest usage the engine's stats reported (the docker CLI's
  figure: usage minus inactive file cache), sampled about once a second;
* the container is always removed: on success, failure, timeout, error or Ctrl-C.

Defaults come from the ``[smoke]`` section of the project's plan when the image
carries the workbench's labels (``org.workbench.project-path``). Every result is kept
in the store by image id; :func:`latest_smoke` reads the newest one back (the
"still works?" column of the Builds and Compare pages).

The probe runs where the workbench runs, so an engine on another machine
(``DOCKER_HOST=tcp://...``) publishes on *its* loopback and the HTTP check cannot
reach it there; a command check works with any engine.

:func:`run_smoke` chains the steps: settle the check (settings), start the container
(:mod:`~workbench.checks.container`), wait until it is ready
(:mod:`~workbench.checks.probes`) while watching its memory, then the result.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from workbench.checks.container import MemoryWatch, log_tail, remove_leftovers, running_container
from workbench.checks.probes import wait_ready
from workbench.engine.images import short_id
from workbench.errors import SmokeError, WorkbenchError
from workbench.jobs import SMOKE, Jobs, process_jobs
from workbench.labels import PROJECT_PATH
from workbench.project.plan import SmokeSettings
from workbench.store import Store

__all__ = [
    "SmokeResult",
    "latest_smoke",
    "remove_leftovers",
    "run_smoke",
    "settings_for_image",
    "smoke_error",
    "smoke_running",
    "start_smoke",
]


@dataclass(frozen=True)
class SmokeResult:
    """The outcome of one smoke test.

    Attributes:
        image: the reference asked for.
        image_id: the image's id.
        passed: whether the check succeeded before the timeout.
        mode: ``"http"`` or ``"command"``.
        check: what was checked (``GET /health on port 8080``, or the command).
        seconds_to_ready: from start to the first successful check, ``None`` if never.
        seconds: how long the test took, start to removal.
        peak_memory_bytes: the highest memory use the engine reported, ``None`` if
            no sample arrived.
        exit_code: the container's exit code when its process ended by itself.
        http_status: the last HTTP status the check saw.
        error: one line saying why it failed ("" when it passed).
        log_tail: the container's last log lines, kept on failure.
        container_port: the container port probed.
        host_port: the 127.0.0.1 port it was published on.
        settings_from: ``"plan"`` when the project's plan gave the defaults, else
            ``"defaults"``; options given on top do not change it.
        checked_at: when the test ended (epoch seconds).
    """

    image: str
    image_id: str
    passed: bool
    mode: str
    check: str
    seconds_to_ready: float | None
    seconds: float
    peak_memory_bytes: int | None = None
    exit_code: int | None = None
    http_status: int | None = None
    error: str = ""
    log_tail: str = ""
    container_port: int | None = None
    host_port: int | None = None
    settings_from: str = "defaults"
    checked_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (``workbench smoke --json`` and the store)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SmokeResult:
        """Read back what :meth:`to_dict` wrote (unknown keys ignored)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def summary(self) -> str:
        """One line for people."""
        if self.passed:
            memory = (
                f", peak memory {self.peak_memory_bytes / 1e6:.1f} MB"
                if self.peak_memory_bytes is not None
                else ""
            )
            return f"passed: {self.check} ready in {self.seconds_to_ready:.1f} s{memory}"
        return f"failed: {self.error}"


# ---------------------------------------------------------------------------------------------
# Settings


def settings_for_image(labels: Mapping[str, str] | None) -> tuple[SmokeSettings, str]:
    """The smoke settings of the project an image was built from, when it says so.

    Returns:
        The settings and where they came from (``"plan"`` or ``"defaults"``).
    """
    from workbench.project import load_project

    path = (labels or {}).get(PROJECT_PATH)
    if path and Path(path).is_dir():
        try:
            plan = load_project(path).plan()
        except WorkbenchError:
            plan = None
        if plan is not None:
            return plan.smoke, "plan"
    return SmokeSettings(), "defaults"


def _exposed_ports(config: Mapping[str, Any]) -> list[int]:
    """The TCP ports an image's config exposes, lowest first."""
    ports = []
    for key in config.get("ExposedPorts") or {}:
        number, _, protocol = key.partition("/")
        if (protocol or "tcp") == "tcp" and number.isdigit():
            ports.append(int(number))
    return sorted(ports)


@dataclass(frozen=True)
class _Check:
    """What one smoke test checks, settled before its container starts.

    Attributes:
        settings: the plan's settings (or the defaults) with the options on top.
        settings_from: ``"plan"`` or ``"defaults"``.
        mode: ``"http"`` or ``"command"``.
        container_port: the container port to publish, ``None`` for none.
        probe_path: the HTTP path, with its leading ``/``.
        description: what is checked, for people (``GET /health on port 8080``).
    """

    settings: SmokeSettings
    settings_from: str
    mode: str
    container_port: int | None
    probe_path: str
    description: str


def _check_for(
    image: str,
    config: Mapping[str, Any],
    path: str | None,
    port: int | None,
    command: Sequence[str] | None,
    timeout_s: float | None,
) -> _Check:
    """The check of an image: its project's settings with the options given on top.

    Args:
        image: the reference asked for (for the error message).
        config: the image's ``Config`` from the engine's inspect.
        path, port, command, timeout_s: the options of :func:`run_smoke`.

    Raises:
        SmokeError: an HTTP check but the image has no port to probe.
    """
    settings, settings_from = settings_for_image(config.get("Labels"))
    if path is not None or port is not None or command is not None or timeout_s is not None:
        settings = replace(
            settings,
            path=path if path is not None else settings.path,
            port=port if port is not None else settings.port,
            command=tuple(command) if command is not None else settings.command,
            timeout_s=timeout_s if timeout_s is not None else settings.timeout_s,
        )
    if path is not None and command is None:
        settings = replace(settings, command=())  # --path asks for the HTTP check
    mode = "command" if settings.command else "http"
    container_port = settings.port
    if container_port is None:
        exposed = _exposed_ports(config)
        container_port = exposed[0] if exposed else None
    if mode == "http" and container_port is None:
        raise SmokeError(
            f"{image} exposes no port and its plan names none; pass --port, or --cmd to run a "
            "check inside the container"
        )
    probe_path = settings.path if settings.path.startswith("/") else "/" + settings.path
    description = (
        " ".join(settings.command)
        if mode == "command"
        else f"GET {probe_path} on port {container_port}"
    )
    return _Check(settings, settings_from, mode, container_port, probe_path, description)


# ---------------------------------------------------------------------------------------------
# The test


def run_smoke(
    image: str,
    *,
    path: str | None = None,
    port: int | None = None,
    command: Sequence[str] | None = None,
    timeout_s: float | None = None,
    client: Any = None,
    store: Store | None = None,
    save: bool = True,
    on_progress: Callable[[str], None] | None = None,
) -> SmokeResult:
    """Run an image with its own command and check that it answers.

    Args:
        image: a tag or an image id.
        path: the HTTP path to probe (default: the plan's, else ``/health``).
        port: the container port to publish (default: the plan's, else the first
            exposed port).
        command: a check to run inside the container instead of the HTTP probe
            (ready when it exits 0); default: the plan's ``command``, if any.
        timeout_s: how long to wait for ready (default: the plan's, else 60 s).
        client: a docker client (default: :func:`workbench.engine.connect`).
        store: where to keep the result (default: the workbench's store).
        save: keep the result in the store.
        on_progress: called with short lines while the test runs.

    Returns:
        The result; a failed check is a result with ``passed=False``, not an error.

    Raises:
        SmokeError: the image is missing, has no port to probe, or the engine refused
            to create or start the container (no container is left behind).
        KeyboardInterrupt: after the container is removed.
    """
    from workbench import engine

    say = on_progress or (lambda line: None)
    client = client or engine.connect()
    inspect = engine.inspect_image(client, image, SmokeError, "build it first (`workbench build`)")
    check = _check_for(image, inspect.get("Config") or {}, path, port, command, timeout_s)
    remove_leftovers(client)
    name = f"workbench-smoke-{uuid.uuid4().hex[:10]}"
    started = time.monotonic()
    with running_container(client, image, inspect["Id"], name, check.container_port) as container:
        outcome, peak = _wait(client, container, name, check, started, say)
    result = _result(image, inspect["Id"], check, outcome, peak, started)
    if save:
        (store or Store()).save_smoke_result(result.image_id, result.passed, result.to_dict())
    return result


def _wait(
    client: Any,
    container: Any,
    name: str,
    check: _Check,
    started: float,
    say: Callable[[str], None],
) -> tuple[dict[str, Any], int | None]:
    """Watch the started container's memory while waiting for it to be ready.

    Returns:
        The outcome of :func:`~workbench.checks.probes.wait_ready` (with the log tail
        when the check failed) and the peak memory seen, ``None`` if no sample came.
    """
    watch = MemoryWatch(client, container.id)
    try:
        timeout_s = check.settings.timeout_s
        say(f"started {name}; waiting up to {timeout_s:.0f} s for {check.description}")
        outcome = wait_ready(
            client,
            container,
            check.mode,
            check.probe_path,
            check.container_port,
            check.settings,
            started,
        )
        watch.sample_now()
        if not outcome["passed"]:
            outcome["log_tail"] = log_tail(container)
    finally:
        watch.stop()
    return outcome, watch.peak


def _result(
    image: str,
    image_id: str,
    check: _Check,
    outcome: Mapping[str, Any],
    peak: int | None,
    started: float,
) -> SmokeResult:
    """The test's result, timed from ``started`` to now (the container removed)."""
    seconds = time.monotonic() - started
    return SmokeResult(
        image=image,
        image_id=image_id,
        passed=outcome["passed"],
        mode=check.mode,
        check=check.description,
        seconds_to_ready=outcome.get("ready_s"),
        seconds=round(seconds, 3),
        peak_memory_bytes=peak,
        exit_code=outcome.get("exit_code"),
        http_status=outcome.get("http_status"),
        error=outcome.get("error", ""),
        log_tail=outcome.get("log_tail", ""),
        container_port=check.container_port,
        host_port=outcome.get("host_port"),
        settings_from=check.settings_from,
        checked_at=time.time(),
    )


# ---------------------------------------------------------------------------------------------
# Reading back


def latest_smoke(image_id: str, store: Store | None = None) -> SmokeResult | None:
    """The newest smoke result of an image (by id), or ``None`` if it was never tested.

    This is the "still works?" answer of the Builds and Compare pages.
    """
    data = (store or Store()).latest_smoke_result(image_id)
    if data is None:
        return None
    return SmokeResult.from_dict({**data, "passed": data.get("passed", False)})


# ---------------------------------------------------------------------------------------------
# In the background (pages never block on a smoke test)


def start_smoke(image: str, *, jobs: Jobs | None = None, **options: Any) -> bool:
    """Run :func:`run_smoke` on the process's smoke lane; the result lands in the store.

    Args:
        image: a tag or an image id.
        jobs: the jobs to queue it on (default: the process's).
        **options: passed to :func:`run_smoke`.

    Returns:
        False when a smoke test of this image is already queued or running here.
    """
    jobs = jobs or process_jobs()
    if jobs.running(SMOKE, image):
        return False
    jobs.submit(SMOKE, image, lambda: run_smoke(image, **options), short_id(image))
    return True


def smoke_running(image: str, jobs: Jobs | None = None) -> bool:
    """Whether a background smoke test of this image is queued or running in this process."""
    return (jobs or process_jobs()).running(SMOKE, image)


def smoke_error(image: str, jobs: Jobs | None = None) -> str | None:
    """Why the last background smoke test of this image could not run, if it could not."""
    job = (jobs or process_jobs()).job(SMOKE, image)
    return job.error if job is not None else None

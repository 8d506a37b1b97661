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
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from workbench.errors import SmokeError, WorkbenchError
from workbench.jobs import SMOKE, Jobs, process_jobs, short_id
from workbench.labels import PROJECT_PATH, SMOKE_OWNER
from workbench.labels import SMOKE as SMOKE_LABEL
from workbench.processes import host_name, pid_alive
from workbench.project.plan import SmokeSettings
from workbench.store import Store

LOG_TAIL_LINES = 40
POLL_S = 0.25
PROBE_TIMEOUT_S = 2.0


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
    ports = []
    for key in config.get("ExposedPorts") or {}:
        number, _, protocol = key.partition("/")
        if (protocol or "tcp") == "tcp" and number.isdigit():
            ports.append(int(number))
    return sorted(ports)


# ---------------------------------------------------------------------------------------------
# Memory


class _MemoryWatch:
    """Samples a container's memory use from the engine's stats stream, on a thread."""

    def __init__(self, client: Any, container_id: str) -> None:
        self.client, self.container_id = client, container_id
        self.peak: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="smoke-stats", daemon=True)
        self._thread.start()

    @staticmethod
    def usage(sample: Mapping[str, Any]) -> int | None:
        """The docker CLI's memory figure of one stats sample."""
        memory = sample.get("memory_stats") or {}
        usage = memory.get("usage")
        if usage is None:
            return None
        stats = memory.get("stats") or {}
        inactive = stats.get("inactive_file", stats.get("total_inactive_file", 0)) or 0
        value = int(usage) - int(inactive) if inactive < usage else int(usage)
        peak = memory.get("max_usage")  # cgroup v1 only
        return max(value, int(peak) - int(inactive)) if peak else value

    def add(self, sample: Mapping[str, Any]) -> None:
        value = self.usage(sample)
        if value is not None and value > 0:
            self.peak = value if self.peak is None else max(self.peak, value)

    def _run(self) -> None:
        with contextlib.suppress(Exception):  # the stream ends when the container goes
            for sample in self.client.api.stats(self.container_id, decode=True, stream=True):
                self.add(sample)
                if self._stop.is_set():
                    return

    def sample_now(self) -> None:
        with contextlib.suppress(Exception):
            self.add(self.client.api.stats(self.container_id, stream=False, one_shot=True))

    def stop(self) -> None:
        self._stop.set()


# ---------------------------------------------------------------------------------------------
# Probes


def _http_probe(url: str) -> tuple[int | None, str]:
    """GET the URL once: (status, "") on an HTTP answer, (None, reason) otherwise."""
    try:
        with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT_S) as response:  # noqa: S310
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, str(reason) or type(exc).__name__


def _exec_probe(
    client: Any, container_id: str, command: Sequence[str], wait_s: float
) -> int | None:
    """Run the command in the container; its exit code, ``None`` if it did not end in time."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            exec_id = client.api.exec_create(container_id, list(command))["Id"]
            client.api.exec_start(exec_id)
            outcome["code"] = client.api.exec_inspect(exec_id).get("ExitCode")
        except Exception as exc:  # the container may stop meanwhile
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="smoke-exec", daemon=True)
    thread.start()
    thread.join(max(wait_s, 0.1))
    return outcome.get("code")


# ---------------------------------------------------------------------------------------------
# Leftovers


def _owner() -> str:
    return f"{host_name()}:{os.getpid()}"


def remove_leftovers(client: Any) -> list[str]:
    """Remove smoke containers whose workbench process on this machine is gone.

    A ``kill -9`` cannot run a ``finally``; the next smoke test cleans up after it.

    Returns:
        The names of the containers removed.
    """
    import docker.errors

    host = host_name()
    removed = []
    try:
        containers = client.containers.list(all=True, filters={"label": SMOKE_LABEL})
    except docker.errors.DockerException:
        return []
    for container in containers:
        owner = (container.labels or {}).get(SMOKE_OWNER, "")
        owner_host, _, pid = owner.rpartition(":")
        if owner_host != host or not pid.isdigit() or pid_alive(int(pid)):
            continue
        with contextlib.suppress(docker.errors.DockerException):
            container.remove(force=True)
            removed.append(container.name)
    return removed


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
    import docker.errors

    from workbench import engine

    say = on_progress or (lambda line: None)
    client = client or engine.connect()
    inspect = engine.inspect_image(client, image, SmokeError, "build it first (`workbench build`)")
    config = inspect.get("Config") or {}
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
    check = (
        " ".join(settings.command)
        if mode == "command"
        else f"GET {probe_path} on port {container_port}"
    )

    remove_leftovers(client)
    ports = {f"{container_port}/tcp": ("127.0.0.1", None)} if container_port else {}
    name = f"workbench-smoke-{uuid.uuid4().hex[:10]}"
    started = time.monotonic()
    container = None
    watch: _MemoryWatch | None = None
    outcome: dict[str, Any] = {}
    try:
        try:
            container = client.containers.create(
                inspect["Id"],
                name=name,
                detach=True,
                ports=ports,
                labels={SMOKE_LABEL: "1", SMOKE_OWNER: _owner()},
            )
            container.start()
        except docker.errors.DockerException as exc:
            raise SmokeError(f"the engine could not start {image}: {_one_line(exc)}") from exc
        watch = _MemoryWatch(client, container.id)
        say(f"started {name}; waiting up to {settings.timeout_s:.0f} s for {check}")
        outcome = _wait_ready(
            client, container, mode, probe_path, container_port, settings, started
        )
        if watch is not None:
            watch.sample_now()
        if not outcome["passed"]:
            outcome["log_tail"] = _log_tail(container)
    finally:
        if watch is not None:
            watch.stop()
        if container is not None:
            _remove(container)
    seconds = time.monotonic() - started
    result = SmokeResult(
        image=image,
        image_id=inspect["Id"],
        passed=outcome["passed"],
        mode=mode,
        check=check,
        seconds_to_ready=outcome.get("ready_s"),
        seconds=round(seconds, 3),
        peak_memory_bytes=watch.peak if watch is not None else None,
        exit_code=outcome.get("exit_code"),
        http_status=outcome.get("http_status"),
        error=outcome.get("error", ""),
        log_tail=outcome.get("log_tail", ""),
        container_port=container_port,
        host_port=outcome.get("host_port"),
        settings_from=settings_from,
        checked_at=time.time(),
    )
    if save:
        (store or Store()).save_smoke_result(result.image_id, result.passed, result.to_dict())
    return result


def _wait_ready(
    client: Any,
    container: Any,
    mode: str,
    path: str,
    container_port: int | None,
    settings: SmokeSettings,
    started: float,
) -> dict[str, Any]:
    """Poll until the check succeeds, the process exits, or the timeout passes."""
    deadline = started + settings.timeout_s
    host_port: int | None = None
    last_status: int | None = None
    last_reason = "no answer yet"
    while True:
        container.reload()
        state = container.attrs.get("State") or {}
        if not state.get("Running"):
            code = state.get("ExitCode")
            elapsed = time.monotonic() - started
            return {
                "passed": False,
                "exit_code": code,
                "host_port": host_port,
                "error": (
                    f"the container's command exited with code {code} after {elapsed:.1f} s, "
                    "before it was ready"
                ),
            }
        if mode == "http":
            if host_port is None:
                host_port = _host_port(container, container_port)
            if host_port is not None:
                status, reason = _http_probe(f"http://127.0.0.1:{host_port}{path}")
                if status is not None:
                    last_status = status
                    if 200 <= status < 400:
                        return _ready(started, host_port, status)
                    last_reason = f"it answered HTTP {status}"
                else:
                    last_reason = reason
        else:
            remaining = max(deadline - time.monotonic(), PROBE_TIMEOUT_S)
            code = _exec_probe(client, container.id, settings.command, remaining)
            if code == 0:
                return _ready(started, host_port, None)
            if code is not None:
                last_reason = f"the check exited with code {code}"
            elif last_reason == "no answer yet":
                last_reason = "the check did not finish"
        if time.monotonic() >= deadline:
            where = f"http://127.0.0.1:{host_port}{path}" if mode == "http" else "the check command"
            return {
                "passed": False,
                "host_port": host_port,
                "http_status": last_status,
                "error": (
                    f"not ready within {settings.timeout_s:.0f} s: {where} ({last_reason}); "
                    "raise --timeout or check the log"
                ),
            }
        time.sleep(POLL_S)


def _ready(started: float, host_port: int | None, status: int | None) -> dict[str, Any]:
    return {
        "passed": True,
        "ready_s": round(time.monotonic() - started, 3),
        "host_port": host_port,
        "http_status": status,
    }


def _host_port(container: Any, container_port: int | None) -> int | None:
    ports = (container.attrs.get("NetworkSettings") or {}).get("Ports") or {}
    for binding in ports.get(f"{container_port}/tcp") or ():
        if binding.get("HostPort", "").isdigit():
            return int(binding["HostPort"])
    return None


def _log_tail(container: Any, lines: int = LOG_TAIL_LINES) -> str:
    with contextlib.suppress(Exception):
        return container.logs(tail=lines).decode("utf-8", "replace").rstrip()
    return ""


def _remove(container: Any) -> None:
    """Remove the container; retried once, and never raises (the test's outcome stands)."""
    import docker.errors

    for _ in range(2):
        try:
            container.remove(force=True)
            return
        except docker.errors.NotFound:
            return
        except docker.errors.DockerException:
            time.sleep(0.5)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


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

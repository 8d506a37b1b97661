"""Smoke tests: run a built image and check that it still answers.

An optimization that breaks the app saves nothing, so every variant can be run once:

* the container starts with the image's own ENTRYPOINT/CMD, or the ``command`` and
  ``entrypoint`` of the settings, and their environment (``env``, and ``env_file``
  read on the workbench's side);
* its port (the settings', else the first the image exposes) is published on 127.0.0.1
  at a free port the engine picks;
* the check is an HTTP GET on the configured path (ready at the first answer with the
  expected ``status``, else any 2xx/3xx), or a ``check`` command run inside the
  container (ready when it exits 0);
* a process that exits before it is ready fails at once, with its exit code and the
  tail of its log;
* the peak memory is the highest usage the engine's stats reported (the docker CLI's
  figure: usage minus inactive file cache), sampled about once a second;
* the container is always removed: on success, failure, timeout, error or Ctrl-C.

Environment values are never printed or stored: a result names the variables
(``GET /health on port 8000 (env: A, B)``), and each value is ``****`` in its log
tail and messages.

Defaults come from the project when the image carries the workbench's labels
(``org.workbench.project-path``): the ``[smoke]`` table of its plan with the overrides
saved for it (:mod:`workbench.project.smoke`). Every result is kept in the store by
image id; :func:`latest_smoke` reads the newest one back (the "still works?" column of
the Builds and Compare pages).

The probe runs where the workbench runs, so an engine on another machine
(``DOCKER_HOST=ssh://...``, or ``tcp://`` at an address other than the loopback)
publishes on *its* loopback and the HTTP check cannot reach it here: it is refused at
once (:data:`REMOTE_HTTP`) rather than left to probe whatever listens on that port on
this machine.  A command check works with any engine.

:func:`run_smoke` chains the steps: settle the check (settings), start the container
(:mod:`~workbench.checks.container`), wait until it is ready
(:mod:`~workbench.checks.probes`) while watching its memory, then the result.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from workbench.checks.container import (
    MemoryWatch,
    RunSpec,
    log_tail,
    mask,
    remove_leftovers,
    running_container,
)
from workbench.checks.probes import wait_ready
from workbench.engine.images import short_id
from workbench.errors import PlanError, ProjectError, SmokeError
from workbench.jobs import SMOKE, Jobs, process_jobs
from workbench.labels import PROJECT_PATH
from workbench.project.folder import load_project
from workbench.project.plan import SmokeSettings, parse_smoke
from workbench.project.smoke import env_file_path, load_smoke_settings, read_env_file
from workbench.store import Store
from workbench.units import human_bytes

__all__ = [
    "SmokeResult",
    "describe",
    "latest_smoke",
    "remove_leftovers",
    "run_smoke",
    "settings_for_image",
    "smoke_error",
    "smoke_running",
    "start_smoke",
]


REMOTE_HTTP = (
    "the HTTP check runs on this machine, and the engine at {host} publishes the "
    "container's port on its own loopback; check with a command run inside the container "
    "instead (--check, or `check` in the plan's [smoke])"
)


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
        settings_from: ``"saved"`` when the project's saved settings gave the
            defaults, ``"plan"`` when its plan did, else ``"defaults"``; options given
            on top do not change it.
        checked_at: when the test ended (epoch seconds).
        env_keys: the names of the container's environment variables (never their
            values, which are masked as ``****`` in every text of the result).
        status_expected: the HTTP status the check expected, ``None`` for any 2xx/3xx.
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
    env_keys: tuple[str, ...] = ()
    status_expected: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (``workbench smoke --json`` and the store)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SmokeResult:
        """Read back what :meth:`to_dict` wrote (unknown keys ignored)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["env_keys"] = tuple(values.get("env_keys") or ())
        return cls(**values)

    def summary(self) -> str:
        """One line for people."""
        if self.passed:
            memory = (
                f", peak memory {human_bytes(self.peak_memory_bytes)}"
                if self.peak_memory_bytes is not None
                else ""
            )
            return f"passed: {self.check} ready in {self.seconds_to_ready:.1f} s{memory}"
        return f"failed: {self.error}"


# ---------------------------------------------------------------------------------------------
# Settings


def settings_for_image(labels: Mapping[str, str] | None) -> tuple[SmokeSettings, str]:
    """The smoke settings of the project an image was built from, when it says so.

    They are the project's plan's ``[smoke]`` with the overrides saved for it on top
    (:func:`workbench.project.smoke.load_smoke_settings`).

    Returns:
        The settings and where they came from (``"saved"``, ``"plan"`` or ``"defaults"``).

    Raises:
        PlanError: the project's plan or saved settings are malformed (one line).
    """
    folder = _project_folder(labels)
    if folder is not None:
        try:
            project = load_project(folder)
        except ProjectError:  # the folder is no longer a project
            project = None
        if project is not None:
            return load_smoke_settings(project)
    return SmokeSettings(), "defaults"


def _project_folder(labels: Mapping[str, str] | None) -> Path | None:
    """The folder of the project an image names in its labels, if it is still there."""
    path = (labels or {}).get(PROJECT_PATH)
    return Path(path) if path and Path(path).is_dir() else None


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
        settings: the project's settings (or the defaults) with the options on top.
        settings_from: ``"saved"``, ``"plan"`` or ``"defaults"``.
        mode: ``"http"`` or ``"command"``.
        container_port: the container port to publish, ``None`` for none.
        probe_path: the HTTP path, with its leading ``/``.
        description: what is checked, for people (``GET /health on port 8080``).
        run: the container's environment, command and entrypoint.
        env_keys: the names of its environment variables, sorted.
    """

    settings: SmokeSettings
    settings_from: str
    mode: str
    container_port: int | None
    probe_path: str
    description: str
    run: RunSpec = field(default_factory=RunSpec)
    env_keys: tuple[str, ...] = ()


def _with_options(
    settings: SmokeSettings, options: Mapping[str, Any], base_folder: Path
) -> SmokeSettings:
    """The settings with the options of :func:`run_smoke` on top, validated.

    ``env`` adds to the settings' variables; ``env_file`` is relative to the current
    folder; ``path`` without ``check`` asks for the HTTP check.

    Raises:
        SmokeError: an option is wrong (one line naming it).
    """
    raw = dict(options)
    if isinstance(raw.get("env"), Mapping):
        raw["env"] = {**settings.env, **raw["env"]}
    if "env_file" in raw:
        raw["env_file"] = str(base_folder / Path(raw["env_file"]).expanduser())
    if "path" in raw and "check" not in raw:
        raw["check"] = ()
    try:
        return parse_smoke(raw, "", settings)
    except PlanError as exc:
        raise SmokeError(f"bad smoke option {exc}") from exc


def _environment(settings: SmokeSettings, folder: Path | None) -> dict[str, str]:
    """The container's variables: the env file's, then ``env`` (which wins).

    Raises:
        SmokeError: the env file is missing or malformed (before any container exists).
    """
    environment = {}
    if settings.env_file is not None:
        environment.update(read_env_file(env_file_path(settings.env_file, folder)))
    environment.update(settings.env)
    return environment


def describe(
    settings: SmokeSettings, mode: str, probe_path: str, port: int | None, env_keys: Sequence[str]
) -> str:
    """What a smoke test checks, for people; names variables, never their values.

    For example ``GET /health on port 8000 (env: A, B)``.
    """
    if mode == "command":
        text = " ".join(settings.check)
    else:
        text = f"GET {probe_path} on port {port}"
        if settings.status is not None:
            text += f" expecting HTTP {settings.status}"
    extras = []
    if settings.entrypoint is not None:
        extras.append(f"entrypoint: {' '.join(settings.entrypoint) or '(none)'}")
    if settings.command is not None:
        extras.append(f"command: {' '.join(settings.command)}")
    if env_keys:
        extras.append(f"env: {', '.join(env_keys)}")
    return f"{text} ({'; '.join(extras)})" if extras else text


def _check_for(image: str, config: Mapping[str, Any], options: Mapping[str, Any]) -> _Check:
    """The check of an image: its project's settings with the options given on top.

    Args:
        image: the reference asked for (for the error message).
        config: the image's ``Config`` from the engine's inspect.
        options: the options of :func:`run_smoke` that were given (not ``None``).

    Raises:
        SmokeError: an option is wrong, the env file is missing, or an HTTP check but
            the image has no port to probe.
    """
    settings, settings_from = settings_for_image(config.get("Labels"))
    folder = _project_folder(config.get("Labels"))
    if options:
        settings = _with_options(settings, options, Path.cwd())
    environment = _environment(settings, folder)
    mode = "command" if settings.check else "http"
    container_port = settings.port
    if container_port is None:
        exposed = _exposed_ports(config)
        container_port = exposed[0] if exposed else None
    if mode == "http" and container_port is None:
        raise SmokeError(
            f"{image} exposes no port and its plan names none; pass --port, or --check to run "
            "a check inside the container"
        )
    probe_path = settings.path if settings.path.startswith("/") else "/" + settings.path
    env_keys = tuple(sorted(environment))
    description = describe(settings, mode, probe_path, container_port, env_keys)
    run = RunSpec(environment, settings.command, settings.entrypoint)
    return _Check(
        settings, settings_from, mode, container_port, probe_path, description, run, env_keys
    )


# ---------------------------------------------------------------------------------------------
# The test


def run_smoke(
    image: str,
    *,
    path: str | None = None,
    port: int | None = None,
    status: int | None = None,
    timeout_s: float | None = None,
    env: Mapping[str, str] | None = None,
    env_file: str | Path | None = None,
    command: str | Sequence[str] | None = None,
    entrypoint: str | Sequence[str] | None = None,
    check: str | Sequence[str] | None = None,
    client: Any = None,
    store: Store | None = None,
    save: bool = True,
    on_progress: Callable[[str], None] | None = None,
) -> SmokeResult:
    """Run an image and check that it answers.

    Options left ``None`` take the project's settings (the plan's ``[smoke]`` with the
    saved overrides), else the defaults. Commands are a list of words or one string
    split as a shell splits words. Environment values are never printed or stored: the
    result names the variables only, and its log tail shows each value as ``****``.

    Args:
        image: a tag or an image id.
        path: the HTTP path to probe (default ``/health``); given without ``check``,
            it asks for the HTTP probe.
        port: the container port to publish (default: the first exposed port).
        status: the HTTP status expected (default: any 2xx or 3xx).
        timeout_s: how long to wait for ready (default 60 s).
        env: variables for the container, on top of the settings' ones.
        env_file: a file of ``KEY=VALUE`` lines, relative to the current folder, read
            here (the settings' ``env_file`` is relative to the project's folder).
        command: replaces the image's CMD.
        entrypoint: replaces the image's ENTRYPOINT (empty for none).
        check: a command run inside the container instead of the HTTP probe (ready
            when it exits 0); empty for the HTTP probe.
        client: a docker client (default: :func:`workbench.engine.connect`).
        store: where to keep the result (default: the workbench's store).
        save: keep the result in the store.
        on_progress: called with short lines while the test runs.

    Returns:
        The result; a failed check is a result with ``passed=False``, not an error.

    Raises:
        SmokeError: the image is missing, an option is wrong, the env file is missing,
            the image has no port to probe, an HTTP check is asked of an engine on
            another machine, or the engine refused to create or start the container
            (no container is left behind).
        KeyboardInterrupt: after the container is removed.
    """
    from workbench import engine

    given = {
        "path": path, "port": port, "status": status, "timeout_s": timeout_s, "env": env,
        "env_file": env_file, "command": command, "entrypoint": entrypoint, "check": check,
    }  # fmt: skip
    say = on_progress or (lambda line: None)
    client = client or engine.connect()
    inspect = engine.inspect_image(client, image, SmokeError, "build it first (`workbench build`)")
    options = {key: value for key, value in given.items() if value is not None}
    smoke_check = _check_for(image, inspect.get("Config") or {}, options)
    if smoke_check.mode == "http" and not engine.engine_on_this_machine(client):
        raise SmokeError(REMOTE_HTTP.format(host=engine.engine_host()))
    remove_leftovers(client)
    name = f"workbench-smoke-{uuid.uuid4().hex[:10]}"
    started = time.monotonic()
    with running_container(
        client, image, inspect["Id"], name, smoke_check.container_port, smoke_check.run
    ) as container:
        outcome, peak = _wait(client, container, name, smoke_check, started, say)
    result = _result(image, inspect["Id"], smoke_check, outcome, peak, started)
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
        described = mask(check.description, check.run.environment.values())
        say(f"started {name}; waiting up to {timeout_s:.0f} s for {described}")
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
            outcome["log_tail"] = log_tail(container, check.run.environment.values())
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
    """The test's result, timed from ``started`` to now (the container removed).

    Its text holds no environment value: each one is masked as ``****``.
    """
    seconds = time.monotonic() - started
    secrets = list(check.run.environment.values())
    return SmokeResult(
        image=image,
        image_id=image_id,
        passed=outcome["passed"],
        mode=check.mode,
        check=mask(check.description, secrets),
        seconds_to_ready=outcome.get("ready_s"),
        seconds=round(seconds, 3),
        peak_memory_bytes=peak,
        exit_code=outcome.get("exit_code"),
        http_status=outcome.get("http_status"),
        error=mask(outcome.get("error", ""), secrets),
        log_tail=mask(outcome.get("log_tail", ""), secrets),
        container_port=check.container_port,
        host_port=outcome.get("host_port"),
        settings_from=check.settings_from,
        checked_at=time.time(),
        env_keys=check.env_keys,
        status_expected=check.settings.status if check.mode == "http" else None,
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

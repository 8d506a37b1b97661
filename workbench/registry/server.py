"""The workbench's own registry: Debian's ``docker-registry`` run in the background.

:func:`up` starts the distribution registry on 127.0.0.1 with the config the workbench
writes under its home (no auth, loopback only; see :mod:`workbench.registry.config`),
in its own session with its log and pid file beside the config; :func:`down` stops it
(its data stays); :func:`status` and :func:`ping` say whether a registry answers.
Starting and stopping are serialised between processes sharing a workbench home.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import requests

from workbench.errors import RegistryError
from workbench.registry.address import DEFAULT_PORT, REGISTRY_ENV, RegistryAddress, local_address
from workbench.registry.config import RegistryPaths, configured_port, registry_paths, render_config

REGISTRY_BINARY = "/usr/bin/docker-registry"
START_TIMEOUT_S = 30.0

# registries started by this process, so stopping one also reaps it
_CHILDREN: dict[int, subprocess.Popen] = {}


@dataclass(frozen=True)
class RegistryStatus:
    """Whether a registry answers, and for the workbench's own: where its files are.

    Attributes:
        address: ``HOST:PORT``.
        url: base URL of its HTTP API.
        answers: ``GET /v2/`` answered as a registry does (200, or 401 asking for auth).
        managed: the workbench started it (its pid file names a live ``docker-registry``).
        pid: the process id when managed.
        data_dir: where it stores blobs (managed only).
        log_path: its log (managed only).
        config_path: its config (managed only).
        error: why it does not answer, when it does not.
    """

    address: str
    url: str
    answers: bool
    managed: bool = False
    pid: int | None = None
    data_dir: str = ""
    log_path: str = ""
    config_path: str = ""
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (``workbench registry status --json``)."""
        return asdict(self)


def ping(url: str, timeout: float = 2.0) -> tuple[bool, str]:
    """Ask ``GET /v2/`` whether a registry answers at ``url``.

    Returns:
        ``(True, "")`` when it answers as a registry (200, or 401 asking for
        credentials); ``(False, reason)`` otherwise.
    """
    try:
        response = requests.get(f"{url}/v2/", timeout=timeout)
    except requests.exceptions.RequestException as exc:
        return False, f"no registry answers at {url}: {type(exc).__name__}"
    if response.status_code in (200, 401):
        return True, ""
    return False, f"{url}/v2/ answered HTTP {response.status_code}, not as a registry"


def _read_pid(paths: RegistryPaths) -> int | None:
    """The pid the workbench's registry wrote, ``None`` when there is none."""
    try:
        return int(paths.pid.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    """The process runs and is a ``docker-registry`` (not a reused pid, not a zombie)."""
    proc = Path("/proc") / str(pid)
    if Path("/proc/self").exists():
        try:
            cmdline = (proc / "cmdline").read_bytes()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return b"docker-registry" in cmdline and state not in ("Z", "X")
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def _locked(paths: RegistryPaths) -> Iterator[None]:
    """Serialise up/down between processes sharing a workbench home."""
    paths.root.mkdir(parents=True, exist_ok=True)
    with (paths.root / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def status(port: int | None = None) -> RegistryStatus:
    """Say whether the workbench's registry answers; never raises.

    Args:
        port: the port to ask (default: the port of the workbench's registry's config,
            else 5000).
    """
    paths = registry_paths()
    pid = _read_pid(paths)
    running = pid is not None and _alive(pid)
    own_port = configured_port(paths)
    address = local_address(port)
    managed = running and (port is None or port == own_port)
    answers, error = ping(address.url)
    return RegistryStatus(
        address=address.host,
        url=address.url,
        answers=answers,
        managed=managed,
        pid=pid if managed else None,
        data_dir=str(paths.data) if managed else "",
        log_path=str(paths.log) if managed else "",
        config_path=str(paths.config) if managed else "",
        error=error,
    )


def _binary() -> str | None:
    """The ``docker-registry`` executable, ``None`` when it is not installed."""
    return shutil.which("docker-registry") or (
        REGISTRY_BINARY if Path(REGISTRY_BINARY).exists() else None
    )


def _install(paths: RegistryPaths, log: Callable[[str], None]) -> str:
    """Install Debian's ``docker-registry`` when we are root with apt-get."""
    if not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")):
        raise RegistryError(
            "docker-registry is not installed; install Debian's docker-registry package "
            "(`apt-get install docker-registry` as root) or name your own registry with "
            f"--registry / {REGISTRY_ENV}"
        )
    log("installing Debian's docker-registry package")
    apt_log = paths.root / "apt.log"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with apt_log.open("ab") as out:
        for cmd in (
            ["apt-get", "update", "-q"],
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", "docker-registry"],
        ):
            done = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, check=False)
            if done.returncode != 0:
                raise RegistryError(
                    f"`{' '.join(cmd)}` failed (exit {done.returncode}); see {apt_log}"
                )
    binary = _binary()
    if binary is None:
        raise RegistryError("docker-registry installed but not found; reinstall the package")
    return binary


def _last_log_message(log_path: Path) -> str:
    """The last line of the registry's log, its ``msg="..."`` when it has one."""
    try:
        lines = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    if not lines:
        return ""
    match = re.search(r'msg="((?:[^"\\]|\\.)*)"', lines[-1])
    return match.group(1) if match else lines[-1][-200:]


def up(
    port: int | None = None,
    timeout_s: float = START_TIMEOUT_S,
    log: Callable[[str], None] = lambda line: None,
) -> RegistryStatus:
    """Start the workbench's registry on 127.0.0.1 unless one answers there already.

    Writes the config under ``<home>/registry``, installs Debian's ``docker-registry``
    when it is missing and we are root, starts it in its own session (log and pid file
    beside the config) and waits until ``/v2/`` answers.  Idempotent: when the
    workbench's registry runs, or any registry answers on that port, nothing is started.

    Args:
        port: the TCP port (default 5000).
        timeout_s: how long to wait for ``/v2/`` to answer.
        log: called with one line per step taken.

    Returns:
        The registry's status; it answers.

    Raises:
        RegistryError: it cannot be installed or started, or did not answer in time.
    """
    paths = registry_paths()
    with _locked(paths):
        pid = _read_pid(paths)
        own_port = configured_port(paths)
        if pid is not None and _alive(pid):
            if port is not None and own_port is not None and port != own_port:
                raise RegistryError(
                    f"the workbench's registry already runs on port {own_port}; stop it "
                    f"first (`workbench registry down`) or use --port {own_port}"
                )
            return _wait_until_answers(local_address(own_port), None, paths, timeout_s)
        port = port or DEFAULT_PORT
        address = local_address(port)
        answers, _ = ping(address.url)
        if answers:
            log(f"a registry already answers at {address.host} (not started by the workbench)")
            return status(port)
        binary = _binary() or _install(paths, log)
        paths.data.mkdir(parents=True, exist_ok=True)
        paths.config.write_text(
            render_config(port, paths.data, secrets.token_hex(16)), encoding="utf-8"
        )
        # REGISTRY_* variables would override the config we just wrote
        env = {key: value for key, value in os.environ.items() if not key.startswith("REGISTRY_")}
        log(f"starting {binary} on {address.host} (log: {paths.log})")
        with paths.log.open("ab") as out:
            process = subprocess.Popen(
                [binary, "serve", str(paths.config)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=paths.root,
                env=env,
                start_new_session=True,
            )
        _CHILDREN[process.pid] = process
        paths.pid.write_text(f"{process.pid}\n", encoding="ascii")
        try:
            return _wait_until_answers(address, process, paths, timeout_s)
        except RegistryError:
            _stop(process.pid, paths)
            raise


def _wait_until_answers(
    address: RegistryAddress,
    process: subprocess.Popen | None,
    paths: RegistryPaths,
    timeout_s: float,
) -> RegistryStatus:
    """Poll ``/v2/`` until it answers; fail at once when ``process`` exits meanwhile.

    Raises:
        RegistryError: the process exited, or nothing answered within ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        answers, _ = ping(address.url, timeout=1.0)
        if answers:
            return status(int(address.host.rsplit(":", 1)[1]))
        if process is not None and process.poll() is not None:
            message = _last_log_message(paths.log)
            raise RegistryError(
                f"docker-registry exited with code {process.returncode}"
                f"{': ' + message if message else ''}; see {paths.log}"
            )
        if time.monotonic() > deadline:
            raise RegistryError(
                f"docker-registry did not answer at {address.url} within {timeout_s:.0f} s; "
                f"see {paths.log}"
            )
        time.sleep(0.2)


def _stop(pid: int, paths: RegistryPaths, timeout_s: float = 10.0) -> None:
    """Stop a registry process: SIGTERM, then SIGKILL; reap it; drop the pid file."""
    for sig, wait_s in ((signal.SIGTERM, timeout_s), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + wait_s
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if not _alive(pid):
            break
    child = _CHILDREN.pop(pid, None)
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=5)
    paths.pid.unlink(missing_ok=True)


def down(log: Callable[[str], None] = lambda line: None) -> bool:
    """Stop the workbench's registry; its data stays.  Idempotent.

    Returns:
        True when a running registry was stopped, False when none ran.

    Raises:
        RegistryError: it would not stop.
    """
    paths = registry_paths()
    with _locked(paths):
        pid = _read_pid(paths)
        if pid is None or not _alive(pid):
            paths.pid.unlink(missing_ok=True)
            return False
        log(f"stopping docker-registry (pid {pid})")
        _stop(pid, paths)
        if _alive(pid):
            raise RegistryError(f"docker-registry (pid {pid}) would not stop; kill it by hand")
        return True

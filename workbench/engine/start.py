"""Make sure an engine answers: start Debian's ``dockerd`` when we may."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from workbench.engine.client import HOW_TO_START, engine_host, is_local
from workbench.engine.info import EngineStatus, status
from workbench.errors import EngineUnavailable
from workbench.home import workbench_home


def _can_install() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get") is not None


def _dockerd_path() -> str | None:
    return shutil.which("dockerd") or (
        "/usr/sbin/dockerd" if Path("/usr/sbin/dockerd").exists() else None
    )


def _apt_install(packages: list[str], log: Path) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with log.open("ab") as out:
        for cmd in (
            ["apt-get", "update", "-q"],
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
        ):
            done = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, check=False)
            if done.returncode != 0:
                raise EngineUnavailable(
                    f"`{' '.join(cmd)}` failed (exit {done.returncode}); see {log}"
                )


def _start_dockerd(dockerd: str, dockerd_log: Path) -> subprocess.Popen:
    with dockerd_log.open("ab") as out:
        return subprocess.Popen(
            [dockerd],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_for(process: subprocess.Popen, timeout_s: float, dockerd_log: Path) -> EngineStatus:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        current = status()
        if current.reachable:
            return current
        if process.poll() is not None:
            raise EngineUnavailable(
                f"dockerd exited with code {process.returncode}; see {dockerd_log}"
            )
        time.sleep(0.5)
    raise EngineUnavailable(f"dockerd did not answer within {timeout_s:.0f} s; see {dockerd_log}")


def ensure(timeout_s: float = 60.0, log: Callable[[str], None] = print) -> EngineStatus:
    """Make sure an engine answers, starting Debian's ``dockerd`` when we may.

    If an engine answers, nothing is done.  Otherwise, when the engine is local and
    we are root with apt-get: install ``docker.io`` if ``dockerd`` is missing, start
    ``dockerd`` in its own session with its log under the workbench home, and wait
    until it answers.

    Args:
        timeout_s: how long to wait for a started ``dockerd`` to answer.
        log: called with one line per step taken.

    Returns:
        The status of the engine, reachable.

    Raises:
        EngineUnavailable: when no engine answers and none could be started.
    """
    current = status()
    if current.reachable:
        return current
    host = engine_host()
    if not is_local(host) or not _can_install():
        raise EngineUnavailable(HOW_TO_START.format(host=host))
    logs = workbench_home() / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    if _dockerd_path() is None:
        log("installing Debian's docker.io package")
        _apt_install(["docker.io", "iptables"], logs / "apt.log")
    dockerd = _dockerd_path()
    if dockerd is None:
        raise EngineUnavailable("docker.io installed but no dockerd found; reinstall docker.io")
    dockerd_log = logs / "dockerd.log"
    log(f"starting {dockerd} (log: {dockerd_log})")
    current = _wait_for(_start_dockerd(dockerd, dockerd_log), timeout_s, dockerd_log)
    log(f"engine {current.version} answers at {host}")
    return current

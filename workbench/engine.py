"""The Docker engine: connect (``DOCKER_HOST`` aware), report status, ensure one runs.

Every other module gets its client from :func:`connect`, so the engine is the local
socket by default and whatever ``DOCKER_HOST`` names otherwise (tcp://, ssh://).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import docker
import docker.errors
import requests.exceptions

from workbench.errors import EngineUnavailable, WorkbenchError
from workbench.home import workbench_home

DEFAULT_HOST = "unix:///var/run/docker.sock"
STAND_IN_LABEL = "org.workbench.stand-in"
STAND_IN_REPLACES_LABEL = "org.workbench.stand-in.replaces"
HOW_TO_START = (
    "No Docker engine answers at {host}. Start one (`sudo systemctl start docker`, "
    "or run `workbench engine ensure` as root on Debian), or point DOCKER_HOST at a "
    "running engine."
)


@dataclass(frozen=True)
class EngineStatus:
    """What the workbench knows about the engine it talks to."""

    host: str
    reachable: bool
    version: str = ""
    api_version: str = ""
    os: str = ""
    architecture: str = ""
    storage_driver: str = ""
    images: int = 0
    error: str = ""
    stand_ins: tuple[str, ...] = field(default_factory=tuple)


def engine_host() -> str:
    """The address the SDK will use, to show: ``DOCKER_HOST`` or the local socket.

    A password in ``DOCKER_HOST`` (``tcp://user:password@host``) is shown as ``***``,
    so messages, pages and logs never carry it.
    """
    return redact_host(os.environ.get("DOCKER_HOST") or DEFAULT_HOST)


def redact_host(host: str) -> str:
    """``host`` with the password of its user info, if any, replaced by ``***``."""
    scheme, sep, rest = host.partition("://")
    userinfo, at, address = rest.rpartition("@")
    if not sep or not at or ":" not in userinfo:
        return host
    return f"{scheme}://{userinfo.partition(':')[0]}:***@{address}"


def host_secrets() -> list[str]:
    """The password in ``DOCKER_HOST``, if it holds one (for masking in build logs)."""
    host = os.environ.get("DOCKER_HOST") or ""
    userinfo = host.partition("://")[2].rpartition("@")[0]
    password = userinfo.partition(":")[2]
    return [password] if password else []


def _is_local(host: str) -> bool:
    return host.startswith("unix://") or host.startswith("npipe://")


def connect(timeout: int = 120) -> docker.DockerClient:
    """Return a client for the engine and check that it answers.

    Args:
        timeout: seconds the SDK waits for any single API call.

    Returns:
        A ``docker.DockerClient`` whose engine answered a ping.

    Raises:
        EngineUnavailable: when no engine answers at :func:`engine_host`.
    """
    host = engine_host()
    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
    except (docker.errors.DockerException, requests.exceptions.RequestException, OSError) as exc:
        raise EngineUnavailable(HOW_TO_START.format(host=host)) from exc
    return client


def find_image(
    client: docker.DockerClient, ref: str, error: type[WorkbenchError] = WorkbenchError
) -> docker.models.images.Image:
    """The engine's image for a tag or id.

    Raises:
        error: the engine has no such image, or cannot describe it (one line).
    """
    try:
        return client.images.get(ref)
    except docker.errors.ImageNotFound as exc:
        raise error(
            f"the engine has no image {ref!r}; build it first (`workbench build`) or check "
            "`docker images`"
        ) from exc
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        detail = " ".join(str(exc).split())[:300]
        raise error(f"the engine could not describe {ref!r}: {detail}") from exc


def status() -> EngineStatus:
    """Ask the engine who it is; never raises.

    Returns:
        An :class:`EngineStatus`; ``reachable`` is False (and ``error`` says why)
        when no engine answers.
    """
    host = engine_host()
    try:
        client = connect(timeout=10)
        info = client.info()
        version = client.version()
        stand_ins = tuple(
            sorted(
                image.labels[STAND_IN_REPLACES_LABEL]
                for image in client.images.list(filters={"label": STAND_IN_LABEL})
                # images built FROM a stand-in inherit its labels: keep the stand-ins
                if image.labels.get(STAND_IN_REPLACES_LABEL) in image.tags
            )
        )
    except EngineUnavailable as exc:
        return EngineStatus(host=host, reachable=False, error=str(exc))
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        return EngineStatus(host=host, reachable=False, error=f"The engine at {host} failed: {exc}")
    return EngineStatus(
        host=host,
        reachable=True,
        version=str(version.get("Version", "")),
        api_version=str(version.get("ApiVersion", "")),
        os=str(info.get("OperatingSystem", "")),
        architecture=str(info.get("Architecture", "")),
        storage_driver=str(info.get("Driver", "")),
        images=int(info.get("Images", 0)),
        stand_ins=stand_ins,
    )


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


def ensure(timeout_s: float = 60.0, log=print) -> EngineStatus:
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
    if not _is_local(host) or not _can_install():
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
    with dockerd_log.open("ab") as out:
        process = subprocess.Popen(
            [dockerd],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        current = status()
        if current.reachable:
            log(f"engine {current.version} answers at {host}")
            return current
        if process.poll() is not None:
            raise EngineUnavailable(
                f"dockerd exited with code {process.returncode}; see {dockerd_log}"
            )
        time.sleep(0.5)
    raise EngineUnavailable(f"dockerd did not answer within {timeout_s:.0f} s; see {dockerd_log}")

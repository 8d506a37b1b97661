"""The client every other module uses: ``DOCKER_HOST`` aware, checked with a ping.

The engine is the local socket by default and whatever ``DOCKER_HOST`` names otherwise
(tcp://, ssh://); a password in it is never shown.
"""

from __future__ import annotations

import os

import docker
import docker.errors
import requests.exceptions

from workbench.errors import EngineUnavailable

DEFAULT_HOST = "unix:///var/run/docker.sock"
HOW_TO_START = (
    "No Docker engine answers at {host}. Start one (`sudo systemctl start docker`, "
    "or run `workbench engine ensure` as root on Debian), or point DOCKER_HOST at a "
    "running engine."
)


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


def is_local(host: str) -> bool:
    """Whether an engine address is a socket on this machine."""
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

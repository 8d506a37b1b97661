"""The client every other module uses: ``DOCKER_HOST`` aware, checked with a ping.

The engine is the local socket by default and whatever ``DOCKER_HOST`` names otherwise
(tcp://, ssh://); a password in it is never shown.
"""

from __future__ import annotations

import ipaddress
import os
import urllib.parse
from typing import Any

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


def on_this_machine(address: str) -> bool:
    """Whether an engine address is on this machine: a socket, or TCP at a loopback address.

    Takes ``DOCKER_HOST``'s form (``unix://``, ``tcp://``, ``ssh://``) or a docker SDK
    client's ``base_url`` (``http+docker://localhost`` for a socket,
    ``http+docker://ssh`` for ssh, ``http(s)://HOST:PORT`` for TCP).  A port the engine
    publishes on 127.0.0.1 is this machine's 127.0.0.1 only then.  A tunnel to another
    machine's engine on a loopback port (``ssh -L``) looks local and is taken at its word.
    """
    scheme, sep, rest = address.partition("://")
    if not sep:
        return True  # a bare path: a socket
    if scheme in ("unix", "npipe"):
        return True
    if scheme == "http+docker":  # the SDK's socket and named-pipe adapters, or its ssh one
        return not rest.startswith("ssh")
    if scheme not in ("tcp", "http", "https"):
        return False  # ssh://, or anything else that reaches another machine
    host = urllib.parse.urlsplit(f"tcp://{rest}").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def engine_on_this_machine(client: Any) -> bool:
    """Whether the client's engine is on this machine (:func:`on_this_machine`).

    A client that does not say where its engine is (a test double) counts as local.
    """
    base_url = getattr(getattr(client, "api", None), "base_url", None)
    return on_this_machine(base_url) if isinstance(base_url, str) else True


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

"""Registry addresses: the one the user names, else ``WORKBENCH_REGISTRY``, else our own.

An address is ``HOST[:PORT]``, optionally with ``http://`` or ``https://``
(:func:`parse_address`); the workbench's own registry is on 127.0.0.1 at the port it
was last configured with (:func:`local_address`); :func:`resolve_address` picks one.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass

from workbench.errors import RegistryError
from workbench.registry.config import configured_port

DEFAULT_PORT = 5000
REGISTRY_ENV = "WORKBENCH_REGISTRY"


@dataclass(frozen=True)
class RegistryAddress:
    """A registry as the engine and the workbench reach it.

    Attributes:
        host: ``HOST[:PORT]`` as image references carry it (``127.0.0.1:5000``).
        url: the base URL of its HTTP API (``http://127.0.0.1:5000``).
        local: it is the workbench's own registry (started on demand).
    """

    host: str
    url: str
    local: bool = False

    @property
    def loopback(self) -> bool:
        """The address is on this machine's loopback (127.0.0.0/8, ::1, localhost)."""
        return is_loopback(self.host)


def is_loopback(host: str) -> bool:
    """Whether ``HOST[:PORT]`` names this machine's loopback (127.0.0.0/8, ::1, localhost)."""
    name = re.sub(r":\d+$", "", host).strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def parse_address(text: str) -> RegistryAddress:
    """Read ``HOST[:PORT]``, ``http://HOST[:PORT]`` or ``https://HOST[:PORT]``.

    Without a scheme, loopback addresses are spoken to over plain HTTP (as the engine
    does: it treats 127.0.0.0/8 as insecure) and every other over HTTPS.

    Raises:
        RegistryError: the text is not a registry address.
    """
    value = text.strip().rstrip("/")
    scheme = ""
    if "://" in value:
        scheme, value = value.split("://", 1)
        scheme = scheme.lower()
    valid_host = re.fullmatch(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*)(:\d{1,5})?", value)
    if scheme not in ("", "http", "https") or not valid_host:
        raise RegistryError(
            f"not a registry address: {text!r}; write HOST[:PORT], e.g. 127.0.0.1:5000 "
            "or registry.example.com (optionally with http:// or https://)"
        )
    scheme = scheme or ("http" if is_loopback(value) else "https")
    return RegistryAddress(host=value, url=f"{scheme}://{value}")


def local_address(port: int | None = None) -> RegistryAddress:
    """The workbench's own registry: ``port``, else the port it was last configured with."""
    port = port or configured_port() or DEFAULT_PORT
    host = f"127.0.0.1:{port}"
    return RegistryAddress(host=host, url=f"http://{host}", local=True)


def resolve_address(address: str | None = None) -> RegistryAddress:
    """The registry to use: ``address``, else ``WORKBENCH_REGISTRY``, else the local one."""
    named = address or os.environ.get(REGISTRY_ENV, "").strip()
    return parse_address(named) if named else local_address()

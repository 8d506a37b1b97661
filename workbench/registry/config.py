"""Where the workbench's own registry keeps its files, and the config it writes there.

The registry runs with a config under ``<home>/registry`` (:func:`registry_paths`):
no auth, loopback only, data under ``<home>/registry/data`` (:func:`render_config`).
:func:`configured_port` reads back the port the workbench last wrote.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from workbench.home import workbench_home


@dataclass(frozen=True)
class RegistryPaths:
    """The files of the workbench's own registry, under the workbench home."""

    root: Path
    config: Path
    data: Path
    log: Path
    pid: Path


def registry_paths() -> RegistryPaths:
    """The registry's folder (``<home>/registry``) and the files in it."""
    root = workbench_home() / "registry"
    return RegistryPaths(
        root=root,
        config=root / "config.yml",
        data=root / "data",
        log=root / "registry.log",
        pid=root / "registry.pid",
    )


def render_config(port: int, data_dir: Path, secret: str) -> str:
    """The distribution registry's config: no auth, loopback only, data in ``data_dir``.

    Args:
        port: the TCP port on 127.0.0.1.
        data_dir: where the registry stores blobs and manifests.
        secret: the HTTP secret that signs upload state.

    Returns:
        The YAML text (paths quoted as JSON strings, which YAML reads alike).
    """
    return "\n".join(
        [
            "# Written by the workbench (`workbench registry up`); rewritten on each start.",
            "version: 0.1",
            "log:",
            "  accesslog:",
            "    disabled: true",
            "  level: info",
            "  formatter: text",
            "  fields:",
            "    service: workbench-registry",
            "storage:",
            "  filesystem:",
            f"    rootdirectory: {json.dumps(str(data_dir))}",
            "  delete:",
            "    enabled: true",
            "  cache:",
            "    blobdescriptor: inmemory",
            "http:",
            f"  addr: 127.0.0.1:{port}",
            f"  secret: {secret}",
            "  headers:",
            "    X-Content-Type-Options: [nosniff]",
            "",
        ]
    )


def configured_port(paths: RegistryPaths | None = None) -> int | None:
    """The port in the config the workbench last wrote, ``None`` when there is none."""
    paths = paths or registry_paths()
    try:
        text = paths.config.read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(r"^\s*addr:\s*127\.0\.0\.1:(\d+)\s*$", text, re.MULTILINE)
    return int(match.group(1)) if match else None

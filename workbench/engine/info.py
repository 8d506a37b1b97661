"""What the engine says about itself: version, storage, the stand-in base images."""

from __future__ import annotations

from dataclasses import dataclass, field

import docker.errors
import requests.exceptions

from workbench import labels
from workbench.engine.client import connect, engine_host
from workbench.errors import EngineUnavailable


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
                image.labels[labels.STAND_IN_REPLACES]
                for image in client.images.list(filters={"label": labels.STAND_IN})
                # images built FROM a stand-in inherit its labels: keep the stand-ins
                if image.labels.get(labels.STAND_IN_REPLACES) in image.tags
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

"""The one image lookup: a tag or an id to the engine's image, with one-line errors.

Every stage that needs an image (analyses, audits, smoke tests, pushes, the budget
gate) asks here, so a missing image or a failing engine reads the same everywhere;
the caller picks the error class and may say what to do next.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import docker
import docker.errors
import requests.exceptions

from workbench.errors import WorkbenchError

ENGINE_ERRORS = (docker.errors.DockerException, requests.exceptions.RequestException)
BUILD_HINT = "build it first (`workbench build`) or check `docker images`"


def short_id(ref: str) -> str:
    """An image id as the docker CLI shows it (its first 12 hex digits); a tag as it is."""
    digits = ref.split(":", 1)[1] if ref.startswith("sha256:") else ref
    return digits[:12] if re.fullmatch(r"[0-9a-f]{12,64}", digits) else ref


@contextlib.contextmanager
def _asking(ref: str, error: type[WorkbenchError], hint: str) -> Iterator[None]:
    """Turn the engine's answers about a missing or unreadable image into one line."""
    try:
        yield
    except docker.errors.ImageNotFound as exc:
        raise error(f"the engine has no image {ref!r}; {hint}") from exc
    except ENGINE_ERRORS as exc:
        detail = " ".join(str(exc).split())[:300]
        raise error(f"the engine could not describe {ref!r}: {detail}") from exc


def inspect_image(
    client: docker.DockerClient,
    ref: str,
    error: type[WorkbenchError] = WorkbenchError,
    hint: str = BUILD_HINT,
) -> dict[str, Any]:
    """The engine's ``inspect`` of an image (what ``docker image inspect`` prints).

    Args:
        client: a connected client.
        ref: a tag or an id.
        error: the exception class to raise.
        hint: what to do when the engine has no such image.

    Raises:
        error: the engine has no such image, or cannot describe it (one line).
    """
    with _asking(ref, error, hint):
        return client.api.inspect_image(ref)


def inspect_if_present(
    client: docker.DockerClient, ref: str, error: type[WorkbenchError] = WorkbenchError
) -> dict[str, Any] | None:
    """The engine's ``inspect`` of an image, ``None`` when it has no such image.

    Raises:
        error: the engine cannot describe it (one line).
    """
    try:
        return inspect_image(client, ref, error)
    except error as exc:
        if isinstance(exc.__cause__, docker.errors.ImageNotFound):
            return None
        raise


def find_image(
    client: docker.DockerClient,
    ref: str,
    error: type[WorkbenchError] = WorkbenchError,
    hint: str = BUILD_HINT,
) -> docker.models.images.Image:
    """The engine's image for a tag or id, as the SDK's model (see :func:`inspect_image`).

    Raises:
        error: the engine has no such image, or cannot describe it (one line).
    """
    with _asking(ref, error, hint):
        return client.images.get(ref)

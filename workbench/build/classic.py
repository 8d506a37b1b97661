"""Build with the engine's classic builder through the docker SDK's streaming API.

``client.api.build(decode=True)``; labels go in the Dockerfile (see
:func:`workbench.build.context.label_instruction`).  Cancel cuts the build's connection,
which makes the engine stop the build and its container.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Mapping
from typing import IO

import docker
import docker.errors
import requests.exceptions
import urllib3.exceptions
from docker.utils import kwargs_from_env

from workbench.build.context import DOCKERFILE_NAME
from workbench.build.progress import (
    BuildOutcome,
    BuildProgress,
    OnOutput,
    describe_failure,
    parse_classic_event,
)

CONNECTION_ERRORS = (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError)


class _CancellableAPIClient(docker.APIClient):
    """An API client that keeps the build's HTTP response, so cancel can cut it."""

    response = None

    def _post(self, url, **kwargs):
        response = super()._post(url, **kwargs)
        self.response = response
        return response


def _cut(response) -> None:
    """Shut the build's connection; the engine then stops the build and its container."""
    with contextlib.suppress(AttributeError, OSError):
        response.raw._fp.fp.raw._sock.shutdown(socket.SHUT_RDWR)
    response.close()


def run_classic(
    client: docker.DockerClient,
    context: IO[bytes],
    tag: str,
    on_output: OnOutput,
    cancel: threading.Event,
    build_args: Mapping[str, str] | None = None,
    no_cache: bool = False,
) -> BuildOutcome:
    """Build with the engine's classic builder through the SDK's streaming API.

    Labels go in the Dockerfile (see :func:`label_instruction`), not through the API.
    """
    progress = BuildProgress()
    api = _CancellableAPIClient(**kwargs_from_env(), version=client.api.api_version, timeout=None)
    finished = threading.Event()

    def stop_on_cancel() -> None:
        while not finished.is_set():
            if cancel.wait(0.2) and api.response is not None:
                _cut(api.response)
                return

    threading.Thread(target=stop_on_cancel, daemon=True).start()
    try:
        stream = api.build(
            fileobj=context,
            custom_context=True,
            dockerfile=DOCKERFILE_NAME,
            tag=tag,
            buildargs=dict(build_args or {}),
            rm=True,
            forcerm=True,
            nocache=no_cache,
            decode=True,
        )
        for event in stream:
            text = parse_classic_event(event, progress)
            on_output(text, progress)
    except Exception as exc:
        # Cutting the connection on cancel surfaces as whatever the stream was doing
        # (a protocol error, a read on a closed file...): all of it means "cancelled".
        if cancel.is_set():
            pass
        elif isinstance(exc, docker.errors.APIError):
            return BuildOutcome("failed", None, f"the engine refused the build: {exc.explanation}")
        elif isinstance(exc, CONNECTION_ERRORS):
            return BuildOutcome("failed", None, f"the connection to the engine broke: {exc}")
        else:
            raise
    finally:
        finished.set()
        api.close()
    if cancel.is_set():
        return BuildOutcome("cancelled", None, "cancelled by the user")
    if progress.error:
        return BuildOutcome(
            "failed", None, describe_failure(progress, progress.error), progress.failed_step
        )
    if progress.image_id is None:
        try:
            progress.image_id = client.images.get(tag).id
        except docker.errors.ImageNotFound:
            return BuildOutcome("failed", None, "the engine reported no image")
    progress.steps_done = progress.steps_total
    return BuildOutcome("succeeded", progress.image_id)

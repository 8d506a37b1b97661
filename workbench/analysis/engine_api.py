"""The engine calls an analysis makes: through the docker SDK, or straight over a local socket.

An analysis asks an engine four things: an image's ``inspect``, its history, the
engine's ``info`` (where its storage is, for the overlay2 fast path) and the image's
export.  Both engines here ask them and word their failures the same way (one-line
:class:`~workbench.errors.AnalysisError`\\ s):

* :class:`SdkEngine` asks through a ``docker.DockerClient`` (any engine the SDK
  reaches: the local socket, ``tcp://``, ``ssh://``);
* :class:`SocketEngine` asks a local engine over its unix socket with the standard
  library alone (``http.client``).  Importing the docker SDK and requests takes about
  0.45 s, longer than a whole answer from the store, so the commands that only read an
  image (``workbench analyze``) take this one when :func:`local_engine` finds it.

:func:`local_engine` returns ``None`` whenever the SDK should decide instead
(``DOCKER_HOST`` names another kind of engine, TLS settings, no answer on the socket):
the caller then connects through :func:`workbench.engine.connect`, which also words
the "no engine answers" error.
"""

from __future__ import annotations

import json
import os
import socket
import urllib.parse
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from workbench.errors import AnalysisError

DEFAULT_SOCKET = "/var/run/docker.sock"
UNIX_SCHEMES = ("unix://", "http+unix://")
TLS_VARIABLES = ("DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH")
BUILD_HINT = "build it first (`workbench build`) or check `docker images`"
"""What to do about a missing image (the same words as :mod:`workbench.engine.images`)."""
EXPORT_READ = 1024 * 1024
PING_TIMEOUT = 5.0


class EngineAPI(Protocol):
    """What an analysis asks an engine; every failure is an ``AnalysisError``."""

    export_errors: tuple[type[BaseException], ...]
    """What reading the export stream may raise when the engine fails mid-way."""

    def inspect_image(self, ref: str, hint: str = BUILD_HINT) -> dict[str, Any]:
        """The engine's ``inspect`` of an image (``hint``: what to do if it is missing)."""
        ...

    def history(self, ref: str) -> list[dict[str, Any]]:
        """The engine's history of an image, newest first."""
        ...

    def info(self) -> dict[str, Any]:
        """The engine's ``info`` (``DockerRootDir``, ``Driver``, ...)."""
        ...

    def export(self, ref: str) -> Iterable[bytes]:
        """The image's export (``docker save``), as byte chunks."""
        ...


def _detail(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


class SdkEngine:
    """The analysis's engine calls through a ``docker.DockerClient``.

    Args:
        client: a connected client (see :func:`workbench.engine.connect`).
    """

    def __init__(self, client: Any) -> None:
        self.client = client

    @property
    def export_errors(self) -> tuple[type[BaseException], ...]:
        """The SDK's and requests' exceptions."""
        from workbench.engine.images import ENGINE_ERRORS

        return ENGINE_ERRORS

    def inspect_image(self, ref: str, hint: str = BUILD_HINT) -> dict[str, Any]:
        """The engine's ``inspect`` of an image.

        Raises:
            AnalysisError: the engine has no such image, or cannot describe it.
        """
        from workbench.engine.images import inspect_image

        return inspect_image(self.client, ref, AnalysisError, hint)

    def history(self, ref: str) -> list[dict[str, Any]]:
        """The engine's history of an image, newest first.

        Raises:
            AnalysisError: the engine cannot describe it.
        """
        try:
            return self.client.api.history(ref)
        except self.export_errors as exc:
            raise AnalysisError(f"the engine could not describe {ref!r}: {exc}") from exc

    def info(self) -> dict[str, Any]:
        """The engine's ``info``."""
        return self.client.info()

    def export(self, ref: str) -> Iterable[bytes]:
        """The image's export as the SDK streams it (errors: :attr:`export_errors`)."""
        return self.client.api.get_image(ref)


class SocketEngine:
    """The analysis's engine calls to a local engine, over its unix socket.

    Each call opens its own connection (a unix socket connects in microseconds), so
    one object serves any thread.

    Args:
        path: the engine's socket.
        timeout: seconds any single read or write on the socket may wait.
    """

    def __init__(self, path: str = DEFAULT_SOCKET, timeout: float = 120.0) -> None:
        self.path = path
        self.timeout = timeout

    @property
    def export_errors(self) -> tuple[type[BaseException], ...]:
        """A socket failing or the HTTP stream breaking off mid-way."""
        import http.client

        return (OSError, http.client.HTTPException)

    def _open(self, url: str, timeout: float | None = None) -> tuple[Any, Any]:
        """Send ``GET url``; return the connection and its response (headers read).

        Raises:
            OSError: the socket does not answer.
            http.client.HTTPException: the answer is not HTTP.
        """
        import http.client

        wait = timeout or self.timeout
        connection = http.client.HTTPConnection("localhost", timeout=wait)
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connection.sock = sock  # connected here, so the connection never dials TCP
            sock.settimeout(wait)
            sock.connect(self.path)
            connection.request("GET", url)
            return connection, connection.getresponse()
        except BaseException:
            connection.close()
            raise

    def _get(self, url: str, timeout: float | None = None) -> tuple[int, bytes]:
        connection, response = self._open(url, timeout)
        try:
            return response.status, response.read()
        finally:
            connection.close()

    def _json(self, url: str, failure: str, missing: str | None = None) -> Any:
        """GET a JSON answer.

        Args:
            url: the API path.
            failure: the error's words for any failure ("the engine could not ...").
            missing: the error's words for a 404 (else a 404 is a failure too).

        Raises:
            AnalysisError: on a 404 (``missing``), or any other failure.
        """
        try:
            status, body = self._get(url)
            if status == 200:
                return json.loads(body)
            detail = f"{status} {_message(body)}"
        except (OSError, ValueError, _http_errors()) as exc:
            raise AnalysisError(f"{failure}: {_detail(exc)}") from exc
        if status == 404 and missing is not None:
            raise AnalysisError(missing)
        raise AnalysisError(f"{failure}: {detail}")

    def ping(self) -> bool:
        """Whether the engine answers on its socket."""
        try:
            status, _ = self._get("/_ping", timeout=min(self.timeout, PING_TIMEOUT))
        except (OSError, _http_errors()):
            return False
        return status == 200

    def inspect_image(self, ref: str, hint: str = BUILD_HINT) -> dict[str, Any]:
        """The engine's ``inspect`` of an image.

        Raises:
            AnalysisError: the engine has no such image, or cannot describe it.
        """
        return self._json(
            f"/images/{_quote(ref)}/json",
            f"the engine could not describe {ref!r}",
            f"the engine has no image {ref!r}; {hint}",
        )

    def history(self, ref: str) -> list[dict[str, Any]]:
        """The engine's history of an image, newest first.

        Raises:
            AnalysisError: the engine cannot describe it.
        """
        return self._json(
            f"/images/{_quote(ref)}/history", f"the engine could not describe {ref!r}"
        )

    def info(self) -> dict[str, Any]:
        """The engine's ``info``.

        Raises:
            AnalysisError: the engine does not answer.
        """
        return self._json("/info", "the engine could not describe itself")

    def export(self, ref: str) -> Iterator[bytes]:
        """The image's export, read as it streams (errors: :attr:`export_errors`).

        Raises:
            AnalysisError: the engine refuses the export or does not answer.
        """
        try:
            connection, response = self._open(f"/images/{_quote(ref)}/get")
        except (OSError, _http_errors()) as exc:
            raise AnalysisError(f"the engine could not export {ref!r}: {_detail(exc)}") from exc
        if response.status != 200:
            body = response.read()
            connection.close()
            raise AnalysisError(
                f"the engine could not export {ref!r}: {response.status} {_message(body)}"
            )
        return _chunks(connection, response)


def _chunks(connection: Any, response: Any) -> Iterator[bytes]:
    try:
        while data := response.read(EXPORT_READ):
            yield data
    finally:
        connection.close()


def _http_errors() -> type[BaseException]:
    import http.client

    return http.client.HTTPException


def _quote(ref: str) -> str:
    return urllib.parse.quote(ref, safe="/:")


def _message(body: bytes) -> str:
    """The engine's error message from its JSON answer (``{"message": ...}``)."""
    try:
        message = json.loads(body).get("message")
    except (ValueError, AttributeError):
        message = None
    text = message if isinstance(message, str) else body.decode("utf-8", "replace")
    return " ".join(text.split())[:300]


def local_socket(environ: dict[str, str] | None = None) -> str | None:
    """The engine's unix socket when ``DOCKER_HOST`` names one (or nothing), else ``None``.

    ``None`` too when TLS settings are present: those are the SDK's to apply.
    """
    env = os.environ if environ is None else environ
    if any(env.get(name) for name in TLS_VARIABLES):
        return None
    host = env.get("DOCKER_HOST") or ""
    if not host:
        return DEFAULT_SOCKET
    for scheme in UNIX_SCHEMES:
        if host.startswith(scheme):
            path = host[len(scheme) :] or DEFAULT_SOCKET
            return path if path.startswith("/") else None
    return None


def local_engine(timeout: float = 120.0) -> SocketEngine | None:
    """The local engine over its socket, when it answers; ``None``: use the SDK.

    Args:
        timeout: seconds any single socket operation may wait.
    """
    path = local_socket()
    if path is None:
        return None
    engine = SocketEngine(path, timeout)
    return engine if engine.ping() else None


def as_engine(client: Any) -> EngineAPI:
    """The engine calls for ``client``: a :class:`SocketEngine` or :class:`SdkEngine`
    as it is, a ``docker.DockerClient`` (or anything shaped like one) wrapped."""
    if isinstance(client, SocketEngine | SdkEngine):
        return client
    return SdkEngine(client)

"""The engine calls of an analysis: which socket is local, and a SocketEngine asking a
tiny HTTP server on a unix socket (no engine needed)."""

from __future__ import annotations

import http.server
import json
import socketserver
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.analysis import engine_api
from workbench.analysis.engine_api import (
    BUILD_HINT,
    DEFAULT_SOCKET,
    EXPORT_READ,
    SdkEngine,
    SocketEngine,
    as_engine,
    local_engine,
    local_socket,
)
from workbench.errors import AnalysisError

Route = tuple[int, bytes] | None  # None: hang up without answering


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers each path from the server's routes; records every path it was asked."""

    server: _Engine

    def do_GET(self) -> None:
        self.server.seen.append(self.path)
        route = self.server.routes.get(self.path, (404, b'{"message": "page not found"}'))
        if route is None:
            self.close_connection = True
            return
        status, body = route
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet (and a unix socket has no client address to log)."""


class _Engine(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[str] = []
        super().__init__(path, _Handler)


@pytest.fixture(scope="module")
def server() -> Iterator[_Engine]:
    """One server for the module, on a short path (unix socket paths hold 108 bytes)."""
    with tempfile.TemporaryDirectory(prefix="wb-") as folder:
        engine = _Engine(str(Path(folder) / "engine.sock"))
        thread = threading.Thread(target=engine.serve_forever, args=(0.01,), daemon=True)
        thread.start()
        try:
            yield engine
        finally:
            engine.shutdown()
            engine.server_close()
            thread.join(timeout=2)


@pytest.fixture
def served(server: _Engine) -> _Engine:
    """The server with no routes yet and nothing seen."""
    server.routes.clear()
    server.seen.clear()
    return server


def _engine(server: _Engine) -> SocketEngine:
    return SocketEngine(server.server_address, timeout=5.0)


def _json(status: int, data: object) -> tuple[int, bytes]:
    return status, json.dumps(data).encode()


# --- local_socket -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, DEFAULT_SOCKET),
        ({"DOCKER_HOST": ""}, DEFAULT_SOCKET),
        ({"DOCKER_HOST": "unix:///run/user/1000/docker.sock"}, "/run/user/1000/docker.sock"),
        ({"DOCKER_HOST": "unix://"}, DEFAULT_SOCKET),
        ({"DOCKER_HOST": "http+unix:///var/run/other.sock"}, "/var/run/other.sock"),
        ({"DOCKER_HOST": "tcp://10.0.0.5:2375"}, None),
        ({"DOCKER_HOST": "ssh://me@builder"}, None),
        ({"DOCKER_HOST": "unix://docker.sock"}, None),  # relative: the SDK's to judge
        ({"DOCKER_TLS_VERIFY": "1"}, None),
        ({"DOCKER_CERT_PATH": "/certs", "DOCKER_HOST": "unix:///x.sock"}, None),
        ({"DOCKER_TLS_VERIFY": "", "DOCKER_CERT_PATH": ""}, DEFAULT_SOCKET),  # empty: unset
    ],
)
def test_local_socket_reads_docker_host(environ: dict[str, str], expected: str | None) -> None:
    assert local_socket(environ) == expected


def test_local_socket_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DOCKER_HOST", "unix:///tmp/elsewhere.sock")
    assert local_socket() == "/tmp/elsewhere.sock"
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:2375")
    assert local_socket() is None


# --- as_engine ------------------------------------------------------------------------


def test_as_engine_wraps_a_client_and_passes_engines_through() -> None:
    client = object()
    wrapped = as_engine(client)
    assert isinstance(wrapped, SdkEngine) and wrapped.client is client
    assert as_engine(wrapped) is wrapped
    socket_engine = SocketEngine("/nowhere.sock")
    assert as_engine(socket_engine) is socket_engine


class _Api:
    def __init__(self, history: Exception | list[dict[str, object]]) -> None:
        self._history = history

    def history(self, ref: str) -> list[dict[str, object]]:
        if isinstance(self._history, Exception):
            raise self._history
        return self._history

    def get_image(self, ref: str) -> Iterator[bytes]:
        yield f"tar of {ref}".encode()


class _Client:
    def __init__(self, history: Exception | list[dict[str, object]]) -> None:
        self.api = _Api(history)

    def info(self) -> dict[str, str]:
        return {"Driver": "overlay2"}


def test_the_sdk_engine_asks_the_client_and_words_its_failures() -> None:
    import requests

    engine = SdkEngine(_Client([{"Id": "sha256:a"}]))
    assert engine.history("app:1") == [{"Id": "sha256:a"}]
    assert engine.info() == {"Driver": "overlay2"}
    assert b"".join(engine.export("app:1")) == b"tar of app:1"
    broken = SdkEngine(_Client(requests.exceptions.ConnectionError("refused")))
    with pytest.raises(AnalysisError, match=r"could not describe 'app:1': refused"):
        broken.history("app:1")


# --- SocketEngine ---------------------------------------------------------------------


def test_ping_is_true_when_the_engine_answers_ok(served: _Engine) -> None:
    served.routes["/_ping"] = (200, b"OK")
    assert _engine(served).ping() is True
    assert served.seen == ["/_ping"]


def test_ping_is_false_on_an_error_a_hang_up_or_no_socket(served: _Engine) -> None:
    served.routes["/_ping"] = (500, b"down")
    assert _engine(served).ping() is False
    served.routes["/_ping"] = None
    assert _engine(served).ping() is False
    with tempfile.TemporaryDirectory(prefix="wb-") as folder:
        assert SocketEngine(str(Path(folder) / "none.sock")).ping() is False


def test_inspect_image_returns_the_engines_json(served: _Engine) -> None:
    data = {"Id": "sha256:" + "a" * 64, "RepoTags": ["app:1"], "Size": 123}
    served.routes["/images/app:1/json"] = _json(200, data)
    assert _engine(served).inspect_image("app:1") == data


def test_a_missing_image_says_the_engine_has_none_and_what_to_do(served: _Engine) -> None:
    served.routes["/images/ghost:1/json"] = _json(404, {"message": "No such image: ghost:1"})
    with pytest.raises(AnalysisError) as caught:
        _engine(served).inspect_image("ghost:1")
    assert str(caught.value) == f"the engine has no image 'ghost:1'; {BUILD_HINT}"
    with pytest.raises(AnalysisError, match=r"^the engine has no image 'ghost:1'; pull it$"):
        _engine(served).inspect_image("ghost:1", hint="pull it")


def test_an_engine_error_carries_the_engines_message(served: _Engine) -> None:
    served.routes["/images/app:1/json"] = _json(500, {"message": "  disk\n  on fire "})
    with pytest.raises(AnalysisError) as caught:
        _engine(served).inspect_image("app:1")
    assert str(caught.value) == "the engine could not describe 'app:1': 500 disk on fire"
    served.routes["/images/app:1/json"] = (503, b"not json at all")
    with pytest.raises(AnalysisError, match=r"could not describe 'app:1': 503 not json at all$"):
        _engine(served).inspect_image("app:1")


def test_an_answer_that_is_not_json_is_an_analysis_error(served: _Engine) -> None:
    served.routes["/images/app:1/json"] = (200, b"{broken")
    with pytest.raises(AnalysisError, match=r"^the engine could not describe 'app:1': "):
        _engine(served).inspect_image("app:1")


def test_history_and_info_return_the_engines_json(served: _Engine) -> None:
    layers = [{"Id": "sha256:b", "CreatedBy": "COPY . /"}, {"Id": "<missing>", "Size": 0}]
    served.routes["/images/app:1/history"] = _json(200, layers)
    served.routes["/info"] = _json(200, {"DockerRootDir": "/var/lib/docker", "Driver": "overlay2"})
    engine = _engine(served)
    assert engine.history("app:1") == layers
    assert engine.info() == {"DockerRootDir": "/var/lib/docker", "Driver": "overlay2"}
    served.routes["/info"] = _json(500, {"message": "daemon busy"})
    with pytest.raises(AnalysisError, match=r"^the engine could not describe itself: 500 daemon"):
        engine.info()


def test_a_socket_where_nothing_answers_is_an_analysis_error() -> None:
    with tempfile.TemporaryDirectory(prefix="wb-") as folder:
        engine = SocketEngine(str(Path(folder) / "none.sock"))
        with pytest.raises(AnalysisError, match=r"^the engine could not describe itself: "):
            engine.info()
        with pytest.raises(AnalysisError, match=r"^the engine could not export 'app:1': "):
            engine.export("app:1")


def test_export_streams_the_image_in_chunks(served: _Engine) -> None:
    payload = (bytes(range(256)) * 12_300)[: 3 * 1024 * 1024 + 17]
    served.routes["/images/app:1/get"] = (200, payload)
    chunks = list(_engine(served).export("app:1"))
    assert b"".join(chunks) == payload
    assert len(chunks) >= 3 and all(0 < len(chunk) <= EXPORT_READ for chunk in chunks)


def test_export_refused_is_an_analysis_error(served: _Engine) -> None:
    served.routes["/images/app:1/get"] = _json(500, {"message": "no space left"})
    with pytest.raises(AnalysisError) as caught:
        _engine(served).export("app:1")
    assert str(caught.value) == "the engine could not export 'app:1': 500 no space left"


def test_refs_keep_slashes_and_colons_and_quote_the_rest(served: _Engine) -> None:
    ref = "localhost:5000/team/app:v1"
    digest = "app@sha256:" + "c" * 64
    served.routes[f"/images/{ref}/json"] = _json(200, {"Id": "x"})
    served.routes[f"/images/{ref}/history"] = _json(200, [])
    served.routes[f"/images/{ref}/get"] = (200, b"tar")
    served.routes["/images/app%40sha256:" + "c" * 64 + "/json"] = _json(200, {"Id": "y"})
    engine = _engine(served)
    assert engine.inspect_image(ref) == {"Id": "x"}
    assert engine.history(ref) == []
    assert b"".join(engine.export(ref)) == b"tar"
    assert engine.inspect_image(digest) == {"Id": "y"}
    assert served.seen == [
        f"/images/{ref}/json",
        f"/images/{ref}/history",
        f"/images/{ref}/get",
        "/images/app%40sha256:" + "c" * 64 + "/json",
    ]


def test_export_errors_are_the_socket_and_http_failures() -> None:
    import http.client

    errors = SocketEngine().export_errors
    assert OSError in errors and http.client.HTTPException in errors


# --- local_engine ---------------------------------------------------------------------


def _no_tls(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in engine_api.TLS_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_local_engine_is_none_where_nothing_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_tls(monkeypatch)
    with tempfile.TemporaryDirectory(prefix="wb-") as folder:
        monkeypatch.setenv("DOCKER_HOST", f"unix://{folder}/none.sock")
        assert local_engine() is None
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:1")
    assert local_engine() is None


def test_local_engine_is_the_socket_that_answers(
    served: _Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_tls(monkeypatch)
    served.routes["/_ping"] = (200, b"OK")
    monkeypatch.setenv("DOCKER_HOST", f"unix://{served.server_address}")
    engine = local_engine(timeout=7.0)
    assert isinstance(engine, SocketEngine)
    assert (engine.path, engine.timeout) == (served.server_address, 7.0)
    served.routes["/_ping"] = (500, b"starting")
    assert local_engine() is None

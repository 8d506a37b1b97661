"""A tiny TCP proxy on 127.0.0.1 in front of the engine, which can be cut mid-stream.

``DOCKER_HOST=tcp://127.0.0.1:<port>`` sends the workbench's engine traffic through
it; :meth:`EngineProxy.kill` (or passing ``break_after`` bytes sent to the engine)
closes every connection at once, the way an engine restart or a dropped network
link ends them.  The shared engine itself is never touched.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from dataclasses import dataclass, field


def _engine_socket(host: str) -> socket.socket:
    if host.startswith("unix://"):
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        upstream.connect(host.removeprefix("unix://"))
        return upstream
    address, _, port = host.removeprefix("tcp://").rpartition(":")
    return socket.create_connection((address, int(port)))


@dataclass
class EngineProxy:
    """Forward 127.0.0.1:``port`` to the engine; cut everything on :meth:`kill`.

    Attributes:
        break_after: cut every connection once this many bytes went to the engine.
        sent: bytes forwarded to the engine so far.
    """

    break_after: int | None = None
    sent: int = 0
    killed: threading.Event = field(default_factory=threading.Event)
    _sockets: list[socket.socket] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        # the engine as reached before DOCKER_HOST is pointed at this proxy
        self.upstream = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self.killed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = _engine_socket(self.upstream)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self.killed.is_set():
                    client.close()
                    upstream.close()
                    return
                self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, to_engine: bool) -> None:
        while not self.killed.is_set():
            try:
                data = source.recv(65536)
                if not data:
                    with contextlib.suppress(OSError):
                        target.shutdown(socket.SHUT_WR)
                    return
                target.sendall(data)
            except OSError:
                return
            if to_engine:
                with self._lock:
                    self.sent += len(data)
                    over = self.break_after is not None and self.sent >= self.break_after
                if over:
                    self.kill()
                    return

    def kill(self) -> None:
        """Cut every connection and stop listening, at once."""
        self.killed.set()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in [self._listener, *sockets]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

"""The smoke test's container: started, watched, and always removed.

:func:`running_container` creates and starts a container of the image with its own
ENTRYPOINT/CMD (or the ones the settings give) and environment, labelled as a smoke
container of this process, and removes it however the test ends (success, failure,
timeout, error or Ctrl-C); :class:`MemoryWatch` samples its memory from the engine's
stats; :func:`log_tail` reads its last lines with every environment value masked
(:func:`mask`); :func:`remove_leftovers` removes the containers of workbench processes
that died before they could.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.errors import SmokeError
from workbench.labels import SMOKE as SMOKE_LABEL
from workbench.labels import SMOKE_OWNER
from workbench.processes import host_name, pid_alive

LOG_TAIL_LINES = 40
MASK = "****"


@dataclass(frozen=True)
class RunSpec:
    """How the smoke container runs, besides the image.

    Attributes:
        environment: the variables set in the container (values never shown).
        command: replaces the image's CMD, ``None`` to keep it.
        entrypoint: replaces the image's ENTRYPOINT (``()`` for none), ``None`` to keep it.
    """

    environment: Mapping[str, str] = field(default_factory=dict, repr=False)
    command: Sequence[str] | None = None
    entrypoint: Sequence[str] | None = None


def mask(text: str, secrets: Iterable[str]) -> str:
    """The text with every secret (and every line of a multi-line one) as ``****``.

    Longer secrets are masked first, so one inside another leaves nothing behind.
    """
    pieces: set[str] = set()
    for secret in secrets:
        if secret:
            pieces.add(secret)
            pieces.update(line for line in secret.splitlines() if line.strip())
    for piece in sorted(pieces, key=len, reverse=True):
        text = text.replace(piece, MASK)
    return text


@contextlib.contextmanager
def running_container(
    client: Any,
    image: str,
    image_id: str,
    name: str,
    container_port: int | None,
    spec: RunSpec | None = None,
) -> Iterator[Any]:
    """A started container of the image, removed when the block ends, however it ends.

    Args:
        client: a docker client.
        image: the reference asked for (for the error message).
        image_id: the image's id.
        name: the container's name.
        container_port: the container port to publish on a free 127.0.0.1 port.
        spec: the environment, command and entrypoint (default: the image's own).

    Raises:
        SmokeError: the engine refused to create or start the container (no container
            is left behind; no environment value in the message).
    """
    import docker.errors

    spec = spec or RunSpec()
    ports = {f"{container_port}/tcp": ("127.0.0.1", None)} if container_port else {}
    options: dict[str, Any] = {"environment": dict(spec.environment)}
    if spec.command is not None:
        options["command"] = list(spec.command)
    if spec.entrypoint is not None:
        options["entrypoint"] = list(spec.entrypoint)  # [] clears the image's ENTRYPOINT
    container = None
    try:
        try:
            container = client.containers.create(
                image_id,
                name=name,
                detach=True,
                ports=ports,
                labels={SMOKE_LABEL: "1", SMOKE_OWNER: _owner()},
                **options,
            )
            container.start()
        except docker.errors.DockerException as exc:
            reason = mask(_one_line(exc), spec.environment.values())
            raise SmokeError(f"the engine could not start {image}: {reason}") from exc
        yield container
    finally:
        if container is not None:
            _remove(container)


class MemoryWatch:
    """Samples a container's memory use from the engine's stats stream, on a thread."""

    def __init__(self, client: Any, container_id: str) -> None:
        self.client, self.container_id = client, container_id
        self.peak: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="smoke-stats", daemon=True)
        self._thread.start()

    @staticmethod
    def usage(sample: Mapping[str, Any]) -> int | None:
        """The docker CLI's memory figure of one stats sample."""
        memory = sample.get("memory_stats") or {}
        usage = memory.get("usage")
        if usage is None:
            return None
        stats = memory.get("stats") or {}
        inactive = stats.get("inactive_file", stats.get("total_inactive_file", 0)) or 0
        value = int(usage) - int(inactive) if inactive < usage else int(usage)
        peak = memory.get("max_usage")  # cgroup v1 only
        return max(value, int(peak) - int(inactive)) if peak else value

    def add(self, sample: Mapping[str, Any]) -> None:
        """Count one stats sample towards the peak."""
        value = self.usage(sample)
        if value is not None and value > 0:
            self.peak = value if self.peak is None else max(self.peak, value)

    def _run(self) -> None:
        """Follow the stats stream until the container goes or :meth:`stop` is called."""
        with contextlib.suppress(Exception):  # the stream ends when the container goes
            for sample in self.client.api.stats(self.container_id, decode=True, stream=True):
                self.add(sample)
                if self._stop.is_set():
                    return

    def sample_now(self) -> None:
        """Take one sample now, besides the stream's (at the end of the check)."""
        with contextlib.suppress(Exception):
            self.add(self.client.api.stats(self.container_id, stream=False, one_shot=True))

    def stop(self) -> None:
        """Stop following the stream (at its next sample)."""
        self._stop.set()


def log_tail(container: Any, secrets: Iterable[str] = (), lines: int = LOG_TAIL_LINES) -> str:
    """The container's last log lines, every secret masked; ``""`` when the engine cannot say."""
    with contextlib.suppress(Exception):
        return mask(container.logs(tail=lines).decode("utf-8", "replace").rstrip(), secrets)
    return ""


def _remove(container: Any) -> None:
    """Remove the container; retried once, and never raises (the test's outcome stands)."""
    import docker.errors

    for _ in range(2):
        try:
            container.remove(force=True)
            return
        except docker.errors.NotFound:
            return
        except docker.errors.DockerException:
            time.sleep(0.5)


def _one_line(exc: BaseException) -> str:
    """The last line of an engine error, the one that says what went wrong."""
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def _owner() -> str:
    """This process, as the smoke containers' owner label names it (``HOST:PID``)."""
    return f"{host_name()}:{os.getpid()}"


def remove_leftovers(client: Any) -> list[str]:
    """Remove smoke containers whose workbench process on this machine is gone.

    A ``kill -9`` cannot run a ``finally``; the next smoke test cleans up after it.

    Returns:
        The names of the containers removed.
    """
    import docker.errors

    host = host_name()
    removed = []
    try:
        containers = client.containers.list(all=True, filters={"label": SMOKE_LABEL})
    except docker.errors.DockerException:
        return []
    for container in containers:
        owner = (container.labels or {}).get(SMOKE_OWNER, "")
        owner_host, _, pid = owner.rpartition(":")
        if owner_host != host or not pid.isdigit() or pid_alive(int(pid)):
            continue
        with contextlib.suppress(docker.errors.DockerException):
            container.remove(force=True)
            removed.append(container.name)
    return removed

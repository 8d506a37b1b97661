"""Is the smoke container ready? An HTTP GET or a command inside it, polled.

:func:`wait_ready` polls a running container until its check succeeds (an HTTP answer
on the published port with the expected status, else any 2xx/3xx; or the check command
exiting 0), its process exits, or the timeout passes; the outcome is a plain dict the
smoke test turns into its result.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from workbench.project.plan import SmokeSettings

POLL_S = 0.25
PROBE_TIMEOUT_S = 2.0


def http_probe(url: str) -> tuple[int | None, str]:
    """GET the URL once: (status, "") on an HTTP answer, (None, reason) otherwise."""
    try:
        with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT_S) as response:  # noqa: S310
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, str(reason) or type(exc).__name__


def exec_probe(client: Any, container_id: str, command: Sequence[str], wait_s: float) -> int | None:
    """Run the command in the container; its exit code, ``None`` if it did not end in time."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            exec_id = client.api.exec_create(container_id, list(command))["Id"]
            client.api.exec_start(exec_id)
            outcome["code"] = client.api.exec_inspect(exec_id).get("ExitCode")
        except Exception as exc:  # the container may stop meanwhile
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="smoke-exec", daemon=True)
    thread.start()
    thread.join(max(wait_s, 0.1))
    return outcome.get("code")


def host_port_of(container: Any, container_port: int | None) -> int | None:
    """The 127.0.0.1 port the engine published ``container_port`` on, once it says."""
    ports = (container.attrs.get("NetworkSettings") or {}).get("Ports") or {}
    for binding in ports.get(f"{container_port}/tcp") or ():
        if binding.get("HostPort", "").isdigit():
            return int(binding["HostPort"])
    return None


def wait_ready(
    client: Any,
    container: Any,
    mode: str,
    path: str,
    container_port: int | None,
    settings: SmokeSettings,
    started: float,
) -> dict[str, Any]:
    """Poll until the check succeeds, the process exits, or the timeout passes.

    Args:
        client: the docker client (for a command check).
        container: the started container.
        mode: ``"http"`` or ``"command"``.
        path: the HTTP path to GET.
        container_port: the container port published for the HTTP check.
        settings: the smoke settings (the expected status, the check command, the
            timeout).
        started: when the test started (``time.monotonic()``).

    Returns:
        ``passed`` and, as known, ``ready_s``, ``exit_code``, ``host_port``,
        ``http_status`` and a one-line ``error``.
    """
    deadline = started + settings.timeout_s
    host_port: int | None = None
    last_status: int | None = None
    last_reason = "no answer yet"
    while True:
        container.reload()
        state = container.attrs.get("State") or {}
        if not state.get("Running"):
            return _exited(state.get("ExitCode"), started, host_port)
        if mode == "http":
            if host_port is None:
                host_port = host_port_of(container, container_port)
            if host_port is not None:
                status, reason = http_probe(f"http://127.0.0.1:{host_port}{path}")
                if status is not None:
                    last_status = status
                    if _as_expected(status, settings.status):
                        return _ready(started, host_port, status)
                    last_reason = f"it answered HTTP {status}" + (
                        f", not the {settings.status} expected" if settings.status else ""
                    )
                else:
                    last_reason = reason
        else:
            remaining = max(deadline - time.monotonic(), PROBE_TIMEOUT_S)
            code = exec_probe(client, container.id, settings.check, remaining)
            if code == 0:
                return _ready(started, host_port, None)
            if code is not None:
                last_reason = f"the check exited with code {code}"
            elif last_reason == "no answer yet":
                last_reason = "the check did not finish"
        if time.monotonic() >= deadline:
            where = f"http://127.0.0.1:{host_port}{path}" if mode == "http" else "the check command"
            return _not_ready(settings.timeout_s, where, last_reason, host_port, last_status)
        time.sleep(POLL_S)


def _as_expected(status: int, expected: int | None) -> bool:
    """Whether an HTTP status passes: the one expected, else any 2xx or 3xx."""
    return status == expected if expected is not None else 200 <= status < 400


def _ready(started: float, host_port: int | None, status: int | None) -> dict[str, Any]:
    """The outcome of a check that succeeded."""
    return {
        "passed": True,
        "ready_s": round(time.monotonic() - started, 3),
        "host_port": host_port,
        "http_status": status,
    }


def _exited(code: int | None, started: float, host_port: int | None) -> dict[str, Any]:
    """The outcome when the container's process ended before it was ready."""
    elapsed = time.monotonic() - started
    return {
        "passed": False,
        "exit_code": code,
        "host_port": host_port,
        "error": (
            f"the container's command exited with code {code} after {elapsed:.1f} s, "
            "before it was ready"
        ),
    }


def _not_ready(
    timeout_s: float, where: str, reason: str, host_port: int | None, status: int | None
) -> dict[str, Any]:
    """The outcome when the timeout passed before the check succeeded."""
    return {
        "passed": False,
        "host_port": host_port,
        "http_status": status,
        "error": (
            f"not ready within {timeout_s:.0f} s: {where} ({reason}); "
            "raise --timeout or check the log"
        ),
    }

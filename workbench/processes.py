"""Who owns a piece of work: this machine's name and whether a process still runs.

Builds and smoke-test containers record their owner (host and pid), so work left
behind by a process that died can be told from work a live process still does.
"""

from __future__ import annotations

import os


def host_name() -> str:
    """This machine's name, as owners record it."""
    return os.uname().nodename


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it runs, as another user
    return True

"""Work a forked child does on the machine's other core while the analysis goes on.

A cold analysis is Python work after the layers are read: the merge, classifying every
path, dive's efficiency.  Python runs one thread at a time, so the second core does
nothing unless a process of its own works: :class:`Forked` computes one call in a
child forked from this process (it sees the same objects, copied on write, nothing to
load), and :func:`split_map_beside` gives the child a part of a list and other work
after it (the CLI's analysis: the Python packages).  The result comes back pickled
through a pipe.  (The overlay2 walk shares its folders with a child of its own:
:mod:`workbench.analysis.overlay_walk`.)

A child is forked only where that is safe and pays: ``os.fork`` exists, the machine
has a second core, and this process runs one thread (the CLI; the app's jobs run in
threads, and a child forked beside other threads may inherit their locks held).  Else,
and whenever a child fails, the call runs here, so the answer is the same either way.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
E = TypeVar("E")

READ = 1 << 20
MIN_SPLIT = 4096  # items below which a list is mapped here: a fork costs a few ms


def can_fork() -> bool:
    """Whether a child may be forked now: one thread, a second core, ``os.fork``."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1


class Forked(Generic[R]):
    """``function(*args)``, computed in a forked child from now on (or here, at once,
    where no child may be forked); :meth:`result` waits for it.

    Args:
        function: what to call; its result must pickle.
        args: its arguments (the child sees them as they are now).
        fork: whether to fork a child; ``None``: when :func:`can_fork`.
    """

    def __init__(self, function: Callable[..., R], *args: object, fork: bool | None = None) -> None:
        self._call = (function, args)
        self._pid = 0
        self._pipe = -1
        if not (can_fork() if fork is None else fork):
            self._value = function(*args)
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, and leave without running any cleanup
            os.close(read)
            _send(write, function, args)
        os.close(write)
        self._pid, self._pipe = pid, read

    def result(self) -> R:
        """The call's result; computed here if the child failed (its error is not kept)."""
        if not self._pid:
            return self._value
        chunks = []
        try:
            while chunk := os.read(self._pipe, READ):
                chunks.append(chunk)
        finally:
            os.close(self._pipe)
            os.waitpid(self._pid, 0)
            self._pid = 0
        try:
            ok, value = pickle.loads(b"".join(chunks))
        except Exception:  # noqa: BLE001 - a child killed mid-way: compute it here
            ok, value = False, None
        if not ok:
            function, args = self._call
            value = function(*args)
        self._value = value
        return value


def _send(pipe: int, function: Callable[..., object], args: Sequence[object]) -> None:
    """In the child: the call's pickled result (or a failure) into the pipe, then exit."""
    try:
        try:
            data = pickle.dumps((True, function(*args)), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001 - the parent computes it again
            data = pickle.dumps((False, None))
        view = memoryview(data)
        while view:
            view = view[os.write(pipe, view) :]
    finally:
        os._exit(0)


def _both(
    function: Callable[[Sequence[T]], list[R]], items: Sequence[T], beside: Callable[[], E]
) -> tuple[list[R], E]:
    return function(items), beside()


def split_map_beside(
    function: Callable[[Sequence[T]], list[R]],
    items: Sequence[T],
    beside: Callable[[], E],
    *,
    share: float,
    fork: bool | None = None,
) -> tuple[list[R], E]:
    """``function(items)`` and ``beside()``: a forked child maps the last ``share`` of
    the items, then calls ``beside``, while this process maps the rest.

    Args:
        function: maps a list of items to a list of results, one per item.
        items: the items.
        beside: other work for the child, which it does after its part of the items
            (give it a smaller ``share`` for that).
        share: the part of the items the child maps, from 0 to 1.
        fork: whether to fork a child; ``None``: when :func:`can_fork` and there are at
            least :data:`MIN_SPLIT` items.
    """
    if fork is None:
        fork = len(items) >= MIN_SPLIT and can_fork()
    if not fork:
        return function(items), beside()
    cut = len(items) - int(len(items) * share)
    child = Forked(_both, function, items[cut:], beside, fork=True)
    first = function(items[:cut])
    rest, other = child.result()
    return [*first, *rest], other

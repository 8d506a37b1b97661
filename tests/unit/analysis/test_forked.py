"""Work on the other core: the same answers forked or not, and a failing child is no loss."""

from __future__ import annotations

import os
import threading

from workbench.analysis import forked
from workbench.analysis.forked import Forked, can_fork, split_map_beside


def squares(items):
    return [i * i for i in items]


def whose(_items):
    return [os.getpid()]


def split_map(function, items, fork=None):
    """The items mapped in two halves, nothing beside."""
    return split_map_beside(function, items, lambda: None, share=0.5, fork=fork)[0]


def test_a_forked_call_gives_what_the_call_gives() -> None:
    later = Forked(sum, range(100_000), fork=True)
    assert later.result() == sum(range(100_000))
    assert later.result() == sum(range(100_000))  # asked twice: the same, no second child


def test_the_call_runs_in_a_child_when_forked_and_here_when_not() -> None:
    assert Forked(whose, [], fork=True).result() != [os.getpid()]
    assert Forked(whose, [], fork=False).result() == [os.getpid()]


def test_a_child_that_fails_is_computed_again_here() -> None:
    calls = []

    def fails_in_the_child() -> int:
        calls.append(os.getpid())  # in the child, this list is the child's copy
        if len(calls) == 1 and os.getpid() != parent:
            raise RuntimeError("no")
        return 7

    parent = os.getpid()
    assert Forked(fails_in_the_child, fork=True).result() == 7
    assert calls == [parent]  # the parent's own call, after the child's failure


def test_a_result_that_does_not_pickle_is_computed_here() -> None:
    assert Forked(lambda: lambda: 3, fork=True).result()() == 3


def test_split_map_keeps_the_order_and_every_item() -> None:
    items = list(range(10_001))
    assert split_map(squares, items, fork=True) == squares(items)
    assert split_map(squares, items, fork=False) == squares(items)
    assert split_map(squares, [], fork=True) == []
    assert split_map(squares, [3], fork=True) == [9]


def test_split_map_forks_only_for_a_long_list(monkeypatch) -> None:
    monkeypatch.setattr(forked, "can_fork", lambda: True)
    assert split_map(whose, ["x"] * 10) == [os.getpid()]  # short: here, one call
    halves = split_map(whose, ["x"] * forked.MIN_SPLIT)
    assert halves[0] == os.getpid() and halves[1] != os.getpid()


def test_the_child_does_its_share_then_the_work_beside() -> None:
    items = list(range(forked.MIN_SPLIT * 2))
    mapped, beside = split_map_beside(squares, items, os.getpid, share=0.25, fork=True)
    assert mapped == squares(items)
    assert beside != os.getpid()  # called in the child
    pids = split_map_beside(whose, ["x"] * 8, os.getpid, share=0.25, fork=True)[0]
    assert pids[0] == os.getpid() and pids[1] != os.getpid()  # 6 here, 2 there: one call each
    here = split_map_beside(squares, items, os.getpid, share=0.25, fork=False)
    assert here == (squares(items), os.getpid())


def test_no_child_beside_other_threads() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not can_fork()
    finally:
        stop.set()
        other.join()

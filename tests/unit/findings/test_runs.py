"""Optimize runs in the store: progress, result, cancel, interrupted."""

from __future__ import annotations

import pytest

from tests.conftest import TINY_PROJECT
from workbench.findings.runs import (
    add_run,
    get_run,
    latest_run,
    mark_interrupted,
    request_cancel,
    update_run,
)
from workbench.project import load_project
from workbench.store import Store


def test_a_run_keeps_its_progress_and_result() -> None:
    store = Store()
    project = load_project(TINY_PROJECT)
    run_id = add_run(store, project)
    update_run(store, run_id, status="running", step=2, steps_total=5, current="no-cache",
               build_id=7, result={"a": [1]})  # fmt: skip
    run = get_run(store, run_id)
    assert (run.status, run.step, run.steps_total, run.current, run.build_id) == (
        "running", 2, 5, "no-cache", 7,
    )  # fmt: skip
    assert run.result == {"a": [1]} and not run.finished
    assert latest_run(store, project.key).id == run_id
    with pytest.raises(ValueError, match="unknown optimize-run fields"):
        update_run(store, run_id, colour="red")


def test_cancel_is_asked_once_and_only_of_an_active_run() -> None:
    store = Store()
    run_id = add_run(store, load_project(TINY_PROJECT))
    assert request_cancel(store, run_id)
    assert get_run(store, run_id).cancel_requested
    update_run(store, run_id, status="cancelled")
    assert not request_cancel(store, run_id)


def test_a_run_of_a_dead_process_is_marked_interrupted() -> None:
    store = Store()
    run_id = add_run(store, load_project(TINY_PROJECT))
    update_run(store, run_id, status="running", owner_pid=2**22 + 12345)
    assert mark_interrupted(store) == [run_id]
    run = get_run(store, run_id)
    assert (run.status, run.error) == ("interrupted", "the process running it stopped")

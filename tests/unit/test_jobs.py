"""The one background-work mechanism: lanes, one job per subject, failures said."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest

from workbench.jobs import ANALYSIS, AUDIT, PUSH, Jobs, PerStore
from workbench.store import Store


def test_asking_twice_for_a_running_job_gives_the_same_job() -> None:
    jobs = Jobs()
    release = threading.Event()
    runs: list[str] = []

    def work() -> None:
        runs.append("ran")
        release.wait(5)

    first = jobs.submit(ANALYSIS, "sha256:aa", work, "aa")
    second = jobs.submit(ANALYSIS, "sha256:aa", work, "aa")
    assert (first.subject, first.requested_at) == (second.subject, second.requested_at)
    assert jobs.running(ANALYSIS, "sha256:aa")
    release.set()
    done = jobs.wait(ANALYSIS, "sha256:aa", timeout=5)
    assert done.state == "done" and done.finished and done.error is None
    assert runs == ["ran"]
    again = jobs.submit(ANALYSIS, "sha256:aa", work, "aa")  # finished: a new job
    assert again.requested_at >= first.requested_at and jobs.wait(ANALYSIS, "sha256:aa", 5)
    assert runs == ["ran", "ran"]


def test_a_failing_job_says_why_and_the_lane_goes_on() -> None:
    jobs = Jobs()

    def broken() -> None:
        raise RuntimeError("the engine went away")

    jobs.submit(PUSH, "sha256:bb", broken)
    jobs.submit(PUSH, "sha256:cc", lambda: None)
    failed = jobs.wait(PUSH, "sha256:bb", timeout=5)
    assert failed.state == "failed" and failed.error == "the engine went away"
    assert jobs.wait(PUSH, "sha256:cc", timeout=5).state == "done"


def test_a_slow_lane_does_not_hold_up_another() -> None:
    jobs = Jobs()
    release = threading.Event()
    jobs.submit(AUDIT, "project", lambda: release.wait(5))
    quick = jobs.submit(ANALYSIS, "sha256:dd", lambda: None)
    assert jobs.wait(ANALYSIS, quick.subject, timeout=5).state == "done"
    assert [job.kind for job in jobs.active()] == [AUDIT]
    release.set()
    assert jobs.wait(AUDIT, "project", timeout=5).state == "done"
    assert jobs.active() == []


def test_jobs_on_one_lane_run_one_at_a_time_in_order() -> None:
    jobs = Jobs()
    order: list[int] = []
    for number in range(5):
        jobs.submit(ANALYSIS, f"sha256:{number}", lambda n=number: order.append(n))
    jobs.wait(ANALYSIS, "sha256:4", timeout=5)
    assert order == [0, 1, 2, 3, 4]


def test_a_subject_can_be_any_frozen_dataclass() -> None:
    @dataclass(frozen=True)
    class Subject:
        path: str
        names: tuple[str, ...]

    jobs = Jobs()
    job = jobs.submit(ANALYSIS, Subject("/p\nq", ("a",)), lambda: None, "p")
    assert job.label == "p"
    assert jobs.wait(ANALYSIS, Subject("/p\nq", ("a",)), timeout=5).state == "done"


def test_one_object_per_store(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Store] = []
    per_store = PerStore(lambda store: made.append(store) or len(made))
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "one"))
    assert per_store() == per_store() == 1
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "two"))
    assert per_store() == 2
    assert [store.path.parent.name for store in made] == ["one", "two"]

from __future__ import annotations

import threading
import time

import pytest

from workbench.analysis.stored import start_analysis
from workbench.build import rebuild
from workbench.build.builders import BuilderInfo
from workbench.build.rebuild import RebuildSubject, start_rebuild_probe
from workbench.errors import BuildError
from workbench.jobs import ANALYSIS, REBUILD, Jobs
from workbench.store import Store


def _running_build(store: Store) -> int:
    return store.add_build(
        project_key="p",
        project_path="/p",
        variant="baseline",
        tag="w/p:baseline",
        builder="buildkit",
        request_key="k",
        dockerfile_sha256="x",
        status="running",
    )


def test_a_rebuild_probe_waits_for_running_builds(tmp_path) -> None:
    store = Store(tmp_path / "store.db")
    build_id = _running_build(store)
    waited = threading.Event()

    def probe() -> None:
        rebuild.wait_for_idle_builds(store, poll_s=0.05)
        waited.set()

    thread = threading.Thread(target=probe)
    thread.start()
    time.sleep(0.3)
    assert not waited.is_set()  # still a build running
    store.update_build(build_id, status="succeeded")
    thread.join(timeout=5)
    assert waited.is_set()


def test_a_rebuild_probe_gives_up_on_builds_that_never_end(tmp_path) -> None:
    store = Store(tmp_path / "store.db")
    _running_build(store)
    with pytest.raises(BuildError, match="measure the rebuild cost later"):
        rebuild.wait_for_idle_builds(store, poll_s=0.01, timeout_s=0.05)


def test_a_rebuild_job_is_labelled_by_its_variant(tmp_path) -> None:
    subject = RebuildSubject("/projects/odd\nname, really", "pruned-deps", ("ruff", "poetry"))
    jobs = Jobs()
    job = start_rebuild_probe(subject, store=Store(tmp_path / "store.db"), jobs=jobs)
    assert job.label == "pruned-deps"
    assert jobs.wait(REBUILD, subject, timeout=30).subject == subject
    assert (subject.project_path, subject.variant, subject.drop) == (
        "/projects/odd\nname, really",
        "pruned-deps",
        ("ruff", "poetry"),
    )
    unreachable = start_analysis(
        "sha256:0123456789abcdef", store=Store(tmp_path / "store.db"), jobs=jobs,
        client_factory=lambda: None,
    )  # fmt: skip
    assert unreachable.label == "0123456789ab"
    assert jobs.wait(ANALYSIS, "sha256:0123456789abcdef", timeout=30).state == "failed"


def test_each_probe_makes_a_change_no_earlier_probe_made(tmp_path, monkeypatch) -> None:
    from tests.conftest import TINY_PROJECT
    from workbench.project import load_project

    seen: list[tuple[str, bytes | None]] = []

    def fake_build(client, builder, folder, dockerfile, extra_files, tag) -> float:
        source = rebuild._source_file(folder).read_text(encoding="utf-8")
        seen.append((source, extra_files.get("uv.lock")))
        return 1.0

    monkeypatch.setattr(rebuild, "_timed_build", fake_build)
    monkeypatch.setattr(
        rebuild.builders, "choose_builder", lambda name, text: BuilderInfo("buildkit", "test")
    )

    class NoImages:
        class images:  # noqa: N801 - mimics DockerClient.images
            @staticmethod
            def remove(tag, noprune=False):
                return None

    project = load_project(TINY_PROJECT)
    store = Store(tmp_path / "store.db")
    for _ in range(2):
        rebuild.measure_rebuild_cost(NoImages(), project, "baseline", "FROM x\n", store=store)
    warm, source, lock, warm2, source2, lock2 = seen
    assert warm[1] is None and source[0] != warm[0] and lock[1] is not None
    assert source2[0] != source[0] and lock2[1] != lock[1]  # not the last probe's edit
    assert warm2[0] == warm[0]  # each probe starts from the user's files
    assert len(store.rebuild_costs(project.key)) == 1  # the newest per variant and builder

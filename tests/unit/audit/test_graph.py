"""The lock graph: what a removal takes with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.audit.audit_fixtures import GRAPH_LOCK, SHOP
from workbench.audit.graph import LockGraph, LockPackage, load_lock, parse_lock
from workbench.errors import AuditError


@pytest.fixture(scope="module")
def graph() -> LockGraph:
    return load_lock(GRAPH_LOCK)


def test_the_roots_are_the_projects_runtime_dependencies_with_their_extras(graph) -> None:
    assert graph.project == "app"
    assert graph.roots == (("web", ()), ("tester", ()), ("linter", ()), ("cloud", ("fast",)))


def test_reachable_follows_extras_and_drops_other_platforms_and_dev_groups(graph) -> None:
    assert graph.reachable() == {
        "web", "web-only", "tester", "tester-plugin", "tester-deep", "linter", "cloud",
        "speedups", "shared-core",
    }  # fmt: skip
    # not: win-colors (Windows markers), old-backport (Python < 3.11), never-installed (an
    # extra nobody asks for), core-helper (the fork of shared-core for other platforms),
    # typer-checker (a dev group)


def test_a_removal_counts_exclusive_transitive_dependencies_and_not_shared_ones(graph) -> None:
    removal = graph.removal(["tester"])
    assert removal.packages == ("tester", "tester-deep", "tester-plugin")
    assert "shared-core" not in removal.packages  # web and linter still need it
    assert graph.removal(["web"]).packages == ("web",)  # web-only: cloud needs it too
    assert graph.removal(["web", "cloud"]).packages == ("cloud", "speedups", "web", "web-only")


def test_a_shared_dependency_goes_once_all_its_dependents_go(graph) -> None:
    assert "shared-core" not in graph.removal(["tester", "linter"]).packages
    everything = graph.removal(["tester", "linter", "web"]).packages
    assert "shared-core" in everything


def test_a_dropped_package_that_others_need_stays_and_says_who_needs_it() -> None:
    shop = load_lock(SHOP / "uv.lock")
    removal = shop.removal(["requests"])
    assert removal.packages == ()
    assert removal.kept == ("requests",)
    assert removal.needed_by["requests"] == ("google-api-core", "google-cloud-storage")


def test_removals_on_a_real_lock(graph) -> None:
    shop = load_lock(SHOP / "uv.lock")
    assert shop.root_names == (
        "black", "google-cloud-storage", "gunicorn", "httpx", "pytest", "pyyaml", "requests",
        "six",
    )  # fmt: skip
    # packaging is shared by pytest and black: it leaves only when both go
    assert "packaging" not in shop.removal(["pytest"]).packages
    assert "packaging" not in shop.removal(["black"]).packages
    assert "packaging" in shop.removal(["pytest", "black"]).packages
    # idna and certifi are shared by httpx and requests
    assert shop.removal(["httpx"]).packages == ("anyio", "h11", "httpcore", "httpx")


def test_bytes_of_a_removal_sum_the_sizes_of_its_packages(graph) -> None:
    sizes = {"tester": 100, "tester-plugin": 20, "tester-deep": 3, "shared-core": 1000}
    assert graph.removal(["Tester"]).bytes(sizes) == 123


def test_the_graph_round_trips_through_json(graph) -> None:
    again = LockGraph.from_dict(json.loads(json.dumps(graph.to_dict())))
    assert again == graph
    assert again.removal(["tester"]) == graph.removal(["tester"])


def test_markers_follow_the_python_version() -> None:
    older = load_lock(GRAPH_LOCK, python_version="3.10")
    assert "old-backport" in older.reachable()


def test_a_lock_that_is_not_toml_is_an_audit_error(tmp_path: Path) -> None:
    with pytest.raises(AuditError, match="uv lock"):
        parse_lock("[[package]\nname=")
    with pytest.raises(AuditError, match="cannot read"):
        load_lock(tmp_path / "uv.lock")


def test_without_a_project_entry_the_given_roots_are_used() -> None:
    text = '[[package]]\nname = "a"\nversion = "1"\ndependencies = [{ name = "b" }]\n'
    text += '[[package]]\nname = "b"\nversion = "1"\n'
    lock = parse_lock(text, roots=["A"])
    assert lock.project == ""
    assert lock.removal(["a"]).packages == ("a", "b")


def test_kept_roots_are_never_dropped_and_keep_what_they_need() -> None:
    packages = {
        "a": LockPackage("a", "1", (("shared", ()),)),
        "b": LockPackage("b", "1", (("shared", ()), ("b-only", ()))),
        "shared": LockPackage("shared"),
        "b-only": LockPackage("b-only"),
        "kept": LockPackage("kept", "1", (("a", ()),)),
    }
    graph = LockGraph("", (("a", ()), ("b", ())), packages, (("kept", ()),), "image")
    assert graph.reachable() == {"a", "b", "shared", "b-only", "kept"}
    assert graph.removal(["b"]).packages == ("b", "b-only")
    removal = graph.removal(["a", "b"])
    assert removal.packages == ("b", "b-only")  # kept needs a, a needs shared
    assert removal.kept == ("a",) and removal.needed_by == {"a": ("kept",)}
    assert LockGraph.from_dict(json.loads(json.dumps(graph.to_dict()))) == graph
    assert LockGraph.from_dict({"roots": [["a", []]]}).source == "uv.lock"  # stored before

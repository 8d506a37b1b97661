"""The audit's sizes: what a removal frees in the image."""

from __future__ import annotations

from tests.unit.audit.audit_fixtures import GRAPH_LOCK, SHOP, facts_for
from workbench.audit.graph import load_lock
from workbench.audit.model import Candidate
from workbench.audit.sizes import Sizes


def test_without_an_image_there_are_packages_but_no_bytes() -> None:
    sizes = Sizes.of(None, None)
    assert sizes == Sizes(None, {}, {}, measured=False)
    assert sizes.removal([]) == (None, ())
    assert sizes.removal(["b", "a"]) == (None, ("a", "b"))
    assert sizes.cached_bytes(["a"]) is None


def test_a_removal_frees_its_exclusive_dependencies_bytes() -> None:
    graph = load_lock(GRAPH_LOCK)
    sizes = Sizes(
        graph, {"tester": 100, "tester-plugin": 20, "tester-deep": 3}, {"tester": 7}, True
    )
    assert sizes.removal([]) == (0, ())
    assert sizes.removal(["tester"]) == (123, ("tester", "tester-deep", "tester-plugin"))
    assert sizes.cached_bytes(["tester", "tester-deep"]) == 7


def test_the_image_gives_the_sizes_and_the_lock_who_needs_what() -> None:
    lock = load_lock(SHOP / "uv.lock")
    sizes = Sizes.of(lock, facts_for(lock))
    assert sizes.measured and sizes.sizes["six"] == 1000
    assert sizes.needed_by("requests", ["requests"]) == ("google-api-core", "google-cloud-storage")
    assert Sizes(None).needed_by("requests", ["requests"]) == ()
    six = Candidate("six", "six", "unused", "remove", "certain", "r")
    assert sizes.sized(six) == Candidate(
        "six", "six", "unused", "remove", "certain", "r", 1000, 0, ("six",), ()
    )
    requests = sizes.sized(Candidate("requests", "requests", "unused", "remove", "certain", "r"))
    assert (requests.bytes, requests.packages) == (0, ())
    assert requests.needed_by == ("google-api-core", "google-cloud-storage")

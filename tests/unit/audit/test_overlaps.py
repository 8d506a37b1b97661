"""The audit's overlaps: libraries that do the same job, declared together."""

from __future__ import annotations

from workbench.audit.imports import Scan
from workbench.audit.model import Overlap, OverlapMember
from workbench.audit.names import names_for
from workbench.audit.overlaps import find_overlaps
from workbench.audit.sizes import Sizes
from workbench.project.manifests import declared_dependencies

RUNTIME = {
    d.name: d
    for d in declared_dependencies({"project": {"dependencies": ["requests>=2", "httpx", "six"]}})
}


def test_two_http_clients_make_an_overlap_saying_which_is_imported() -> None:
    scan = Scan((), {"httpx": ("app/client.py:3", "app/client.py:9")}, 1)
    names = names_for(RUNTIME, None)
    sizes = Sizes(None, {"requests": 50, "httpx": 20}, {}, True)
    assert find_overlaps(RUNTIME, scan, names, sizes, []) == [
        Overlap(
            "HTTP clients",
            (
                OverlapMember("httpx", "httpx", ("app/client.py",), 20, 20),
                OverlapMember("requests", "requests>=2", (), 50, 50),
            ),
            "certain",
            "only one of them is imported; the other is an unused candidate",
        )
    ]


def test_no_overlap_when_every_member_goes_anyway() -> None:
    scan = Scan((), {}, 0)
    names = names_for(RUNTIME, None)
    assert find_overlaps(RUNTIME, scan, names, Sizes(None), ["httpx", "requests"]) == []
    [overlap] = find_overlaps(RUNTIME, scan, names, Sizes(None), ["requests"])
    assert overlap.certainty == "guess"
    assert [(m.own_bytes, m.frees_bytes) for m in overlap.members] == [(None, None)] * 2

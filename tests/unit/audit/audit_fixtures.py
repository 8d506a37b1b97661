"""What the audit's unit tests share: the fixture projects and a made-up image of them."""

from __future__ import annotations

from tests.conftest import FIXTURES
from workbench.audit.distributions import Distribution, ImageFacts
from workbench.audit.graph import LockGraph
from workbench.audit.names import guess_modules

AUDIT = FIXTURES / "audit"
GRAPH_LOCK = AUDIT / "graph" / "uv.lock"
SHOP = AUDIT / "shop"
CLEAN = AUDIT / "clean"


def facts_for(lock: LockGraph, extra: dict[str, Distribution] | None = None) -> ImageFacts:
    """An image holding every package of the lock, 1000 bytes each (+ given overrides)."""
    special = {
        "pytest": (("_pytest", "py", "pytest"), ("pytest", "py.test")),
        "black": (("black", "blackd", "blib2to3", "_black_version"), ("black", "blackd")),
        "gunicorn": (("gunicorn",), ("gunicorn",)),
        "pyyaml": (("_yaml", "yaml"), ()),
        "protobuf": (("google",), ()),
    }
    dists = []
    for name in sorted(lock.reachable()):
        modules, scripts = special.get(name, ((guess_modules(name)), ()))
        dists.append(
            Distribution(name, "1", "/srv/.venv/lib/python3.11/site-packages", 900, 100, 0,
                         tuple(modules), tuple(scripts))
        )  # fmt: skip
    for name, dist in (extra or {}).items():
        dists = [d for d in dists if d.key != name] + [dist]
    return ImageFacts("sha256:shop", ("shop:test",), ("./run.sh",), "/srv", "3.11", tuple(dists))

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


PIP = AUDIT / "pip"
PIP_TOOLS = AUDIT / "pip-tools"
POETRY = AUDIT / "poetry"
PIP_SITE = "/usr/local/lib/python3.11/site-packages"


def installed(name: str, modules: tuple[str, ...], *requires: str) -> Distribution:
    """A distribution a pip image installs: 900 bytes of files and 100 of bytecode."""
    return Distribution(name, "1", PIP_SITE, 900, 100, 0, modules, (), requires)


def pip_facts(
    *dists: Distribution, command: tuple[str, ...] = ("python", "-m", "app")
) -> ImageFacts:
    """A made-up pip image holding these distributions (and pip itself)."""
    everything = (*dists, installed("pip", ("pip",)))
    return ImageFacts("sha256:pip", ("pip:test",), command, "/srv", "3.11", everything)


# Requires-Dist as the real distributions write them
REQUESTS = installed(
    "requests", ("requests",), "charset-normalizer<4,>=2", "idna<4,>=2.5", "urllib3<3,>=1.21.1",
    "certifi>=2017.4.17", 'PySocks!=1.5.7,>=1.5.6; extra == "socks"',
    'chardet<6,>=3.0.2; extra == "use-chardet-on-py3"',
)  # fmt: skip
CLICK = installed("click", ("click",), 'colorama; platform_system == "Windows"')
FLASK = installed(
    "Flask", ("flask",), "Werkzeug>=3.0.0", "Jinja2>=3.1.2", "itsdangerous>=2.1.2",
    "click>=8.1.3", "blinker>=1.6.2", "importlib-metadata>=3.6.0; python_version < '3.10'",
    'asgiref>=3.2 ; extra == "async"',
)  # fmt: skip

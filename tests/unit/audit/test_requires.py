"""The graph of an image's distributions: each METADATA's Requires-Dist, for projects
without a uv.lock."""

from __future__ import annotations

import json

from workbench.audit.distributions import Distribution, ImageFacts
from workbench.audit.graph import LockGraph, LockPackage, environment
from workbench.audit.requires import extras_named, image_graph, package_of, root_edge
from workbench.project.manifests import Declared

SITE = "/usr/local/lib/python3.11/site-packages"


def _dist(name: str, *requires: str) -> Distribution:
    return Distribution(name, "1.0", SITE, 900, 100, 0, (name.lower(),), (), requires)


def _facts(*dists: Distribution, python: str = "3.11") -> ImageFacts:
    return ImageFacts("sha256:pip", ("pip:test",), ("python", "-m", "app"), "/srv", python, dists)


WEB = _dist(
    "Web",
    "idna>=2.5",
    'PySocks!=1.5.7,>=1.5.6; extra == "socks"',
    'brotli; extra == "Brotli"',
    'colorama; platform_system == "Windows"',
    "tomli>=1; python_version < '3.11'",
    "not-installed>=1",
    "a line pip refuses!",
)
DISTS = (
    WEB,
    _dist("idna"),
    _dist("PySocks"),
    _dist("Brotli"),
    _dist("tomli"),
    _dist("tool", "click>=8", "shared"),
    _dist("click", 'colorama ; platform_system == "Windows"'),
    _dist("shared"),
    _dist("gunicorn", "shared", "packaging"),  # installed by the Dockerfile on its own
    _dist("packaging"),
    _dist("app", "web[socks]", "tool"),  # the project itself
    _dist("pip"),
)
RUNTIME = [
    Declared("web", "Web", "Web[socks]>=1", "runtime"),
    Declared("tool", "tool", "tool", "runtime"),
    Declared("winonly", "winonly", 'winonly ; sys_platform == "win32"', "runtime"),
]


def test_the_image_graph_has_every_distributions_edges_markers_evaluated() -> None:
    graph = image_graph(_facts(*DISTS), RUNTIME, "App")
    assert graph == LockGraph(
        project="app",
        roots=(("web", ("socks",)), ("tool", ())),  # winonly: not on Linux
        packages={
            "web": LockPackage(
                "web", "1.0", (("idna", ()),), {"socks": (("pysocks", ()),),
                                                "brotli": (("brotli", ()),)}
            ),
            "idna": LockPackage("idna", "1.0"),
            "pysocks": LockPackage("pysocks", "1.0"),
            "brotli": LockPackage("brotli", "1.0"),
            "tomli": LockPackage("tomli", "1.0"),
            "tool": LockPackage("tool", "1.0", (("click", ()), ("shared", ()))),
            "click": LockPackage("click", "1.0"),
            "shared": LockPackage("shared", "1.0"),
            "gunicorn": LockPackage("gunicorn", "1.0", (("shared", ()), ("packaging", ()))),
            "packaging": LockPackage("packaging", "1.0"),
            "app": LockPackage("app", "1.0", (("web", ("socks",)), ("tool", ()))),
            "pip": LockPackage("pip", "1.0"),
        },
        kept=(("brotli", ()), ("gunicorn", ()), ("packaging", ()), ("pip", ()), ("tomli", ())),
        source="image",
    )  # fmt: skip


def test_a_removal_takes_exclusive_dependencies_and_leaves_what_kept_ones_need() -> None:
    graph = image_graph(_facts(*DISTS), RUNTIME, "app")
    assert graph.removal(["web"]).packages == ("idna", "pysocks", "web")  # the socks extra too
    assert graph.removal(["tool"]).packages == ("click", "tool")  # gunicorn still needs shared
    assert graph.removal(["web", "tool"]).packages == ("click", "idna", "pysocks", "tool", "web")


def test_a_declared_dependency_something_else_installed_needs_stays() -> None:
    facts = _facts(_dist("python-dateutil", "six>=1.5"), _dist("six"))
    graph = image_graph(facts, [Declared("six", "six", "six", "runtime")])
    removal = graph.removal(["six"])
    assert (removal.packages, removal.kept) == ((), ("six",))
    assert removal.needed_by == {"six": ("python-dateutil",)}


def test_without_a_project_name_its_own_distribution_would_keep_everything() -> None:
    # the honest consequence of not knowing the project's name: it is kept, and says so
    graph = image_graph(_facts(*DISTS), RUNTIME)
    removal = graph.removal(["tool"])
    assert removal.packages == () and removal.needed_by == {"tool": ("app",)}


def test_markers_follow_the_images_python() -> None:
    graph = image_graph(_facts(*DISTS, python="3.10"), RUNTIME, "app")
    assert ("tomli", ()) in graph.packages["web"].dependencies
    assert "tomli" in graph.removal(["web"]).packages


def test_the_image_graph_round_trips_through_json() -> None:
    graph = image_graph(_facts(*DISTS), RUNTIME, "app")
    again = LockGraph.from_dict(json.loads(json.dumps(graph.to_dict())))
    assert again == graph and again.source == "image"


def test_extras_roots_and_edges_are_read_as_pip_reads_them() -> None:
    env = environment("3.11")
    assert extras_named('extra == "Use_Chardet" or "socks" == extra') == ("use-chardet", "socks")
    assert extras_named(None) == ()
    assert root_edge(RUNTIME[2], env) is None
    assert root_edge(Declared("u", "u", 'u = { version = "^1", extras = ["std"] }', "runtime"),
                     env) == ("u", ("std",))  # fmt: skip
    flask = _dist("flask", "Werkzeug>=3.0.0", "Jinja2>=3.1.2", 'asgiref>=3.2 ; extra == "async"')
    assert package_of(flask, env, {"werkzeug", "jinja2", "asgiref"}) == LockPackage(
        "flask", "1.0", (("werkzeug", ()), ("jinja2", ())), {"async": (("asgiref", ()),)}
    )

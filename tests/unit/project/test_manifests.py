"""The audit's chain: the declared dependencies, and whole audits of the fixture projects."""

from __future__ import annotations

from workbench.project.manifests import Declared, declared_dependencies, normalize


def test_normalize_follows_pep_503() -> None:
    assert normalize("Foo_Bar.baz") == "foo-bar-baz"


def test_declared_dependencies_name_their_groups() -> None:
    pyproject = {
        "project": {
            "dependencies": ["Requests[socks]>=2", "six"],
            "optional-dependencies": {"fast": ["orjson"]},
        },
        "dependency-groups": {"dev": ["pytest", {"include-group": "x"}]},
        "tool": {"uv": {"dev-dependencies": ["mypy"]}},
    }
    assert declared_dependencies(pyproject) == [
        Declared("requests", "Requests", "Requests[socks]>=2", "runtime"),
        Declared("six", "six", "six", "runtime"),
        Declared("orjson", "orjson", "orjson", "optional:fast"),
        Declared("pytest", "pytest", "pytest", "dev:dev"),
        Declared("mypy", "mypy", "mypy", "uv-dev"),
    ]


def test_malformed_dependency_sections_are_skipped_not_fatal() -> None:
    pyproject = {
        "project": {"dependencies": ["httpx>=0.27"], "optional-dependencies": ["not", "a table"]},
        "dependency-groups": "dev",
        "tool": {"uv": {"dev-dependencies": {"not": "a list"}}},
    }
    assert [d.name for d in declared_dependencies(pyproject)] == ["httpx"]

"""Development tools: which distributions are, and the table that keeps them for development.

A test runner, linter or packager declared as a runtime dependency is installed in the
image for nothing; :func:`dev_group_snippet` writes the ``[dependency-groups] dev`` table
(PEP 735, what ``uv add --dev`` writes) that keeps them for development, or what the
project's format uses instead (:func:`dev_home`): Poetry's dev group, a
requirements-dev.txt.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from workbench.audit.model import Candidate
from workbench.project.manifests import normalize, toml_entry

# Development tools: never needed by the running app.
DEV_TOOLS = frozenset(
    {
        "autopep8", "bandit", "black", "build", "bump2version", "bumpversion", "codespell",
        "commitizen", "coverage", "deptry", "factory-boy", "faker", "flake8", "freezegun",
        "hatch", "hypothesis", "ipdb", "ipython", "isort", "jupyter", "jupyterlab", "mkdocs",
        "mkdocs-material", "moto", "mypy", "nox", "notebook", "pdm", "pip-audit", "pip-tools",
        "poetry", "pre-commit", "pycodestyle", "pydocstyle", "pyflakes", "pylint", "pyright",
        "pytest", "pytype", "responses", "respx", "ruff", "safety", "sphinx", "tox", "twine",
        "vulture", "yapf",
    }
)  # fmt: skip
DEV_PREFIXES = ("pytest-", "types-", "flake8-", "mypy-", "sphinx-", "mkdocs-", "pylint-")
DEV_SUFFIXES = ("-stubs",)
# Installers and project managers a project locked by uv (a uv.lock) does not need at all.
REPLACED_BY_UV = frozenset({"poetry", "pdm", "pip-tools", "pipenv", "hatch"})


def is_dev_tool(name: str) -> bool:
    """Whether a distribution is a development tool (tests, linters, packaging...)."""
    key = normalize(name)
    return key in DEV_TOOLS or key.startswith(DEV_PREFIXES) or key.endswith(DEV_SUFFIXES)


def dev_home(manifest_format: str, pyproject: Mapping[str, Any]) -> str:
    """Where the project's format keeps development tools: ``[dependency-groups] dev``,
    Poetry's ``[tool.poetry.group.dev.dependencies]`` (when its dependencies are Poetry's
    own table), or ``requirements-dev.txt``."""
    if manifest_format == "requirements":
        return "requirements-dev.txt"
    if manifest_format == "poetry" and not (pyproject.get("project") or {}).get("dependencies"):
        return "[tool.poetry.group.dev.dependencies]"
    return "[dependency-groups] dev"


def dev_group_snippet(
    dev_tools: Sequence[Candidate], pyproject: Mapping[str, Any], manifest_format: str = "pep621"
) -> str:
    """The table (or file) that keeps the development tools for development.

    Args:
        dev_tools: the development-tool candidates (those to move are kept).
        pyproject: the decoded pyproject.toml (its existing development table).
        manifest_format: the project's format (:func:`dev_home`).
    """
    keep = [c for c in dev_tools if c.action.startswith("move")]
    if not keep:
        return ""
    home = dev_home(manifest_format, pyproject)
    if home == "requirements-dev.txt":
        lines = [c.requirement for c in keep]
        return (
            "# requirements-dev.txt (the Dockerfile does not install it)\n"
            + "\n".join(lines)
            + "\n"
        )
    if home.startswith("[tool.poetry"):
        group = ((pyproject.get("tool") or {}).get("poetry") or {}).get("group") or {}
        existing = ((group.get("dev") or {}).get("dependencies")) or {}
        entries = [toml_entry(str(k), v) for k, v in existing.items()]
        return home + "\n" + "\n".join([*entries, *(c.requirement for c in keep)]) + "\n"
    existing = list(((pyproject.get("dependency-groups") or {}).get("dev")) or [])
    lines = [f'    "{item}",' for item in existing if isinstance(item, str)]
    lines += [f'    "{c.requirement}",' for c in keep]
    return "[dependency-groups]\ndev = [\n" + "\n".join(lines) + "\n]\n"

"""Development tools, and the table that keeps them for development."""

from __future__ import annotations

from workbench.audit.dev_tools import dev_group_snippet, dev_home, is_dev_tool
from workbench.audit.model import Candidate


def test_dev_tools_are_recognised_by_name_and_prefix() -> None:
    assert all(is_dev_tool(n) for n in ("pytest", "Poetry", "pytest-cov", "types-requests"))
    assert not any(is_dev_tool(n) for n in ("requests", "uvicorn", "pyyaml"))


def test_the_dev_group_keeps_what_is_there_and_adds_the_tools_that_move() -> None:
    tools = [
        Candidate(
            "pytest", "pytest>=8", "dev-tool", "move to [dependency-groups] dev", "certain", "r"
        ),
        Candidate(
            "poetry", "poetry", "dev-tool", "remove (uv manages the project)", "certain", "r"
        ),
    ]
    pyproject = {"dependency-groups": {"dev": ["ruff", {"include-group": "x"}]}}
    assert dev_group_snippet(tools, pyproject) == (
        '[dependency-groups]\ndev = [\n    "ruff",\n    "pytest>=8",\n]\n'
    )
    assert dev_group_snippet(tools[1:], pyproject) == ""


def test_each_format_keeps_development_tools_where_it_keeps_them() -> None:
    poetry_pyproject = {"tool": {"poetry": {"group": {"dev": {"dependencies": {"ruff": "^0.5"}}}}}}
    assert dev_home("poetry", poetry_pyproject) == "[tool.poetry.group.dev.dependencies]"
    assert dev_home("poetry", {"project": {"dependencies": ["x"]}}) == "[dependency-groups] dev"
    assert dev_home("requirements", {}) == "requirements-dev.txt"
    assert dev_home("pdm", {}) == "[dependency-groups] dev"
    poetry_tool = Candidate("pytest", 'pytest = "^8"', "dev-tool", "move to ...", "certain", "r")
    assert dev_group_snippet([poetry_tool], poetry_pyproject, "poetry") == (
        '[tool.poetry.group.dev.dependencies]\nruff = "^0.5"\npytest = "^8"\n'
    )
    pip_tool = Candidate("pytest", "pytest>=8", "dev-tool", "move to ...", "certain", "r")
    assert dev_group_snippet([pip_tool], {}, "requirements") == (
        "# requirements-dev.txt (the Dockerfile does not install it)\npytest>=8\n"
    )

"""Development tools, and the table that keeps them for development."""

from __future__ import annotations

from workbench.audit.dev_tools import dev_group_snippet, is_dev_tool
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

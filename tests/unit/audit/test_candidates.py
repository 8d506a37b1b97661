"""The audit's removals: development tools, unused and standard-library names, sized."""

from __future__ import annotations

from workbench.audit.candidates import find_candidates, size_candidates
from workbench.audit.imports import Scan
from workbench.audit.model import Candidate, ScriptUse
from workbench.audit.names import names_for
from workbench.audit.sizes import Sizes
from workbench.project.manifests import declared_dependencies

RUNTIME = {
    d.name: d
    for d in declared_dependencies(
        {"project": {"dependencies": ["pytest>=8", "six", "asyncio", "gunicorn", "poetry"]}}
    )
}
SCAN = Scan(
    violations=(
        ("DEP002", "pytest", "pyproject.toml"),
        ("DEP002", "six", "pyproject.toml"),
        ("DEP005", "asyncio", "pyproject.toml"),
        ("DEP002", "gunicorn", "pyproject.toml"),
        ("DEP002", "poetry", "pyproject.toml"),
    ),
    imports={},
    python_files=1,
)
GUESSED = "module names guessed (no image)"


def test_what_nothing_imports_or_runs_is_a_candidate_in_declaration_order() -> None:
    names = names_for(RUNTIME, None)
    uses = [ScriptUse("gunicorn", "gunicorn", "CMD", "guess")]  # run: used
    found = find_candidates(RUNTIME, SCAN, uses, names, from_image=False, locked=True)
    assert found == [
        Candidate(
            "pytest", "pytest>=8", "dev-tool", "move to [dependency-groups] dev", "guess",
            "a development tool declared as a runtime dependency; no copied file imports "
            f"pytest, _pytest, py and the start command does not run it ({GUESSED})",
        ),
        Candidate(
            "six", "six", "unused", "remove", "guess",
            "no copied file imports six and the start command runs none of its scripts "
            f"({GUESSED})",
            selected=False,
        ),
        Candidate(
            "asyncio", "asyncio", "stdlib", "remove", "certain",
            "it names a standard-library module; Python already has it",
        ),
        Candidate(
            "poetry", "poetry", "dev-tool", "remove (uv manages the project)", "guess",
            "a development tool declared as a runtime dependency; no copied file imports "
            f"poetry and the start command does not run it ({GUESSED}); the project installs "
            "with uv (uv.lock), so it is not needed at all",
        ),
    ]  # fmt: skip


def test_without_a_lock_poetry_moves_to_the_dev_group() -> None:
    names = names_for(RUNTIME, None)
    found = find_candidates(RUNTIME, SCAN, [], names, from_image=False, locked=False)
    poetry = next(c for c in found if c.name == "poetry")
    assert poetry.action == "move to [dependency-groups] dev"
    assert "gunicorn" in {c.name for c in found}  # the start command does not run it here


def test_sized_candidates_list_development_tools_first_then_the_largest() -> None:
    found = [
        Candidate("six", "six", "unused", "remove", "certain", "r"),
        Candidate("asyncio", "asyncio", "stdlib", "remove", "certain", "r"),
        Candidate("pytest", "pytest", "dev-tool", "move", "certain", "r"),
    ]
    sizes = Sizes(None, {"pytest": 10, "six": 500}, {"pytest": 4}, measured=True)
    assert size_candidates(found, sizes) == [
        Candidate("pytest", "pytest", "dev-tool", "move", "certain", "r", 10, 4, ("pytest",)),
        Candidate("six", "six", "unused", "remove", "certain", "r", 500, 0, ("six",)),
        Candidate("asyncio", "asyncio", "stdlib", "remove", "certain", "r", 0, 0, ("asyncio",)),
    ]


def test_a_development_tool_moves_where_the_projects_format_keeps_them() -> None:
    names = names_for(RUNTIME, None)
    found = find_candidates(
        RUNTIME, SCAN, [], names, from_image=False, locked=False, dev_home="requirements-dev.txt"
    )
    assert {c.name: c.action for c in found if c.kind == "dev-tool"} == {
        "pytest": "move to requirements-dev.txt",
        "poetry": "move to requirements-dev.txt",
    }

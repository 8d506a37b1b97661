"""The house rules of the code, checked: stages without import cycles, short modules and
functions, every exception in ``workbench.errors``, README's Layout tree matching the
folders, and unit tests that mirror the package."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import REPO_ROOT

CORE = REPO_ROOT / "workbench"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(CORE.rglob("*.py")):
        parts = path.relative_to(REPO_ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imported(module: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The workbench modules an import statement loads (a submodule by name included)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        package = module.split(".")
        if not str(MODULES[module]).endswith("__init__.py"):
            package = package[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, *([node.module] if node.module else [])])
    for alias in node.names:
        yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base


def import_graph() -> dict[str, set[str]]:
    """Module -> the workbench modules it imports, at the top or inside functions.

    Importing ``a.b.c`` runs the ``__init__`` of ``a`` and ``a.b`` first, so those count
    too, except for a module inside that package (its package is already loading).
    """
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in _imported(module, node):
                parts = target.split(".")
                for depth in range(1, len(parts) + 1):
                    name = ".".join(parts[:depth])
                    inside = module == name or module.startswith(name + ".")
                    if name in MODULES and name != module and not inside:
                        edges.add(name)
                if target in MODULES and target != module:
                    edges.add(target)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_stages_import_each_other_without_cycles() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_sees_a_cycle_through_a_function_level_import() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_no_module_is_longer_than_600_lines() -> None:
    long = {
        str(path.relative_to(REPO_ROOT)): lines
        for path in MODULES.values()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_is_longer_than_80_lines() -> None:
    long = {}
    for path in MODULES.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(REPO_ROOT)}:{node.name}"] = lines
    assert long == {}


def test_the_core_never_imports_streamlit() -> None:
    users = [
        str(path.relative_to(REPO_ROOT))
        for path in MODULES.values()
        if re.search(r"^\s*(import|from)\s+streamlit\b", path.read_text(encoding="utf-8"), re.M)
    ]
    assert users == []


def _exception_names() -> set[str]:
    tree = ast.parse((CORE / "errors.py").read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.ClassDef)}


def test_every_exception_class_lives_in_errors_under_workbench_error() -> None:
    from workbench import errors

    ours = _exception_names()
    assert all(issubclass(getattr(errors, name), errors.WorkbenchError) for name in ours)
    elsewhere = []
    for path in MODULES.values():
        if path == CORE / "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {
                b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
            }
            if bases & ours or any(b.endswith(("Error", "Exception")) for b in bases):
                elsewhere.append(f"{path.relative_to(REPO_ROOT)}:{node.name}")
    assert elsewhere == []


def readme_layout() -> set[str]:
    """The paths README's Layout tree names under ``workbench/``, one per line."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Layout", 1)[1]
    block = section.split("```", 2)[1]
    paths: list[tuple[int, str]] = []
    listed = set()
    for line in block.splitlines():
        match = re.match(r"^( *)(\S+)", line)
        if not match or not match.group(2).endswith((".py", "/")):
            continue
        depth = len(match.group(1)) // 2
        paths = [p for p in paths if p[0] < depth]
        parent = paths[-1][1] if paths else ""
        path = parent + match.group(2)
        if path.startswith("workbench/"):
            listed.add(path)
        if path.endswith("/"):
            paths.append((depth, path))
    return listed


def test_readme_layout_names_every_module_and_folder_of_the_core() -> None:
    actual = {
        str(path.relative_to(REPO_ROOT)) for path in MODULES.values() if path.name != "__init__.py"
    } | {
        str(folder.relative_to(REPO_ROOT)) + "/"
        for folder in [CORE, *CORE.rglob("*")]
        if folder.is_dir() and (folder / "__init__.py").exists()
    }
    assert readme_layout() == actual


def test_unit_tests_mirror_the_package() -> None:
    unmirrored = []
    for test in sorted((REPO_ROOT / "tests" / "unit").rglob("test_*.py")):
        rel = test.relative_to(REPO_ROOT / "tests" / "unit")
        module = CORE.joinpath(*rel.parts[:-1], rel.name.removeprefix("test_"))
        if rel.name == "test_layout.py" and len(rel.parts) == 1:
            continue  # the rules of the whole house
        if not module.exists() and not module.with_suffix("").is_dir():
            unmirrored.append(str(rel))
    assert unmirrored == []

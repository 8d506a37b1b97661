"""The audit's deptry step: deptry's import scan and rules over the copied sources.

deptry reads the declared dependencies (its getters: pyproject.toml's tables, else the
requirements files), finds the Python files, extracts their imports and reports its
violations (DEP001..DEP005).  What it would ask
the workbench's own environment (which distribution provides an imported module) is
answered here from the image's distributions instead (or, without an image, from the
lock and the guessed names), so a package the workbench happens to have installed does
not change the findings.
"""

from __future__ import annotations

import contextlib
import logging
import posixpath
import re
import sys
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.audit.sources import CopiedSource
from workbench.errors import AuditError
from workbench.project import Project
from workbench.project.manifests import Declared, Manifests, find_manifests, normalize

# deptry's default excludes (``deptry.cli.DEFAULT_EXCLUDE``; importing deptry.cli would
# configure the root logger, so they are repeated here)
DEFAULT_EXCLUDE = ("venv", r"\.venv", r"\.direnv", "tests", r"\.git", r"setup\.py")


@dataclass(frozen=True)
class Scan:
    """What deptry found in the copied sources.

    Attributes:
        violations: ``(code, name, "file:line")`` per violation.
        imports: per imported module, the ``"file:line"`` places that import it.
        python_files: how many Python files were scanned.
    """

    violations: tuple[tuple[str, str, str], ...]
    imports: Mapping[str, tuple[str, ...]]
    python_files: int

    def named(self, code: str) -> dict[str, str]:
        """The names deptry reported under one code: normalized -> as reported."""
        return {normalize(name): name for found, name, _ in self.violations if found == code}

    def places(self, modules: Iterable[str]) -> tuple[str, ...]:
        """Where any of these modules is imported (``file:line``), each place once."""
        found: list[str] = []
        for module in modules:
            found.extend(self.imports.get(module, ()))
        return tuple(dict.fromkeys(found))


def run_deptry(
    project: Project,
    copies: Sequence[CopiedSource],
    module_map: Mapping[str, Sequence[str]],
    installed: Mapping[str, Sequence[str]],
    spelled: Mapping[str, str],
    extra_imports: Sequence[tuple[str, str]] = (),
    known_first_party: Sequence[str] = (),
    *,
    manifests: Manifests | None = None,
    declared: Sequence[Declared] = (),
) -> Scan:
    """Run deptry's import scan and rules over the copied sources.

    Each imported module is described against the image's distributions (``installed``:
    distribution -> modules), not against the workbench's own environment, which is what
    deptry's ``ModuleBuilder`` would consult.

    Args:
        project: the project (its pyproject.toml declares the dependencies).
        copies: the copied sources to scan.
        module_map: deptry's ``package_module_name_map`` for every declared name.
        installed: every distribution the image (or the lock) installs, with modules.
        spelled: distribution (normalized) -> its name as metadata spells it.
        extra_imports: modules the start command runs (``python -m x``), with where.
        known_first_party: more module names to treat as the project's own.
        manifests: where the project declares its dependencies (default: found).
        declared: the dependencies the workbench read from them; any deptry's getter
            skips (a URL without ``#egg=``) is added to what deptry judges.

    Returns:
        The violations and where each module is imported.

    Raises:
        AuditError: the project has no dependency definitions deptry can read.
    """
    from deptry.violations.finder import find_violations

    extract = dependencies_extract(project, module_map, manifests, declared)
    files = python_files(project.path, copies)
    imports = imported_modules(files, extra_imports)
    local = local_modules(project.path, copies, known_first_party)
    stdlib = frozenset(sys.stdlib_module_names)
    described = describe(imports, extract, installed, spelled, local, stdlib)
    violations = find_violations(described, extract.dependencies, (), {}, stdlib)
    root = project.path
    return Scan(
        violations=tuple(
            (v.error_code, v.issue.name, _location(v.location, root)) for v in violations
        ),
        imports={m: tuple(_location(loc, root) for loc in locs) for m, locs in imports.items()},
        python_files=len(files),
    )


def dependencies_extract(
    project: Project,
    module_map: Mapping[str, Sequence[str]],
    manifests: Manifests | None = None,
    declared: Sequence[Declared] = (),
) -> Any:
    """The declared dependencies, read by deptry's own getters.

    pyproject.toml's formats go through deptry's ``DependencyGetterBuilder``, as deptry
    itself picks the getter; requirements files (and setuptools' dynamic dependencies)
    through its ``RequirementsTxtDependencyGetter`` with absolute paths, which the
    builder would resolve against the working directory. When deptry's reader fails on
    a line pip reads (``--requirement=x``), or skips a requirement pip installs, the
    workbench's own reading fills in, with deptry's ``Dependency``.

    Raises:
        AuditError: no manifest, or no dependency definitions deptry can read.
    """
    from deptry.dependency_getter.base import DependenciesExtract
    from deptry.exceptions import DependencySpecificationNotFoundError

    manifests = manifests or find_manifests(project.path)
    if manifests is None:
        raise AuditError(
            f"{project.path} has no pyproject.toml or requirements file; the audit reads "
            "dependencies there"
        )
    names = {k: tuple(v) for k, v in module_map.items()}
    try:
        with _quiet():
            extract = _getter(manifests, names).get()
    except DependencySpecificationNotFoundError as exc:
        where = ", ".join(manifests.files)
        raise AuditError(f"deptry found no dependencies in {where}: {exc}") from exc
    except (OSError, ValueError):  # deptry's requirements reader on a line pip reads
        extract = DependenciesExtract([], [])
    return _completed(extract, manifests, declared, names)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """deptry's getters without their noise: its requirements reader warns of pip's
    options, and ``logging.warning`` (a URL it can't name) would configure the root
    logger, which a handler present for the while prevents."""
    root = logging.getLogger()
    handler = logging.NullHandler()
    root.addHandler(handler)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.removeHandler(handler)


def _getter(manifests: Manifests, module_map: Mapping[str, tuple[str, ...]]) -> Any:
    """deptry's getter for these manifests."""
    from deptry.dependency_getter.builder import DependencyGetterBuilder
    from deptry.dependency_getter.requirements_files import RequirementsTxtDependencyGetter

    folder = manifests.folder
    if manifests.format in ("requirements", "setuptools"):
        return RequirementsTxtDependencyGetter(
            manifests.pyproject or folder / "pyproject.toml",
            module_map,
            requirements_files=tuple(str(folder / f) for f in manifests.requirements),
            requirements_files_dev=tuple(str(folder / f) for f in manifests.dev_requirements),
        )
    config = manifests.pyproject or folder / "pyproject.toml"
    return DependencyGetterBuilder(config, package_module_name_map=module_map).build()


def _completed(
    extract: Any,
    manifests: Manifests,
    declared: Sequence[Declared],
    module_map: Mapping[str, tuple[str, ...]],
) -> Any:
    """deptry's extract with the declared dependencies its getter did not read."""
    from deptry.dependency import Dependency
    from deptry.dependency_getter.base import DependenciesExtract

    runtime = [*extract.dependencies]
    dev = [*extract.dev_dependencies]
    known = {normalize(d.name) for d in [*runtime, *dev]}
    where = manifests.folder / manifests.files[0] if manifests.files else manifests.folder
    for item in declared:
        if item.name in known:
            continue
        known.add(item.name)
        dependency = Dependency(item.spelled, where, module_names=module_map.get(item.spelled))
        (dev if item.group.startswith("dev:") or item.group == "uv-dev" else runtime).append(
            dependency
        )
    return DependenciesExtract(runtime, dev)


def python_files(project_dir: Path, copies: Sequence[CopiedSource]) -> list[Path]:
    """The Python files of the copied sources, without deptry's default excludes."""
    from deptry.python_file_finder import get_all_python_files_in

    files: list[Path] = []
    for copy in copies:
        if copy.is_dir:
            root = project_dir / copy.source
            found = get_all_python_files_in((root,), (), (), False)
            files.extend(f for f in found if not excluded(f, root, DEFAULT_EXCLUDE))
    files.extend(
        project_dir / c.source for c in copies if not c.is_dir and c.source.endswith(".py")
    )
    return list(dict.fromkeys(files))


def excluded(path: Path, root: Path, patterns: Sequence[str]) -> bool:
    """Whether deptry's default excludes (``tests``, ``.venv``...) drop a file.

    deptry matches them against paths relative to the folder it scans; the workbench
    scans absolute folders (which may themselves lie under a ``tests`` folder), so the
    match is made here, on the path relative to the copied folder.
    """
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return False
    parts = rel.split("/")
    prefixes = ["/".join(parts[i:]) for i in range(len(parts))]
    return any(re.match(rf"(?:{p})(?:/|$)", prefix) for p in patterns for prefix in prefixes)


def imported_modules(
    files: Sequence[Path], extra_imports: Sequence[tuple[str, str]] = ()
) -> dict[str, list[Any]]:
    """Per top-level module, deptry's locations of its imports in these files; plus the
    modules the start command runs (``python -m x``: module, ``"where:line"``)."""
    from deptry.imports.extract import get_imported_modules_from_list_of_files
    from deptry.imports.location import Location

    imports = get_imported_modules_from_list_of_files(files) if files else {}
    for module, where in extra_imports:
        file, _, line = where.rpartition(":")
        location = Location(Path(file or where), int(line) if line.isdigit() else None)
        imports = {**imports, module: [*imports.get(module, []), location]}
    return imports


def local_modules(
    project_dir: Path, copies: Sequence[CopiedSource], known_first_party: Sequence[str] = ()
) -> set[str]:
    """The project's own modules: the copied folders' packages and modules, the copied
    Python files, and the names given."""
    local: set[str] = set(known_first_party)
    for copy in copies:
        path = project_dir / copy.source
        if copy.is_dir:
            base = posixpath.basename(copy.dest.rstrip("/"))
            if base and any(path.glob("*.py")):
                local.add(base)
            for child in path.iterdir():
                if (child.is_file() and child.suffix == ".py" and child.name != "__init__.py") or (
                    child.is_dir() and any(child.glob("*.py"))
                ):
                    local.add(child.stem)
        elif path.suffix == ".py":
            local.add(path.stem)
    return local


def describe(
    imports: Mapping[str, Sequence[Any]],
    extract: Any,
    installed: Mapping[str, Sequence[str]],
    spelled: Mapping[str, str],
    local: set[str],
    stdlib: frozenset[str],
) -> list[Any]:
    """deptry's ``ModuleLocations`` for every imported module, described against the
    installed distributions instead of the workbench's environment."""
    from deptry.module import Module, ModuleLocations

    providers: dict[str, set[str]] = defaultdict(set)
    for dist, modules in installed.items():
        for module in modules:
            providers[module].add(dist)
    described = []
    for name, locations in imports.items():
        if name in stdlib:
            module = Module(name, standard_library=True)
        elif name in local:
            module = Module(name, local_module=True)
        else:
            module = _third_party(name, extract, installed, providers, spelled)
        described.append(ModuleLocations(module, list(locations)))
    return described


def _third_party(
    name: str,
    extract: Any,
    installed: Mapping[str, Sequence[str]],
    providers: Mapping[str, set[str]],
    spelled: Mapping[str, str],
) -> Any:
    """deptry's ``Module`` for an imported name that is neither stdlib nor local."""
    from deptry.module import Module

    declared_names = {normalize(d.name): d.name for d in extract.dependencies}
    dev_names = {normalize(d.name): d.name for d in extract.dev_dependencies}
    key = normalize(name)
    package: str | None = None
    if key in installed:
        package = declared_names.get(key) or dev_names.get(key) or spelled.get(key, name)
    elif name in providers:
        package = name  # importable, as deptry's find_spec fallback would say
    top = [d.name for d in extract.dependencies if name in (d.top_levels or ())]
    dev_top = [d.name for d in extract.dev_dependencies if name in (d.top_levels or ())]
    return Module(
        name,
        package=package,
        top_levels=top,
        dev_top_levels=dev_top,
        is_provided_by_dependency=bool((package and normalize(package) in declared_names) or top),
        is_provided_by_dev_dependency=bool(
            (package and normalize(package) in dev_names) or dev_top
        ),
    )


def _location(location: Any, project_dir: Path) -> str:
    """A deptry location as ``path:line``, the path relative to the project."""
    path = Path(location.file)
    with contextlib.suppress(ValueError):
        path = path.resolve().relative_to(project_dir)
    return f"{path.as_posix()}:{location.line}" if location.line else path.as_posix()

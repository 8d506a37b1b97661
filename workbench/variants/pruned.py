"""The pruned-deps variant (plan priority 2): the manifests minus chosen dependencies.

Where the project declares them (:func:`~workbench.project.manifests.find_manifests`):

* **pyproject.toml** (PEP 621 ``[project]``, Poetry's ``[tool.poetry.dependencies]``): the
  edit uses tomlkit, so comments and layout survive; ``uv lock`` regenerates a ``uv.lock``
  in a scratch copy of the project. A ``poetry.lock`` (or ``pdm.lock``) is regenerated
  the same way when ``poetry`` (``pdm``) is installed; when it is not, the variant says
  it can't be made, since an install from the stale lock would bring the dropped
  dependencies back and the measured saving would be false;
* **requirements files**: the requirement lines of the chosen names are dropped from the
  files that list them (includes followed; a ``.txt`` compiled from an ``.in`` too, with
  its ``# via`` annotations); comments, layout and pins stay, and nothing is relocked,
  so the pins of their dependencies in a compiled file stay (the summary says so).

The user's files never change: the new manifests travel in
:attr:`~workbench.variants.model.Variant.extra_files`, to be overlaid onto the build context.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
import tomllib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import CannotTransform, ManifestError
from workbench.project.manifests import (
    Manifests,
    RequirementLine,
    find_manifests,
    normalize,
    requirement_lines,
    requirement_name,
)

OTHER_LOCKS = {"poetry.lock": "poetry", "pdm.lock": "pdm"}
"""Locks other tools write, with the tool that regenerates them."""
POETRY_TABLE = "[tool.poetry.dependencies]"


@dataclass(frozen=True)
class Pruned:
    """A project's manifests with some dependencies dropped.

    Attributes:
        pyproject: The new ``pyproject.toml`` text (formatting kept), None when the
            project declares its dependencies in requirements files.
        lock: The regenerated ``uv.lock``, None when the project has no lock.
        dropped: The dependency names removed (normalized).
        missing: Names asked for that are not direct dependencies.
        removed_packages: Packages no longer in the lock (direct and transitive).
        changed: Other files changed: relative path -> new content (requirements files,
            a regenerated ``poetry.lock``).
        where: Where the names were dropped from, as the summary says it.
        notes: More parts of the summary (another lock regenerated, pins that stay).
    """

    pyproject: str | None
    lock: bytes | None
    dropped: tuple[str, ...]
    missing: tuple[str, ...]
    removed_packages: tuple[str, ...]
    changed: Mapping[str, bytes] = field(default_factory=dict)
    where: str = "pyproject.toml"
    notes: tuple[str, ...] = ()

    def files(self) -> dict[str, bytes]:
        """The files to overlay onto the build context: pyproject.toml and uv.lock if
        any, and the other files changed."""
        files = {} if self.pyproject is None else {"pyproject.toml": self.pyproject.encode()}
        if self.lock is not None:
            files["uv.lock"] = self.lock
        files.update(self.changed)
        return files

    def summary(self) -> str:
        """One line saying what was dropped and what the lock lost."""
        note = f"drops {', '.join(self.dropped)} from {self.where}"
        if self.lock is not None:
            note += f"; uv.lock regenerated ({len(self.removed_packages)} packages fewer)"
        for part in self.notes:
            note += f"; {part}"
        if self.missing:
            note += f"; not dependencies: {', '.join(self.missing)}"
        return note


def prune_dependencies(project_dir: Path, drop: Sequence[str], *, timeout: float = 600) -> Pruned:
    """Drop dependencies from a project's manifests and regenerate its lock.

    pyproject.toml is edited with tomlkit, so comments and layout survive; ``uv lock`` (and
    ``poetry lock``) runs in a scratch copy (a temporary folder), so the project's own
    files never change. Requirements files lose the lines of the dropped names.

    Args:
        project_dir: The project folder.
        drop: Names of direct dependencies to remove (any spelling: ``Foo_Bar`` = ``foo-bar``).
        timeout: Seconds ``uv lock`` (``poetry lock``) may take.

    Returns:
        The new manifests.

    Raises:
        CannotTransform: Nothing to drop, no manifest or dependencies, a lock that can't be
            regenerated, or a requirements file that can't be read.
    """
    project_dir = Path(project_dir)
    wanted = {normalize(n) for n in drop if n.strip()}
    if not wanted:
        raise CannotTransform("no dependencies chosen to drop")
    try:
        manifests = find_manifests(project_dir)
    except ManifestError:
        manifests = None  # a pyproject.toml that is not TOML: said below
    if manifests is not None and manifests.format in ("requirements", "setuptools"):
        return _prune_requirements(manifests, frozenset(wanted))
    path = project_dir / "pyproject.toml"
    if not path.is_file():
        raise CannotTransform(f"no pyproject.toml in {project_dir}")
    lock_path = project_dir / "uv.lock"
    lock = lock_path.read_bytes() if lock_path.is_file() else None
    others = [name for name in OTHER_LOCKS if (project_dir / name).is_file()]
    other = others[0] if others and lock is None else None  # uv.lock: uv manages it
    pyproject = path.read_text("utf-8")
    project = str(project_dir.resolve())
    return _prune_memo(project, pyproject, lock, frozenset(wanted), timeout, other)


@functools.lru_cache(maxsize=16)
def _prune_memo(
    project: str,
    pyproject: str,
    lock: bytes | None,
    wanted: frozenset[str],
    timeout: float,
    other_lock: str | None = None,
) -> Pruned:
    new_text, dropped, where = _drop_from_pyproject(pyproject, wanted)
    missing = tuple(sorted(wanted - {normalize(d) for d in dropped}))
    changed: dict[str, bytes] = {}
    notes: tuple[str, ...] = ()
    if other_lock is not None:  # before uv lock: a missing tool fails fast
        old = (Path(project) / other_lock).read_bytes()
        changed[other_lock] = _relock_with(other_lock, Path(project), new_text, timeout)
        fewer = len(_lock_packages(old) - _lock_packages(changed[other_lock]))
        notes = (f"{other_lock} regenerated ({fewer} packages fewer)",)
    new_lock = _relock(Path(project), new_text, timeout) if lock is not None else None
    removed = _lock_packages(lock) - _lock_packages(new_lock) if lock and new_lock else set()
    return Pruned(
        new_text, new_lock, tuple(dropped), missing, tuple(sorted(removed)), changed, where, notes
    )


def _drop_from_pyproject(text: str, wanted: frozenset[str]) -> tuple[str, list[str], str]:
    """pyproject.toml without the wanted names: from ``[project]``'s dependencies, and
    from Poetry's table (and its extras) when there is one.

    Returns:
        The new text, the names dropped, and where they were dropped from.
    """
    import tomlkit  # ~80 ms to import: only pruning pays it

    try:
        doc = tomlkit.parse(text)
    except Exception as exc:  # tomlkit raises several unrelated classes
        raise CannotTransform(f"pyproject.toml is not valid TOML: {exc}") from exc
    dependencies = doc.get("project", {}).get("dependencies")
    poetry = doc.get("tool", {}).get("poetry", {})
    poetry_dependencies = poetry.get("dependencies")
    if dependencies is None and poetry_dependencies is None:
        raise CannotTransform("pyproject.toml has no [project] dependencies to drop from")
    dropped = []
    for index in reversed(range(len(dependencies or []))):
        requirement = str(dependencies[index])
        name = normalize(requirement_name(requirement))
        if name in wanted:
            dropped.append(name)
            del dependencies[index]
    from_poetry = _drop_from_poetry(poetry, wanted) if poetry_dependencies is not None else []
    if not dropped and not from_poetry:
        table = "the [project] dependencies" if dependencies is not None else POETRY_TABLE
        raise CannotTransform(f"none of {', '.join(sorted(wanted))} is in {table}")
    where = "pyproject.toml" if dependencies is not None else f"pyproject.toml {POETRY_TABLE}"
    return tomlkit.dumps(doc), sorted({*dropped, *from_poetry}), where


def _drop_from_poetry(poetry: Mapping, wanted: frozenset[str]) -> list[str]:
    """Drop the wanted names from ``[tool.poetry.dependencies]`` and its extras (tomlkit
    containers, edited in place); the names dropped from the table."""
    table = poetry["dependencies"]
    dropped = []
    for key in list(table.keys()):
        name = normalize(str(key))
        if name in wanted and name != "python":
            dropped.append(name)
            del table[key]
    for members in (poetry.get("extras") or {}).values():
        for index in reversed(range(len(members))):
            if normalize(str(members[index])) in wanted:
                del members[index]
    return dropped


def _prune_requirements(manifests: Manifests, wanted: frozenset[str]) -> Pruned:
    """The requirements files without the lines of the wanted names.

    The files read are the runtime ones, the ``.txt`` compiled from them and what they
    include; only files inside the project (the build context) can be changed.
    """
    folder = manifests.folder
    files = [*manifests.requirements, *manifests.compiled]
    seen: set[Path] = set()
    found: dict[Path, list[RequirementLine]] = defaultdict(list)
    try:
        for rel in files:
            for line in requirement_lines(folder / rel, seen=seen, root=folder):
                if line.name in wanted and not line.constraint:
                    found[line.file].append(line)
    except ManifestError as exc:
        raise CannotTransform(str(exc)) from exc
    changed: dict[str, bytes] = {}
    dropped: set[str] = set()
    for path, lines in found.items():
        rel = _inside(path, folder)
        if rel is None:
            continue  # outside the build context: the image never saw it
        text = path.read_text(encoding="utf-8")
        changed[rel] = _without(text, lines, annotated=rel in manifests.compiled).encode()
        dropped |= {line.name for line in lines}
    if not dropped:
        raise CannotTransform(f"none of {', '.join(sorted(wanted))} is in {', '.join(files)}")
    compiled = [f for f in changed if f in manifests.compiled]
    notes = (
        (f"pins of their dependencies stay in {', '.join(compiled)} (no relock: compile it "
         "again to drop them)",)
        if compiled
        else ()
    )  # fmt: skip
    where = ", ".join(sorted(changed))
    missing = tuple(sorted(wanted - dropped))
    return Pruned(None, None, tuple(sorted(dropped)), missing, (), changed, where, notes)


def _inside(path: Path, folder: Path) -> str | None:
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return None


def _without(text: str, lines: Sequence[RequirementLine], *, annotated: bool) -> str:
    """A requirements file's text without these requirements' physical lines (a compiled
    file's ``# via`` annotations below them too); every other byte kept."""
    physical = text.splitlines(keepends=True)
    drop: set[int] = set()
    for line in lines:
        drop.update(range(line.first, line.last + 1))
        after = line.last + 1
        while annotated and after <= len(physical) and re.match(r"\s+#", physical[after - 1]):
            drop.add(after)
            after += 1
    return "".join(text for number, text in enumerate(physical, 1) if number not in drop)


def _lock_packages(lock: bytes | None) -> set[str]:
    if not lock:
        return set()
    try:
        data = tomllib.loads(lock.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return set()
    return {normalize(p.get("name", "")) for p in data.get("package", [])}


def _uv_binary() -> str:
    try:
        from uv import find_uv_bin
    except ImportError:
        found = shutil.which("uv")
        if found is None:
            raise CannotTransform("uv is not installed, so the lock can't be regenerated") from None
        return found
    return find_uv_bin()


def _relock(project: Path, pyproject: str, timeout: float) -> bytes:
    """Run ``uv lock`` on a scratch copy of the project with the new pyproject.toml."""
    with tempfile.TemporaryDirectory(prefix="workbench-prune-") as tmp:
        scratch = Path(tmp) / "minimal"
        scratch.mkdir()
        for name in ("uv.lock", ".python-version"):
            if (project / name).is_file():
                shutil.copy2(project / name, scratch / name)
        (scratch / "pyproject.toml").write_text(pyproject, "utf-8")
        result = _uv_lock(scratch, timeout)
        if result.returncode != 0:
            scratch = Path(tmp) / "full"
            ignore = shutil.ignore_patterns(".venv", ".git", "node_modules", "__pycache__")
            shutil.copytree(project, scratch, ignore=ignore, symlinks=True)
            (scratch / "pyproject.toml").write_text(pyproject, "utf-8")
            result = _uv_lock(scratch, timeout)
        if result.returncode != 0:
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            reason = lines[-1].strip() if lines else f"exit code {result.returncode}"
            raise CannotTransform(f"uv lock failed after dropping the dependencies: {reason}")
        return (scratch / "uv.lock").read_bytes()


def _relock_with(lock_name: str, project: Path, pyproject: str, timeout: float) -> bytes:
    """Regenerate another tool's lock (``poetry lock``, ``pdm lock``) in a scratch copy.

    Raises:
        CannotTransform: The tool is not installed, or its lock failed.
    """
    tool = OTHER_LOCKS[lock_name]
    binary = shutil.which(tool)
    if binary is None:
        raise CannotTransform(
            f"{lock_name} must be regenerated after the drop and {tool} is not installed "
            f"here; install {tool}, or drop them with `{tool} remove` yourself"
        )
    with tempfile.TemporaryDirectory(prefix="workbench-prune-") as tmp:
        scratch = Path(tmp) / "project"
        ignore = shutil.ignore_patterns(".venv", ".git", "node_modules", "__pycache__")
        shutil.copytree(project, scratch, ignore=ignore, symlinks=True)
        (scratch / "pyproject.toml").write_text(pyproject, "utf-8")
        command = [binary, "lock", *_lock_options(binary, tool)]
        result = _run(command, scratch, timeout)
        if result.returncode != 0:
            lines = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
            reason = lines[-1].strip() if lines else f"exit code {result.returncode}"
            raise CannotTransform(f"{tool} lock failed after dropping the dependencies: {reason}")
        return (scratch / lock_name).read_bytes()


def _lock_options(binary: str, tool: str) -> list[str]:
    """``--no-update`` for Poetry 1 (its ``lock`` updates every version otherwise; Poetry 2
    keeps them and has no such option)."""
    if tool != "poetry":
        return []
    try:
        result = _run([binary, "--version"], Path.cwd(), 60)
    except CannotTransform:
        return []
    match = re.search(r"(\d+)\.\d+", result.stdout)
    return ["--no-update"] if match and int(match.group(1)) < 2 else []


def _run(command: list[str], folder: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run a locking tool in a folder, outside any virtualenv the workbench runs in."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "POETRY_ACTIVE"}}
    try:
        return subprocess.run(
            command,
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CannotTransform(
            f"{Path(command[0]).name} lock took longer than {timeout:.0f} s"
        ) from None
    except OSError as exc:
        raise CannotTransform(f"{Path(command[0]).name} could not run: {exc}") from exc


def _uv_lock(folder: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "UV_FROZEN", "UV_LOCKED"}
    }
    env["UV_NO_PROGRESS"] = "1"
    try:
        return subprocess.run(
            [_uv_binary(), "lock"],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CannotTransform(f"uv lock took longer than {timeout:.0f} s") from None
    except OSError as exc:
        raise CannotTransform(f"uv lock could not run: {exc}") from exc

"""The pruned-deps variant (plan priority 2): pyproject.toml minus chosen dependencies.

The edit uses tomlkit, so comments and layout survive, and ``uv lock`` regenerates the lock in a
scratch copy of the project: the user's files never change. The new manifests travel in
:attr:`~workbench.variants.model.Variant.extra_files`, to be overlaid onto the build context.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import CannotTransform
from workbench.project.manifests import normalize, requirement_name


@dataclass(frozen=True)
class Pruned:
    """A project's manifests with some dependencies dropped.

    Attributes:
        pyproject: The new ``pyproject.toml`` text (formatting kept).
        lock: The regenerated ``uv.lock``, None when the project has no lock.
        dropped: The dependency names removed, as written in pyproject.toml.
        missing: Names asked for that are not direct dependencies.
        removed_packages: Packages no longer in the lock (direct and transitive).
    """

    pyproject: str
    lock: bytes | None
    dropped: tuple[str, ...]
    missing: tuple[str, ...]
    removed_packages: tuple[str, ...]

    def files(self) -> dict[str, bytes]:
        """The files to overlay onto the build context: pyproject.toml, and uv.lock if any."""
        files = {"pyproject.toml": self.pyproject.encode("utf-8")}
        if self.lock is not None:
            files["uv.lock"] = self.lock
        return files

    def summary(self) -> str:
        """One line saying what was dropped and what the lock lost."""
        note = f"drops {', '.join(self.dropped)} from pyproject.toml"
        if self.lock is not None:
            note += f"; uv.lock regenerated ({len(self.removed_packages)} packages fewer)"
        if self.missing:
            note += f"; not dependencies: {', '.join(self.missing)}"
        return note


def prune_dependencies(project_dir: Path, drop: Sequence[str], *, timeout: float = 600) -> Pruned:
    """Drop dependencies from a project's pyproject.toml and regenerate its lock.

    The edit uses tomlkit, so comments and layout survive; ``uv lock`` runs in a scratch copy
    (a temporary folder), so the project's own files never change.

    Args:
        project_dir: The project folder.
        drop: Names of direct dependencies to remove (any spelling: ``Foo_Bar`` = ``foo-bar``).
        timeout: Seconds ``uv lock`` may take.

    Returns:
        The new pyproject.toml text and uv.lock bytes.

    Raises:
        CannotTransform: Nothing to drop, no pyproject.toml or dependencies, or ``uv lock``
            failed.
    """
    project_dir = Path(project_dir)
    wanted = {normalize(n) for n in drop if n.strip()}
    if not wanted:
        raise CannotTransform("no dependencies chosen to drop")
    path = project_dir / "pyproject.toml"
    if not path.is_file():
        raise CannotTransform(f"no pyproject.toml in {project_dir}")
    lock_path = project_dir / "uv.lock"
    lock = lock_path.read_bytes() if lock_path.is_file() else None
    pyproject = path.read_text("utf-8")
    return _prune_memo(str(project_dir.resolve()), pyproject, lock, frozenset(wanted), timeout)


@functools.lru_cache(maxsize=16)
def _prune_memo(
    project: str, pyproject: str, lock: bytes | None, wanted: frozenset[str], timeout: float
) -> Pruned:
    new_text, dropped = _drop_from_pyproject(pyproject, wanted)
    missing = tuple(sorted(wanted - {normalize(d) for d in dropped}))
    new_lock = _relock(Path(project), new_text, timeout) if lock is not None else None
    removed = _lock_packages(lock) - _lock_packages(new_lock) if lock and new_lock else set()
    return Pruned(new_text, new_lock, tuple(dropped), missing, tuple(sorted(removed)))


def _drop_from_pyproject(text: str, wanted: frozenset[str]) -> tuple[str, list[str]]:
    import tomlkit  # ~80 ms to import: only pruning pays it

    try:
        doc = tomlkit.parse(text)
    except Exception as exc:  # tomlkit raises several unrelated classes
        raise CannotTransform(f"pyproject.toml is not valid TOML: {exc}") from exc
    dependencies = doc.get("project", {}).get("dependencies")
    if dependencies is None:
        raise CannotTransform("pyproject.toml has no [project] dependencies to drop from")
    dropped = []
    for index in reversed(range(len(dependencies))):
        requirement = str(dependencies[index])
        name = normalize(requirement_name(requirement))
        if name in wanted:
            dropped.append(name)
            del dependencies[index]
    if not dropped:
        raise CannotTransform(
            f"none of {', '.join(sorted(wanted))} is in the [project] dependencies"
        )
    return tomlkit.dumps(doc), sorted(dropped)


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

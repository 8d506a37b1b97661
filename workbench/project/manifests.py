"""A project's dependency manifests: which files they are, and what they declare.

Distribution names are compared as PEP 503 says (``Foo_Bar`` = ``foo-bar``), with
``packaging``'s own :func:`~packaging.utils.canonicalize_name`; every stage (variants,
audit, lock graph) uses :func:`normalize` from here.

The formats are the ones deptry reads (:func:`find_manifests` says which a project
uses, :func:`read_declared` what it declares):

* ``pyproject.toml``: PEP 621 ``[project]`` (dependencies, optional dependencies),
  PEP 735 ``[dependency-groups]``, uv's ``[tool.uv] dev-dependencies``, Poetry's
  ``[tool.poetry]`` dependencies, dev-dependencies and groups (``python`` excluded),
  PDM's ``[tool.pdm.dev-dependencies]``, and setuptools' dynamic dependencies read from
  requirements files;
* requirements files (``requirements.txt``, ``requirements/*.txt``, ``requirements.in``
  ...), read as pip reads them (:func:`requirement_lines`); an ``.in`` file shadows the
  ``.txt`` compiled from it, and development files (``requirements-dev.txt``...) are
  development groups.

pyproject.toml is the manifest when it declares dependencies, else the requirements
files are.
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
import re
import shlex
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import ManifestError

MANIFEST_PATTERNS = (
    "pyproject.toml",
    "uv.lock",
    "requirements*.txt",
    "constraints*.txt",
    "poetry.lock",
    "Pipfile",
    "Pipfile.lock",
    ".python-version",
)
REQUIREMENTS_FOLDER = "requirements"
DEV_WORDS = frozenset(
    {
        "dev", "devel", "develop", "development", "test", "tests", "testing", "lint",
        "linting", "docs", "doc", "ci", "local", "tox", "typing", "mypy", "qa", "style",
        "check", "checks", "tools", "bench", "debug",
    }
)  # fmt: skip
PYPROJECT_FORMATS = ("poetry", "uv", "pdm", "pep621", "setuptools")
_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_REQUIREMENTS_FILE = re.compile(r"^(?:[\w.-]+[-_])?requirements(?:[-_.][\w.-]+)?\.(?:txt|in)$")
_COMMENT = re.compile(r"(^|\s+)#.*$")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_NAMED_URL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*@")
_ARCHIVE = re.compile(r"\.(?:whl|tar\.gz|tgz|tar\.bz2|tar\.xz|zip)$", re.I)
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_INCLUDES = {"-r": "requirement", "--requirement": "requirement",
             "-c": "constraint", "--constraint": "constraint",
             "-e": "editable", "--editable": "editable"}  # fmt: skip


def is_manifest(path: str) -> bool:
    """Whether a file (by its name; a trailing ``/`` ignored) is a dependency manifest."""
    name = posixpath.basename(path.rstrip("/"))
    return any(fnmatch.fnmatch(name, pattern) for pattern in MANIFEST_PATTERNS)


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares them (``Foo_Bar`` = ``foo-bar``)."""
    from packaging.utils import canonicalize_name  # ~45 ms to import: paid on first use

    return canonicalize_name(name.strip())


def requirement_name(requirement: str) -> str:
    """The distribution a requirement line names, as written (``"Foo[x]>=1"`` -> ``Foo``);
    ``""`` when the line names none."""
    match = _NAME.match(requirement)
    return match.group(1) if match else ""


@dataclass(frozen=True)
class Declared:
    """A declared dependency: a line of pyproject.toml or of a requirements file.

    Attributes:
        name: normalized.
        spelled: the name as written.
        requirement: the whole line (PEP 508; a Poetry entry as its TOML line,
            ``requests = "^2.31"``; a requirements file's line without its comment and
            options).
        group: ``"runtime"``, ``"optional:<extra>"``, ``"dev:<group>"`` (a requirements
            file's: ``"dev:<file>"``) or ``"uv-dev"`` (the deprecated ``[tool.uv]
            dev-dependencies``).
    """

    name: str
    spelled: str
    requirement: str
    group: str


@dataclass(frozen=True)
class Manifests:
    """Where a project declares its dependencies.

    Attributes:
        folder: the project folder.
        format: ``"pep621"``, ``"poetry"``, ``"pdm"``, ``"uv"``, ``"setuptools"`` (PEP
            621 with dynamic dependencies in requirements files) or ``"requirements"``.
        pyproject: the pyproject.toml, None when the project has none.
        requirements: the runtime requirements files (relative to the folder, ``/``).
        dev_requirements: the development requirements files.
        compiled: ``.txt`` files compiled from an ``.in`` beside them (pip-tools): what
            pip installs, but not what the project declares.
    """

    folder: Path
    format: str
    pyproject: Path | None = None
    requirements: tuple[str, ...] = ()
    dev_requirements: tuple[str, ...] = ()
    compiled: tuple[str, ...] = ()

    @property
    def files(self) -> tuple[str, ...]:
        """The files that declare the dependencies, as a sentence names them."""
        if self.format == "requirements":
            return self.requirements + self.dev_requirements
        return ("pyproject.toml", *self.requirements)


@dataclass(frozen=True)
class RequirementLine:
    """A requirement as pip reads it from a requirements file.

    Attributes:
        file: the file that holds it.
        first: its first physical line (1-based).
        last: its last physical line (a ``\\`` continues a line).
        text: the requirement without its comment and options (``-e`` kept).
        spelled: the distribution's name as written, ``""`` when the line names none (a
            bare URL or path without ``#egg=``: pip reads its name at install time).
        constraint: whether it comes from a constraints file (``-c``): not declared.
    """

    file: Path
    first: int
    last: int
    text: str
    spelled: str
    constraint: bool = False

    @property
    def name(self) -> str:
        """The normalized name (``""`` when the line names none)."""
        return normalize(self.spelled) if self.spelled else ""


def _table(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> Iterable[Any]:
    return value if isinstance(value, list) else ()


def declared_dependencies(pyproject: Mapping[str, Any]) -> list[Declared]:
    """Every dependency line of a decoded pyproject.toml, with its group.

    PEP 621 and PEP 735 tables, uv's and PDM's development tables, and Poetry's: its
    ``[tool.poetry.dependencies]`` count only when ``[project]`` declares none (as
    deptry reads them; Poetry 2 then only enriches ``[project]``'s).
    """
    out: list[Declared] = []

    def add(items: Iterable[Any], group: str) -> None:
        for item in items:
            if not isinstance(item, str):
                continue  # an include-group table
            spelled = requirement_name(item)
            if spelled:
                out.append(Declared(normalize(spelled), spelled, item.strip(), group))

    project = _table(pyproject.get("project"))
    add(_items(project.get("dependencies")), "runtime")
    for extra, items in _table(project.get("optional-dependencies")).items():
        add(_items(items), f"optional:{extra}")
    for group, items in _table(pyproject.get("dependency-groups")).items():
        add(_items(items), f"dev:{group}")
    tool = _table(pyproject.get("tool"))
    uv = _table(tool.get("uv"))
    add(_items(uv.get("dev-dependencies")), "uv-dev")
    for group, items in _table(_table(tool.get("pdm")).get("dev-dependencies")).items():
        add(_items(items), f"dev:{group}")
    has_project = any(isinstance(item, str) for item in _items(project.get("dependencies")))
    out.extend(_poetry_dependencies(_table(tool.get("poetry")), has_project))
    return out


def _poetry_dependencies(poetry: Mapping[str, Any], has_project: bool) -> list[Declared]:
    """The entries of Poetry's tables: dependencies (unless ``[project]`` has them), the
    legacy dev-dependencies and every group (development groups, as deptry counts them)."""
    extras = {
        normalize(str(name)): str(extra)
        for extra, names in _table(poetry.get("extras")).items()
        for name in _items(names)
    }
    tables: list[tuple[Mapping[str, Any], str | None]] = []
    if not has_project:
        tables.append((_table(poetry.get("dependencies")), None))
    tables.append((_table(poetry.get("dev-dependencies")), "dev:dev"))
    for group, table in _table(poetry.get("group")).items():
        tables.append((_table(_table(table).get("dependencies")), f"dev:{group}"))
    out = []
    for table, group in tables:
        for spelled, spec in table.items():
            name = normalize(spelled)
            if name == "python":
                continue
            kind = group or "runtime"
            if group is None and isinstance(spec, Mapping) and spec.get("optional"):
                kind = f"optional:{extras.get(name, '')}"
            out.append(Declared(name, spelled, toml_entry(spelled, spec), kind))
    return out


def toml_entry(key: str, value: Any) -> str:
    """A Poetry entry on one TOML line: ``requests = "^2.31"``."""
    return f"{_toml_key(key)} = {_toml(value)}"


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _toml(value: Any) -> str:
    """A value as an inline TOML value (a Poetry entry written back on one line)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_toml_key(str(k))} = {_toml(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def declared_parts(declared: Declared) -> tuple[tuple[str, ...], str | None]:
    """The extras a declared dependency asks for and its marker (``None``: always).

    ``uvicorn[standard]>=0.30 ; python_version >= "3.9"`` -> ``(("standard",),
    'python_version >= "3.9"')``; a Poetry entry's ``extras`` and ``markers``.
    """
    from packaging.requirements import InvalidRequirement, Requirement

    text = declared.requirement
    if re.match(r"^\s*(?:\"[^\"]*\"|[A-Za-z0-9_-]+)\s*=(?!=)", text):  # a Poetry entry
        try:
            spec = next(iter(tomllib.loads(text).values()), None)
        except tomllib.TOMLDecodeError:
            return (), None
        table = _table(spec[0] if isinstance(spec, list) and spec else spec)
        extras = tuple(normalize(str(e)) for e in _items(table.get("extras")))
        marker = table.get("markers")
        return extras, str(marker) if marker else None
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return (), None
    extras = tuple(sorted(normalize(e) for e in requirement.extras))
    return extras, str(requirement.marker) if requirement.marker else None


def load_pyproject(path: Path) -> dict[str, Any]:
    """A decoded pyproject.toml.

    Raises:
        ManifestError: the file cannot be read or is not TOML.
    """
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ManifestError(f"cannot read {path}: {reason}; fix the file") from exc


def _dynamic_files(pyproject: Mapping[str, Any]) -> tuple[str, ...]:
    """setuptools' dynamic dependencies' files (as deptry reads them), else none."""
    backend = _table(pyproject.get("build-system")).get("build-backend")
    dynamic = _items(_table(pyproject.get("project")).get("dynamic"))
    if backend != "setuptools.build_meta" or "dependencies" not in dynamic:
        return ()
    tool = _table(_table(pyproject.get("tool")).get("setuptools"))
    files = _table(_table(tool.get("dynamic")).get("dependencies")).get("file")
    files = [files] if isinstance(files, str) else _items(files)
    return tuple(posixpath.normpath(str(f)) for f in files if isinstance(f, str))


def _pyproject_format(pyproject: Mapping[str, Any]) -> str:
    """Which tool's tables a pyproject.toml uses, in deptry's order of detection."""
    tool = _table(pyproject.get("tool"))
    if "poetry" in tool:
        return "poetry"
    if "dev-dependencies" in _table(tool.get("uv")):
        return "uv"
    if "dev-dependencies" in _table(tool.get("pdm")):
        return "pdm"
    return "pep621"


def is_dev_file(path: str) -> bool:
    """Whether a requirements file is a development one (``requirements-dev.txt``,
    ``dev-requirements.txt``, ``requirements/test.txt``...)."""
    stem = posixpath.basename(path).rsplit(".", 1)[0].lower()
    words = set(re.split(r"[-_.]", stem)) - {"requirements", "reqs"}
    return bool(words & DEV_WORDS)


def requirements_files(folder: Path) -> tuple[list[str], list[str], list[str]]:
    """The requirements files of a project: runtime, development and compiled ones.

    Files named like ``requirements*.txt``, ``*-requirements.txt`` or their ``.in``, and
    every ``.txt``/``.in`` in a ``requirements/`` folder; an ``X.txt`` beside an
    ``X.in`` is compiled from it (pip-tools, ``uv pip compile``) and listed apart.
    """
    folder = Path(folder)
    found = sorted(p.name for p in folder.glob("*") if _REQUIREMENTS_FILE.match(p.name.lower()))
    sub = folder / REQUIREMENTS_FOLDER
    if sub.is_dir():
        found += sorted(
            f"{REQUIREMENTS_FOLDER}/{p.name}" for p in sub.glob("*") if p.suffix in (".txt", ".in")
        )
    files = [f for f in found if (folder / f).is_file()]
    compiled = [f for f in files if f.endswith(".txt") and f[:-4] + ".in" in files]
    declaring = sorted(
        (f for f in files if f not in compiled),
        key=lambda f: (posixpath.basename(f).rsplit(".", 1)[0] != "requirements", f),
    )
    runtime = [f for f in declaring if not is_dev_file(f)]
    return runtime, [f for f in declaring if is_dev_file(f)], compiled


def find_manifests(folder: Path) -> Manifests | None:
    """Where a project declares its dependencies: pyproject.toml when it declares them
    there, else its requirements files; None when it has neither.

    Raises:
        ManifestError: the pyproject.toml is not TOML.
    """
    folder = Path(folder)
    path = folder / "pyproject.toml"
    pyproject = load_pyproject(path) if path.is_file() else None
    runtime, dev, compiled = requirements_files(folder)
    if pyproject is not None:
        dynamic = _dynamic_files(pyproject)
        if dynamic:
            return Manifests(folder, "setuptools", path, dynamic, (), tuple(compiled))
        declared = declared_dependencies(pyproject)
        if any(d.group == "runtime" or d.group.startswith("optional:") for d in declared):
            return Manifests(folder, _pyproject_format(pyproject), path)
    if runtime or dev:
        return Manifests(folder, "requirements", path if pyproject is not None else None,
                         tuple(runtime), tuple(dev), tuple(compiled))  # fmt: skip
    if pyproject is not None:
        return Manifests(folder, _pyproject_format(pyproject), path)
    return None


def read_declared(manifests: Manifests) -> list[Declared]:
    """Every dependency the project's manifests declare, with its group.

    Raises:
        ManifestError: a file cannot be read, a requirements file includes one that does
            not exist, or a line is not a requirement pip can read.
    """
    out: list[Declared] = []
    if manifests.format != "requirements" and manifests.pyproject is not None:
        out = declared_dependencies(load_pyproject(manifests.pyproject))
    seen: set[Path] = set()
    for group, files in (("runtime", manifests.requirements), ("dev", manifests.dev_requirements)):
        for rel in files:
            for line in requirement_lines(manifests.folder / rel, seen=seen, root=manifests.folder):
                if line.spelled and not line.constraint:
                    kind = group if group == "runtime" else f"dev:{rel}"
                    out.append(Declared(line.name, line.spelled, line.text, kind))
    return out


def _logical_lines(text: str) -> list[tuple[int, int, str]]:
    """``(first, last, line)`` per logical line, as pip joins them: a line ending with
    ``\\`` continues on the next (a comment line ends it); comments removed."""
    joined: list[tuple[int, int, str]] = []
    parts: list[str] = []
    first = number = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw
        if not line.endswith("\\") or _COMMENT.match(line):
            if _COMMENT.match(line):
                line = " " + line
            if parts:
                joined.append((first, number, "".join([*parts, line])))
                parts = []
            else:
                joined.append((number, number, line))
        else:
            if not parts:
                first = number
            parts.append(line.strip("\\"))
    if parts:
        joined.append((first, number, "".join(parts)))
    cleaned = [(a, b, _COMMENT.sub("", line).strip()) for a, b, line in joined]
    return [item for item in cleaned if item[2]]


def _split_options(line: str) -> tuple[str, str]:
    """A line's requirement and its options: at the first word that starts with ``-``."""
    words = line.split(" ")
    for index, word in enumerate(words):
        if word.startswith("-"):
            return " ".join(words[:index]).strip(), " ".join(words[index:])
    return line.strip(), ""


def _option_values(options: str) -> list[tuple[str, str]]:
    """``(kind, value)`` for the include, constraint and editable options of a line;
    every other option (``--index-url``, ``--hash``, ``--pre``...) is pip's business."""
    try:
        words = shlex.split(options)
    except ValueError:
        words = options.split()
    found = []
    index = 0
    while index < len(words):
        word = words[index]
        flag, sep, value = word.partition("=")
        short = word[:2] if word.startswith("-") and not word.startswith("--") else ""
        if sep and flag in _INCLUDES:
            found.append((_INCLUDES[flag], value))
        elif word in _INCLUDES and index + 1 < len(words):
            found.append((_INCLUDES[word], words[index + 1]))
            index += 1
        elif short in _INCLUDES and len(word) > 2:
            found.append((_INCLUDES[short], word[2:]))
        index += 1
    return found


def link_name(link: str) -> str:
    """The name a URL or path requirement gives (``#egg=name``, or the wheel's or the
    sdist's file name); ``""`` when only its metadata could say."""
    egg = _EGG.search(link)
    if egg:
        return egg.group(1)
    base = posixpath.basename(link.split("#", 1)[0].split("?", 1)[0].rstrip("/"))
    if base.lower().endswith(".whl"):
        return base.split("-", 1)[0]
    if _ARCHIVE.search(base):
        stem = _ARCHIVE.sub("", base)
        return stem.rsplit("-", 1)[0] if "-" in stem else ""
    return ""


def _requirement_spelled(text: str, where: str) -> str:
    """The name a requirement (the part of a line before its options) gives, as pip
    reads it: a URL or a path by its ``#egg=`` or file name, else PEP 508.

    Raises:
        ManifestError: the text is neither a URL, a path nor a PEP 508 requirement.
    """
    from packaging.requirements import InvalidRequirement, Requirement

    is_link = (
        bool(_URL.match(text))
        or text.startswith((".", "/", "~"))
        or (
            ("/" in text or "\\" in text or _ARCHIVE.search(text.split(";")[0].strip()))
            and not _NAMED_URL.match(text)
        )
    )
    if is_link:
        return link_name(re.split(r"\s+;", text, maxsplit=1)[0])
    try:
        return Requirement(text).name
    except InvalidRequirement as exc:
        reason = str(exc).splitlines()[0]
        raise ManifestError(
            f"{where}: {text!r} is not a requirement pip reads ({reason}); fix the line"
        ) from exc


def requirement_lines(
    path: Path, *, seen: set[Path] | None = None, root: Path | None = None
) -> list[RequirementLine]:
    """Every requirement of a requirements file, its includes followed as pip does.

    ``-r``/``--requirement`` and ``-c``/``--constraint`` files are read relative to the
    including file (a URL include is pip's to fetch and is skipped); comments, line
    continuations, ``--hash`` and the other options, markers and URLs are read as pip
    reads them.

    Args:
        path: the file.
        seen: files already read (each is read once; shared across calls).
        root: the folder paths are shown relative to (default: the file's).

    Raises:
        ManifestError: the file cannot be read, it includes one that does not exist, or
            a line is not a requirement pip can read.
    """
    seen = set() if seen is None else seen
    root = root or path.parent
    return _read_file(Path(path), seen, root, constraint=False)


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _read_file(
    path: Path, seen: set[Path], root: Path, *, constraint: bool
) -> list[RequirementLine]:
    resolved = path.resolve()
    if resolved in seen:
        return []
    seen.add(resolved)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"cannot read {_shown(path, root)}: {exc}") from exc
    out: list[RequirementLine] = []
    for first, last, line in _logical_lines(text):
        where = f"{_shown(path, root)} line {first}"
        requirement, options = _split_options(line)
        if requirement:
            spelled = _requirement_spelled(requirement, where)
            out.append(RequirementLine(path, first, last, requirement, spelled, constraint))
            continue
        for kind, value in _option_values(options):
            if kind == "editable":
                spelled = _requirement_spelled(value, where)
                out.append(RequirementLine(path, first, last, f"-e {value}", spelled, constraint))
            elif not _URL.match(value):
                out.extend(
                    _include(path, value, where, seen, root, kind == "constraint" or constraint)
                )
    return out


def _include(
    path: Path, value: str, where: str, seen: set[Path], root: Path, constraint: bool
) -> list[RequirementLine]:
    target = (path.parent / Path(value).expanduser()).resolve()
    if not target.is_file():
        shown = _shown(target, root)
        full = f" ({shown})" if shown != value else ""
        raise ManifestError(
            f"{where} includes {value}, which does not exist{full}; fix the path or add the file"
        )
    return _read_file(target, seen, root, constraint=constraint)


def runtime_dependency_names(pyproject: Path | None) -> list[str]:
    """The names a project declares as runtime dependencies, as written.

    Args:
        pyproject: its pyproject.toml, or its folder (then requirements files count
            too); an unreadable or missing manifest declares none.
    """
    if pyproject is None:
        return []
    path = Path(pyproject)
    folder = path if path.is_dir() else path.parent
    try:
        manifests = find_manifests(folder)
        declared = read_declared(manifests) if manifests is not None else []
    except ManifestError:
        return []
    return list(dict.fromkeys(d.spelled for d in declared if d.group == "runtime"))

"""The audit's scanning steps: what the project declares, copies, imports and runs.

Steps 1 to 5 of :mod:`workbench.audit`: the dependency lines of ``pyproject.toml``;
the project files the Dockerfile copies into the image; the module names and console
scripts of each distribution (read from the image, else guessed); the console scripts
the start command runs; and deptry's import scan and rules, with each imported module
described against the image's distributions rather than the workbench's own
environment.
"""

from __future__ import annotations

import contextlib
import json
import posixpath
import re
import shlex
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.audit.distributions import ImageFacts, is_script_word, script_paths
from workbench.errors import AuditError, WorkbenchError
from workbench.project import Project
from workbench.project.manifests import is_manifest, normalize
from workbench.variants import dockerfile as df

CERTAIN = "certain"
GUESS = "guess"
# deptry's default excludes (``deptry.cli.DEFAULT_EXCLUDE``; importing deptry.cli would
# configure the root logger, so they are repeated here)
DEFAULT_EXCLUDE = ("venv", r"\.venv", r"\.direnv", "tests", r"\.git", r"setup\.py")

# Module names of well-known distributions whose name differs from their module (used
# only when the image cannot say).
KNOWN_MODULES: Mapping[str, tuple[str, ...]] = {
    "attrs": ("attr", "attrs"),
    "beautifulsoup4": ("bs4",),
    "dnspython": ("dns",),
    "grpcio": ("grpc",),
    "hypothesis": ("hypothesis", "_hypothesis_globals"),
    "opencv-python": ("cv2",),
    "opencv-python-headless": ("cv2",),
    "pillow": ("PIL",),
    "protobuf": ("google",),
    "psycopg2-binary": ("psycopg2",),
    "pycryptodome": ("Crypto",),
    "pyjwt": ("jwt",),
    "pytest": ("pytest", "_pytest", "py"),
    "python-dateutil": ("dateutil",),
    "python-dotenv": ("dotenv",),
    "python-multipart": ("multipart", "python_multipart"),
    "pyyaml": ("yaml", "_yaml"),
    "pyzmq": ("zmq",),
    "ruamel-yaml": ("ruamel",),
    "scikit-learn": ("sklearn",),
    "setuptools": ("setuptools", "pkg_resources", "_distutils_hack"),
}
NAMESPACE_PREFIXES = (
    ("google-", "google"),
    ("googleapis-", "google"),
    ("azure-", "azure"),
    ("backports-", "backports"),
    ("jaraco-", "jaraco"),
    ("zope-", "zope"),
    ("sphinxcontrib-", "sphinxcontrib"),
)
_INTERPRETERS = re.compile(r"^python(\d(\.\d+)?)?$")


@dataclass(frozen=True)
class ScriptUse:
    """A distribution the start command uses without importing it: it runs its script.

    Attributes:
        name: the distribution, normalized.
        command: the console script run.
        where: the command or script that runs it (``/app/start.sh:5``).
        certainty: certain when the script names came from the image's entry points.
    """

    name: str
    command: str
    where: str
    certainty: str


# ---------------------------------------------------------------------------------------------
# Step 2: what the image copies from the project


@dataclass(frozen=True)
class CopiedSource:
    """A project path a final-stage COPY/ADD puts into the image.

    Attributes:
        source: the path in the project (relative, POSIX).
        dest: where it lands in the image (absolute).
        is_dir: whether the source is a folder.
    """

    source: str
    dest: str
    is_dir: bool


def copied_sources(dockerfile_text: str, project_dir: Path) -> list[CopiedSource]:
    """The project files and folders the Dockerfile's final stage copies (manifests excepted).

    Args:
        dockerfile_text: the Dockerfile.
        project_dir: the build context.

    Returns:
        One entry per source that exists in the project (globs expanded).
    """
    out: list[CopiedSource] = []
    for spec, dest in df.final_stage_context_copies(dockerfile_text):
        into_folder = spec.dest.endswith("/") or len(spec.sources) > 1
        for pattern in spec.sources:
            if "://" in pattern:
                continue
            matches = sorted(project_dir.glob(pattern.strip("/"))) if pattern.strip("/.") else []
            if pattern.strip("/") in ("", "."):
                matches = [project_dir]
            for match in matches:
                rel = match.relative_to(project_dir).as_posix()
                if match.is_file() and is_manifest(match.name):
                    continue
                if match.is_dir():
                    target = dest  # a folder's content lands in dest
                elif into_folder or dest.endswith("/"):
                    target = posixpath.join(dest, match.name)
                else:
                    target = dest
                out.append(
                    CopiedSource(
                        "." if rel == "." else rel, posixpath.normpath(target), match.is_dir()
                    )
                )
    return out


def final_command(dockerfile_text: str) -> tuple[tuple[str, ...], str]:
    """The final stage's ENTRYPOINT + CMD argv and WORKDIR, from the Dockerfile text."""
    try:
        parsed = df.parse(dockerfile_text)
    except WorkbenchError:
        return (), "/"
    stages = parsed.stages()
    final = set(stages[-1]) if stages else set()
    entrypoint: list[str] = []
    cmd: list[str] = []
    workdir = "/"
    for index, instruction, state in df.walk(parsed):
        if index not in final:
            continue
        if instruction.keyword in ("ENTRYPOINT", "CMD"):
            argv = _exec_or_shell(instruction.value)
            if instruction.keyword == "ENTRYPOINT":
                entrypoint, cmd = argv, []
            else:
                cmd = argv
            workdir = state.workdir
    return tuple(entrypoint + cmd), workdir


def _exec_or_shell(value: str) -> list[str]:
    text = value.strip()
    if text.startswith("["):
        try:
            argv = json.loads(text)
        except ValueError:
            argv = None
        if isinstance(argv, list) and all(isinstance(a, str) for a in argv):
            return argv
    return ["/bin/sh", "-c", text]


# ---------------------------------------------------------------------------------------------
# Step 3: module names and console scripts per distribution


@dataclass(frozen=True)
class Names:
    """Per distribution (normalized), its modules and scripts, and where they came from."""

    modules: Mapping[str, tuple[str, ...]]
    scripts: Mapping[str, tuple[str, ...]]
    source: Mapping[str, str]  # name -> CERTAIN (read from the image) or GUESS
    spelled: Mapping[str, str]  # name -> the name as its METADATA (or the lock) spells it


def guess_modules(name: str) -> tuple[str, ...]:
    """The top-level modules of a distribution, guessed from its name."""
    key = normalize(name)
    if key in KNOWN_MODULES:
        return KNOWN_MODULES[key]
    for prefix, module in NAMESPACE_PREFIXES:
        if key.startswith(prefix):
            return (module,)
    return (key.replace("-", "_"),)


def names_for(distributions: Iterable[str], facts: ImageFacts | None) -> Names:
    """Module names and console scripts of these distributions (and all in the image)."""
    modules: dict[str, tuple[str, ...]] = {}
    scripts: dict[str, tuple[str, ...]] = {}
    source: dict[str, str] = {}
    spelled: dict[str, str] = {}
    if facts is not None:
        for key, dist in facts.by_name().items():
            modules[key] = dist.modules or guess_modules(key)
            scripts[key] = dist.console_scripts
            source[key] = CERTAIN if dist.modules else GUESS
            spelled[key] = dist.name
    for name in distributions:
        key = normalize(name)
        if key not in modules:
            modules[key] = guess_modules(key)
            scripts[key] = (key,)  # a guess: many tools install a command named like them
            source[key] = GUESS
            spelled[key] = name
    return Names(modules, scripts, source, spelled)


# ---------------------------------------------------------------------------------------------
# Step 5: what the start command runs


def _lines(text: str) -> Iterable[tuple[int, list[str]]]:
    if "\0" in text:
        return  # a binary, not a script
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            words = shlex.split(stripped, comments=True)
        except ValueError:
            words = stripped.split()
        split: list[str] = []
        for word in words:  # `a && b`, `a; b`, `(a)`: operators glued to words
            split.extend(w for w in re.split(r"[;&|()`]+", word) if w)
        yield number, split


def command_uses(
    command: Sequence[str],
    scripts: Mapping[str, str],
    workdir: str,
    names: Names,
) -> tuple[list[ScriptUse], list[tuple[str, str]]]:
    """Which distributions' console scripts the start command and its scripts run.

    Args:
        command: ENTRYPOINT + CMD.
        scripts: the text of scripts the command may run (absolute image path -> text).
        workdir: the image's working directory (relative script paths).
        names: module names and scripts per distribution.

    Returns:
        The uses, and the modules run with ``python -m`` (module, where).
    """
    by_script: dict[str, list[str]] = defaultdict(list)
    for dist, commands in names.scripts.items():
        for command_name in commands:
            by_script[command_name].append(dist)
    uses: list[ScriptUse] = []
    modules: list[tuple[str, str]] = []
    seen_scripts: set[str] = set()

    def scan(words_by_line: Iterable[tuple[int, list[str]]], where: str) -> None:
        for number, words in words_by_line:
            label = f"{where}:{number}" if number else where
            for i, word in enumerate(words):
                base = posixpath.basename(word)
                for dist in by_script.get(base, ()):
                    certainty = names.source.get(dist, GUESS)
                    uses.append(ScriptUse(dist, base, label, certainty))
                if _INTERPRETERS.match(base) and i + 2 < len(words) + 1:
                    rest = words[i + 1 :]
                    if len(rest) >= 2 and rest[0] == "-m":
                        modules.append((rest[1].split(".")[0], label))
                target = _script_target(word, workdir)
                if target in scripts and target not in seen_scripts:
                    seen_scripts.add(target)
                    scan(_lines(scripts[target]), target)

    words = list(command)
    if (
        len(words) >= 3
        and posixpath.basename(words[0]) in ("sh", "bash", "dash")
        and (words[1] == "-c")
    ):
        scan(_lines(words[2]), "CMD")
    else:
        scan([(0, words)], "CMD")
    unique = list({(u.name, u.command, u.where): u for u in uses}.values())
    return unique, modules


def _script_target(word: str, workdir: str) -> str:
    if not is_script_word(word):
        return ""
    return posixpath.normpath(posixpath.join("/", workdir or "/", word))


def project_scripts(
    command: Sequence[str], workdir: str, copies: Sequence[CopiedSource], project_dir: Path
) -> dict[str, str]:
    """The scripts the command runs, read from the project through the COPY mapping."""
    found: dict[str, str] = {}
    pending = ["/" + p for p in script_paths(command, workdir)]
    while pending:
        target = pending.pop()
        if target in found:
            continue
        path = _project_path(target, copies, project_dir)
        if path is None or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found[target] = text
        for _, words in _lines(text):
            for word in words:
                nested = _script_target(word, workdir)
                if nested and nested not in found:
                    pending.append(nested)
    return found


def _project_path(target: str, copies: Sequence[CopiedSource], project_dir: Path) -> Path | None:
    for copy in copies:
        if copy.is_dir:
            prefix = copy.dest.rstrip("/") + "/"
            if target.startswith(prefix):
                return project_dir / copy.source / target[len(prefix) :]
        elif target == copy.dest:
            return project_dir / copy.source
    return None


# ---------------------------------------------------------------------------------------------
# Step 4: deptry


@dataclass(frozen=True)
class Scan:
    """What deptry found in the copied sources."""

    violations: tuple[tuple[str, str, str], ...]  # (code, name, "file:line")
    imports: Mapping[str, tuple[str, ...]]  # module -> "file:line" places
    python_files: int


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


def _location(location: Any, project_dir: Path) -> str:
    path = Path(location.file)
    with contextlib.suppress(ValueError):
        path = path.resolve().relative_to(project_dir)
    return f"{path.as_posix()}:{location.line}" if location.line else path.as_posix()


def run_deptry(
    project: Project,
    copies: Sequence[CopiedSource],
    module_map: Mapping[str, Sequence[str]],
    installed: Mapping[str, Sequence[str]],
    spelled: Mapping[str, str],
    extra_imports: Sequence[tuple[str, str]] = (),
    known_first_party: Sequence[str] = (),
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

    Raises:
        AuditError: the project has no dependency definitions deptry can read.
    """
    from deptry.dependency_getter.builder import DependencyGetterBuilder
    from deptry.exceptions import DependencySpecificationNotFoundError
    from deptry.imports.extract import get_imported_modules_from_list_of_files
    from deptry.imports.location import Location
    from deptry.module import Module, ModuleLocations
    from deptry.python_file_finder import get_all_python_files_in
    from deptry.violations.finder import find_violations

    if project.pyproject is None:
        raise AuditError(
            f"{project.path} has no pyproject.toml; the audit reads dependencies there"
        )
    try:
        extract = (
            DependencyGetterBuilder(
                project.pyproject,
                package_module_name_map={k: tuple(v) for k, v in module_map.items()},
            )
            .build()
            .get()
        )
    except DependencySpecificationNotFoundError as exc:
        raise AuditError(f"deptry found no dependencies in {project.pyproject}: {exc}") from exc

    files: list[Path] = []
    for copy in copies:
        if copy.is_dir:
            root = project.path / copy.source
            found = get_all_python_files_in((root,), (), (), False)
            files.extend(f for f in found if not excluded(f, root, DEFAULT_EXCLUDE))
    files.extend(
        project.path / c.source for c in copies if not c.is_dir and c.source.endswith(".py")
    )
    files = list(dict.fromkeys(files))
    imports = get_imported_modules_from_list_of_files(files) if files else {}
    for module, where in extra_imports:
        file, _, line = where.rpartition(":")
        location = Location(Path(file or where), int(line) if line.isdigit() else None)
        imports = {**imports, module: [*imports.get(module, []), location]}

    local: set[str] = set(known_first_party)
    for copy in copies:
        path = project.path / copy.source
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
    stdlib = frozenset(sys.stdlib_module_names)
    providers: dict[str, set[str]] = defaultdict(set)
    for dist, modules in installed.items():
        for module in modules:
            providers[module].add(dist)
    declared_names = {normalize(d.name): d.name for d in extract.dependencies}
    dev_names = {normalize(d.name): d.name for d in extract.dev_dependencies}

    described = []
    for name, locations in imports.items():
        if name in stdlib:
            module = Module(name, standard_library=True)
        elif name in local:
            module = Module(name, local_module=True)
        else:
            key = normalize(name)
            package: str | None = None
            if key in installed:
                package = declared_names.get(key) or dev_names.get(key) or spelled.get(key, name)
            elif name in providers:
                package = name  # importable, as deptry's find_spec fallback would say
            top = [d.name for d in extract.dependencies if name in (d.top_levels or ())]
            dev_top = [d.name for d in extract.dev_dependencies if name in (d.top_levels or ())]
            module = Module(
                name,
                package=package,
                top_levels=top,
                dev_top_levels=dev_top,
                is_provided_by_dependency=bool(
                    (package and normalize(package) in declared_names) or top
                ),
                is_provided_by_dev_dependency=bool(
                    (package and normalize(package) in dev_names) or dev_top
                ),
            )
        described.append(ModuleLocations(module, list(locations)))
    violations = find_violations(described, extract.dependencies, (), {}, stdlib)
    root = project.path
    return Scan(
        violations=tuple(
            (v.error_code, v.issue.name, _location(v.location, root)) for v in violations
        ),
        imports={m: tuple(_location(loc, root) for loc in locs) for m, locs in imports.items()},
        python_files=len(files),
    )

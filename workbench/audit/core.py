"""The dependency audit (plan priority 2): what the image installs that the app never uses.

The audit is a chain of focused steps, like deptry's own ``Core.run``:

1. **declared**: the project's dependencies, read by deptry's own getters from
   ``pyproject.toml``;
2. **sources**: the project folders and files the Dockerfile copies into the image
   (or the folders given), and the Python files in them;
3. **names**: per distribution, its top-level modules and console scripts, read from
   the built image's ``dist-info`` (:mod:`workbench.distributions`): no local
   install; without an image they are guesses (a table of well-known names, else the
   distribution's name);
4. **deptry**: deptry's import scan and rules (DEP001..DEP005), with each imported
   module described against the image's distributions, not the workbench's own
   environment;
5. **commands**: a distribution counts as used when the image's ENTRYPOINT/CMD, or
   a script they run, runs one of its console scripts (``uvicorn``, ``streamlit``);
6. **findings**: unused dependencies, development tools declared as runtime
   dependencies, overlapping libraries declared together, and warnings (imported but
   undeclared, imported only through another package);
7. **sizes**: per candidate, the bytes its removal frees in the image: its own
   distribution and every transitive dependency nothing remaining needs
   (:mod:`workbench.lockgraph`), with the image's per-distribution bytes.

Steps 1 to 5 live in :mod:`workbench.audit_scan`; this module runs the chain, makes the
findings and sizes them, and keeps the result in the store.  Every finding says whether
it is *certain* (module names read from the image, the start command read from the
image) or a *guess*.
"""

from __future__ import annotations

import time
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from workbench.audit.distributions import NO_IMAGE_HINT, ImageFacts, read_image_facts
from workbench.audit.graph import LockGraph, load_lock
from workbench.audit.scan import (
    CERTAIN,
    GUESS,
    CopiedSource,
    Names,
    Scan,
    ScriptUse,
    command_uses,
    copied_sources,
    final_command,
    names_for,
    project_scripts,
    run_deptry,
)
from workbench.errors import AuditError, WorkbenchError
from workbench.jobs import AUDIT, Jobs, process_jobs
from workbench.project import Project
from workbench.project.manifests import Declared, declared_dependencies, normalize
from workbench.store import Store

__all__ = [
    "CERTAIN",
    "GUESS",
    "Audit",
    "AuditWarning",
    "Candidate",
    "Overlap",
    "OverlapMember",
    "ScriptUse",
    "is_dev_tool",
    "audit_error",
    "audit_running",
    "latest_audit",
    "run_audit",
    "start_audit",
]

PLAN_VARIANT = "pruned-deps"
DEV_GROUP_NOTE = (
    "uv's current standard for development dependencies is `[dependency-groups] dev` "
    "(PEP 735; `uv add --dev` writes it); the plan's `[tool.uv.dev-dependencies]` is the "
    "deprecated spelling."
)

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
REPLACED_BY_UV = frozenset({"poetry", "pdm", "pip-tools", "pipenv", "hatch"})

# Libraries that do the same job; declaring two is worth a look.
OVERLAPS: tuple[tuple[str, frozenset[str]], ...] = (
    ("HTTP clients", frozenset({"requests", "httpx", "aiohttp", "httplib2", "pycurl", "niquests"})),
    ("JSON libraries", frozenset({"orjson", "ujson", "simplejson", "python-rapidjson"})),
    ("YAML libraries", frozenset({"pyyaml", "ruamel-yaml"})),
    ("TOML libraries", frozenset({"toml", "tomli", "tomlkit", "rtoml"})),
    ("PostgreSQL drivers", frozenset({"psycopg", "psycopg2", "psycopg2-binary"})),
    ("MySQL drivers", frozenset({"pymysql", "mysqlclient", "mysql-connector-python"})),
    ("date and time libraries", frozenset({"arrow", "pendulum"})),
    ("ASGI servers", frozenset({"uvicorn", "hypercorn", "daphne", "granian"})),
    ("linters and formatters", frozenset({"ruff", "black", "flake8", "pylint", "isort"})),
)


# ---------------------------------------------------------------------------------------------
# The result


@dataclass(frozen=True)
class Candidate:
    """A dependency the pruned variant can drop.

    Attributes:
        name: the distribution, normalized.
        requirement: the line as pyproject.toml writes it.
        kind: ``"dev-tool"`` (a development tool declared for runtime), ``"unused"``
            (no copied file imports it, no start command runs it) or ``"stdlib"``.
        action: what to do, in a few words.
        certainty: ``"certain"`` or ``"guess"``.
        reason: one sentence on why.
        bytes: what dropping it alone frees in the image (``None`` without an image).
        cached_bytes: the part of ``bytes`` that is installer-cache copies (gone anyway
            once installs run without a cache: plan priority 1).
        packages: the distributions that leave the install with it.
        needed_by: when it stays installed anyway, the packages that need it.
        selected: ticked by default (certain findings are).
    """

    name: str
    requirement: str
    kind: str
    action: str
    certainty: str
    reason: str
    bytes: int | None = None
    cached_bytes: int | None = None
    packages: tuple[str, ...] = ()
    needed_by: tuple[str, ...] = ()
    selected: bool = True


@dataclass(frozen=True)
class OverlapMember:
    """One library of an overlapping group.

    Attributes:
        name: the distribution, normalized.
        requirement: the line as pyproject.toml writes it.
        files: the copied files that import it (relative to the project).
        own_bytes: its own distribution's bytes in the image.
        frees_bytes: what dropping it would free on top of the selected candidates
            (0 when other packages need it anyway).
        needed_by: the remaining packages that need it.
    """

    name: str
    requirement: str
    files: tuple[str, ...]
    own_bytes: int | None = None
    frees_bytes: int | None = None
    needed_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Overlap:
    """Libraries that do the same job, declared together."""

    group: str
    members: tuple[OverlapMember, ...]
    certainty: str
    advice: str


@dataclass(frozen=True)
class AuditWarning:
    """A finding that is not a removal: imported but undeclared, and the like.

    Attributes:
        code: deptry's code (``DEP001`` imported but undeclared, ``DEP003`` imported
            but only installed as another package's dependency, ``DEP004`` a
            development dependency imported by the app) or ``NAMESPACE``.
        name: the module or distribution.
        message: one sentence.
        files: where (``path:line``).
        certainty: ``"certain"`` or ``"guess"``.
    """

    code: str
    name: str
    message: str
    files: tuple[str, ...] = ()
    certainty: str = CERTAIN


@dataclass(frozen=True)
class Audit:
    """The audit of one project (optionally against one built image).

    Attributes:
        project_path: the project folder.
        project_key: its store key.
        image: the image reference audited against, ``None`` without one.
        image_id: its id.
        names_from: ``"image"`` (module names and scripts read from the image's
            dist-info) or ``"guesses"``.
        sources: the folders and files scanned, relative to the project.
        python_files: how many Python files were scanned.
        declared: the runtime dependencies (normalized).
        candidates: what the pruned variant can drop.
        overlaps: libraries that do the same job, declared together.
        warnings: imported but undeclared, and similar.
        script_uses: distributions the start command runs.
        dev_group: a ``[dependency-groups]`` snippet for the development tools.
        notes: sentences to show beside the findings.
        total_bytes: what dropping every selected candidate frees together.
        total_cached_bytes: the part of it that is installer-cache copies.
        total_packages: the distributions that leave with them.
        plan_min_bytes / plan_max_bytes: the plan's estimate for this task.
        sizes: per distribution (normalized), what removing it frees in the image.
        cached: per distribution, the part of its size that is installer-cache copies.
        graph: the lock's runtime graph, ``None`` without a uv.lock.
        image_facts: what was read from the image (kept to answer again quickly).
        created_at: when the audit ran.
    """

    project_path: str
    project_key: str
    image: str | None
    image_id: str | None
    names_from: str
    sources: tuple[str, ...]
    python_files: int
    declared: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    overlaps: tuple[Overlap, ...]
    warnings: tuple[AuditWarning, ...]
    script_uses: tuple[ScriptUse, ...]
    dev_group: str
    notes: tuple[str, ...]
    total_bytes: int | None
    total_packages: tuple[str, ...]
    plan_min_bytes: int | None
    plan_max_bytes: int | None
    total_cached_bytes: int | None = None
    sizes: Mapping[str, int] = field(default_factory=dict)
    cached: Mapping[str, int] = field(default_factory=dict)
    graph: LockGraph | None = None
    image_facts: ImageFacts | None = None
    created_at: float = 0.0

    @property
    def found(self) -> bool:
        """Whether there is anything to act on (candidates or overlaps)."""
        return bool(self.candidates or self.overlaps)

    @property
    def exit_code(self) -> int:
        """The CLI's exit code: 0 nothing found, 1 candidates found."""
        return 1 if self.found else 0

    def selected_names(self) -> tuple[str, ...]:
        """The candidates ticked by default."""
        return tuple(c.name for c in self.candidates if c.selected)

    def removal_bytes(self, names: Iterable[str]) -> tuple[int | None, tuple[str, ...]]:
        """What dropping these dependencies together frees, and which distributions go.

        Returns:
            ``(bytes, packages)``; bytes is ``None`` when the audit had no image.
        """
        names = [normalize(n) for n in names]
        if self.graph is not None:
            packages = self.graph.removal(names).packages
        else:
            packages = tuple(sorted(set(names)))
        if self.image_id is None:
            return None, packages
        return sum(self.sizes.get(p, 0) for p in packages), packages

    def cached_part(self, packages: Iterable[str]) -> int | None:
        """Of the bytes these distributions take, those in installer-cache copies."""
        if self.image_id is None:
            return None
        return sum(self.cached.get(p, 0) for p in packages)

    def plan_verdict(self, value: int | None = None) -> str:
        """``"below"``, ``"within"`` or ``"above"`` the plan's estimate ("" if none)."""
        value = self.total_bytes if value is None else value
        if value is None or self.plan_min_bytes is None or self.plan_max_bytes is None:
            return ""
        if value < self.plan_min_bytes:
            return "below"
        return "above" if value > self.plan_max_bytes else "within"

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (``workbench audit --json`` and the store)."""
        return {
            "project_path": self.project_path,
            "project_key": self.project_key,
            "image": self.image,
            "image_id": self.image_id,
            "names_from": self.names_from,
            "sources": list(self.sources),
            "python_files": self.python_files,
            "declared": list(self.declared),
            "candidates": [_plain(c) for c in self.candidates],
            "overlaps": [
                {**_plain(o), "members": [_plain(m) for m in o.members]} for o in self.overlaps
            ],
            "warnings": [_plain(w) for w in self.warnings],
            "script_uses": [_plain(s) for s in self.script_uses],
            "dev_group": self.dev_group,
            "notes": list(self.notes),
            "total_bytes": self.total_bytes,
            "total_packages": list(self.total_packages),
            "total_cached_bytes": self.total_cached_bytes,
            "plan_min_bytes": self.plan_min_bytes,
            "plan_max_bytes": self.plan_max_bytes,
            "plan_verdict": self.plan_verdict(),
            "sizes": dict(self.sizes),
            "cached": dict(self.cached),
            "graph": self.graph.to_dict() if self.graph is not None else None,
            "image_facts": self.image_facts.to_dict() if self.image_facts is not None else None,
            "created_at": self.created_at,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Audit:
        """Read back what :meth:`to_dict` wrote (``plan_verdict`` is recomputed)."""
        return cls(
            project_path=data["project_path"],
            project_key=data["project_key"],
            image=data.get("image"),
            image_id=data.get("image_id"),
            names_from=data.get("names_from", "guesses"),
            sources=tuple(data.get("sources") or ()),
            python_files=int(data.get("python_files", 0)),
            declared=tuple(data.get("declared") or ()),
            candidates=tuple(_candidate(c) for c in data.get("candidates") or ()),
            overlaps=tuple(
                Overlap(
                    group=o["group"],
                    members=tuple(_member(m) for m in o.get("members") or ()),
                    certainty=o.get("certainty", CERTAIN),
                    advice=o.get("advice", ""),
                )
                for o in data.get("overlaps") or ()
            ),
            warnings=tuple(
                AuditWarning(**{**w, "files": tuple(w.get("files") or ())})
                for w in data.get("warnings") or ()
            ),
            script_uses=tuple(ScriptUse(**s) for s in data.get("script_uses") or ()),
            dev_group=data.get("dev_group", ""),
            notes=tuple(data.get("notes") or ()),
            total_bytes=data.get("total_bytes"),
            total_packages=tuple(data.get("total_packages") or ()),
            total_cached_bytes=data.get("total_cached_bytes"),
            plan_min_bytes=data.get("plan_min_bytes"),
            plan_max_bytes=data.get("plan_max_bytes"),
            sizes=dict(data.get("sizes") or {}),
            cached=dict(data.get("cached") or {}),
            graph=LockGraph.from_dict(data["graph"]) if data.get("graph") else None,
            image_facts=ImageFacts.from_dict(data["image_facts"])
            if data.get("image_facts")
            else None,
            created_at=float(data.get("created_at", 0.0)),
        )


def _plain(obj: Any) -> dict[str, Any]:
    out = {}
    for name in obj.__dataclass_fields__:
        value = getattr(obj, name)
        if isinstance(value, tuple) and not (value and hasattr(value[0], "__dataclass_fields__")):
            value = list(value)
        out[name] = value
    return out


def _candidate(data: Mapping[str, Any]) -> Candidate:
    return Candidate(
        **{
            **data,
            "packages": tuple(data.get("packages") or ()),
            "needed_by": tuple(data.get("needed_by") or ()),
        }
    )


def _member(data: Mapping[str, Any]) -> OverlapMember:
    return OverlapMember(
        **{
            **data,
            "files": tuple(data.get("files") or ()),
            "needed_by": tuple(data.get("needed_by") or ()),
        }
    )


def is_dev_tool(name: str) -> bool:
    """Whether a distribution is a development tool (tests, linters, packaging...)."""
    key = normalize(name)
    return key in DEV_TOOLS or key.startswith(DEV_PREFIXES) or key.endswith(DEV_SUFFIXES)


# ---------------------------------------------------------------------------------------------
# The chain


def default_image(project: Project, store: Store, client: Any) -> str | None:
    """The image to audit against: the newest baseline build, else the baseline tag."""
    from workbench.engine.images import inspect_if_present

    tag = f"workbench/{project.name}:baseline"
    record = store.latest_images(project.key).get("baseline")
    candidates = [record.image_id] if record is not None and record.image_id else []
    candidates.append(tag)
    try:
        found = {ref: inspect_if_present(client, ref, AuditError) for ref in [*candidates, tag]}
    except AuditError:  # the engine is down: audit without an image
        return None
    for ref in candidates:
        if found[ref] is None:
            continue
        if found[tag] is not None and found[tag]["Id"] == found[ref]["Id"]:
            return tag  # the same image, under the name people know
        return ref
    return None


def _facts(client: Any, image: str, store: Store, project_key: str, fresh: bool) -> ImageFacts:
    """The image's facts: from the project's last audit of the same image, else read."""
    from workbench.engine.images import inspect_image

    image_id = inspect_image(client, image, AuditError, NO_IMAGE_HINT)["Id"]
    if not fresh:
        previous = store.latest_audit(project_key)
        if previous and previous.get("image_id") == image_id and previous.get("image_facts"):
            return ImageFacts.from_dict(previous["image_facts"])
    return read_image_facts(client, image_id)


def run_audit(
    project: Project,
    *,
    image: str | None = None,
    client: Any = None,
    store: Store | None = None,
    sources: Sequence[str] | None = None,
    use_image: bool = True,
    fresh: bool = False,
    save: bool = True,
    facts: ImageFacts | None = None,
) -> Audit:
    """Audit a project's dependencies, with sizes from a built image.

    Args:
        project: the project.
        image: the image to read names and sizes from; by default the project's
            newest baseline build (when the engine has it).
        client: a docker client (connected on demand when an image is needed).
        store: the store (default: the workbench's).
        sources: folders/files to scan, relative to the project; by default those
            the Dockerfile copies.
        use_image: False audits from the project and its lock alone (all guesses).
        fresh: read the image again even when an earlier audit of it is stored.
        save: keep the result in the store.
        facts: what an image holds, already read (:func:`read_image_facts`); the
            engine is then not asked.

    Returns:
        The audit.

    Raises:
        AuditError: no pyproject.toml, an unreadable lock, or a missing image.
    """
    store = store or Store()
    if project.pyproject is None:
        raise AuditError(
            f"{project.path} has no pyproject.toml; the audit reads the dependencies there"
        )
    try:
        pyproject = tomllib.loads(project.pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AuditError(f"cannot read {project.pyproject}: {exc}") from exc
    declared = declared_dependencies(pyproject)
    runtime = [d for d in declared if d.group == "runtime" or d.group.startswith("optional:")]
    if not runtime:
        raise AuditError(
            f"{project.pyproject} declares no [project] dependencies; nothing to audit"
        )
    dockerfile_text = project.dockerfile_text()

    # the image
    if facts is not None:
        image = image or (facts.tags[0] if facts.tags else facts.image_id)
    elif use_image:
        if client is None:
            from workbench.engine import connect

            try:
                client = connect()
            except WorkbenchError:
                if image is not None:
                    raise  # an image was asked for: say the engine is down
                client = None  # audit from the project and the lock alone
        if image is None and client is not None:
            image = default_image(project, store, client)
        if image is not None and client is not None:
            facts = _facts(client, image, store, project.key, fresh)
    else:
        image = None

    # the lock
    graph: LockGraph | None = None
    if project.lock is not None:
        graph = load_lock(
            project.lock,
            project_name=(pyproject.get("project") or {}).get("name"),
            python_version=(facts.python_version if facts and facts.python_version else None),
            roots=[d.name for d in runtime],
        )

    # sources
    if sources:
        copies = []
        for rel in sources:
            path = (project.path / rel).resolve()
            if not path.exists():
                raise AuditError(f"{rel} is not in {project.path}; name folders inside the project")
            copies.append(
                CopiedSource(
                    path.relative_to(project.path).as_posix(), "/" + path.name, path.is_dir()
                )
            )
    else:
        copies = copied_sources(dockerfile_text, project.path)
    if not copies:
        raise AuditError(
            "the Dockerfile copies no project files to scan; name the source folders "
            "(`--source backend`)"
        )

    # names
    installed_names = set(graph.reachable()) if graph is not None else set()
    names = names_for([d.name for d in declared] + sorted(installed_names), facts)
    module_map = {d.spelled: names.modules[d.name] for d in declared}
    if facts is not None:
        installed = {k: names.modules[k] for k in facts.by_name()}
    else:
        installed = {k: names.modules[k] for k in installed_names | {d.name for d in runtime}}

    # commands
    if facts is not None:
        command, workdir = facts.command, facts.workdir
        scripts = dict(project_scripts(command, workdir, copies, project.path))
        scripts.update(facts.scripts)
    else:
        command, workdir = final_command(dockerfile_text)
        scripts = project_scripts(command, workdir, copies, project.path)
    uses, python_m = command_uses(command, scripts, workdir, names)

    # deptry
    scan = run_deptry(project, copies, module_map, installed, names.spelled, python_m)

    audit = _findings(
        project=project,
        declared=declared,
        runtime=runtime,
        scan=scan,
        uses=uses,
        names=names,
        graph=graph,
        facts=facts,
        image=image,
        copies=copies,
        pyproject=pyproject,
    )
    if save:
        store.save_audit(project.key, audit.image_id, audit.to_dict())
    return audit


def _findings(
    *,
    project: Project,
    declared: Sequence[Declared],
    runtime: Sequence[Declared],
    scan: Scan,
    uses: Sequence[ScriptUse],
    names: Names,
    graph: LockGraph | None,
    facts: ImageFacts | None,
    image: str | None,
    copies: Sequence[CopiedSource],
    pyproject: Mapping[str, Any],
) -> Audit:
    """Step 6 and 7: turn deptry's violations and the command's uses into findings."""
    by_name = {d.name: d for d in runtime}
    sizes = facts.sizes() if facts is not None else {}
    cached = facts.copies() if facts is not None else {}
    run_by_command = {u.name for u in uses}
    unused: dict[str, str] = {}
    stdlib_declared: set[str] = set()
    warnings: list[AuditWarning] = []
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    for code, name, where in scan.violations:
        key = normalize(name)
        if code == "DEP002":
            unused[key] = name
        elif code == "DEP005":
            stdlib_declared.add(key)
        else:
            grouped[(code, name)].append(where)
    for (code, name), places in sorted(grouped.items()):
        warnings.append(_warning(code, name, places, names, facts))

    candidates: list[Candidate] = []
    for key, declared_dep in by_name.items():
        dev = is_dev_tool(key)
        certainty = CERTAIN if names.source.get(key) == CERTAIN and facts is not None else GUESS
        imported_at = _imported_at(key, names, scan)
        if key in stdlib_declared:
            candidates.append(
                Candidate(key, declared_dep.requirement, "stdlib", "remove", CERTAIN,
                          "it names a standard-library module; Python already has it")
            )  # fmt: skip
            continue
        if key in unused and key in run_by_command:
            continue  # the start command runs it: used
        if key not in unused:
            if dev and imported_at:
                warnings.append(
                    AuditWarning(
                        "DEV-IMPORTED",
                        key,
                        f"{key} is a development tool, but the app imports it; keep it as a "
                        "runtime dependency or drop the import",
                        imported_at,
                        certainty,
                    )
                )
            continue
        source_note = (
            "module names read from the image's dist-info"
            if certainty == CERTAIN
            else "module names guessed (" + ("not in the image" if facts else "no image") + ")"
        )
        if dev:
            replaced = key in REPLACED_BY_UV and project.lock is not None
            action = (
                "remove (uv manages the project)" if replaced else "move to [dependency-groups] dev"
            )
            reason = (
                f"a development tool declared as a runtime dependency; no copied file imports "
                f"{', '.join(names.modules.get(key, (key,)))} and the start command does not run it"
                f" ({source_note})"
            )
            if replaced:
                reason += "; the project installs with uv (uv.lock), so it is not needed at all"
            candidates.append(
                Candidate(key, declared_dep.requirement, "dev-tool", action, certainty, reason)
            )
        else:
            reason = (
                f"no copied file imports {', '.join(names.modules.get(key, (key,)))} and the "
                f"start command runs none of its scripts ({source_note})"
            )
            candidates.append(
                Candidate(key, declared_dep.requirement, "unused", "remove", certainty, reason,
                          selected=certainty == CERTAIN)
            )  # fmt: skip

    candidates = [_sized(c, graph, sizes, cached, facts) for c in candidates]
    candidates.sort(key=lambda c: (c.kind != "dev-tool", -(c.bytes or 0), c.name))
    selected = [c.name for c in candidates if c.selected]
    total_bytes, total_packages = _removal(selected, graph, sizes, facts)
    overlaps = _overlaps(by_name, scan, names, graph, sizes, facts, selected, set(unused))

    namespace = _shared_namespaces(by_name, scan, names)
    warnings.extend(namespace)

    plan = None
    try:
        plan = project.plan()
    except WorkbenchError:
        plan = None
    task = next((t for t in plan.tasks if t.variant == PLAN_VARIANT), None) if plan else None

    uses_uv_dev = "dev-dependencies" in ((pyproject.get("tool") or {}).get("uv") or {})
    notes = [DEV_GROUP_NOTE] if uses_uv_dev or any(c.kind == "dev-tool" for c in candidates) else []
    if uses_uv_dev:
        notes.append(
            "This pyproject.toml uses `[tool.uv] dev-dependencies`: move them to "
            "`[dependency-groups] dev`."
        )
    if facts is None:
        notes.append(
            "No image: module names, console scripts and sizes are guesses; build the baseline "
            "(`workbench build`) and audit again for certain findings and bytes."
        )
    else:
        notes.append(
            "Bytes are what each removal frees in the image: the distribution's files, the "
            "bytecode compiled beside them, its copy in an installer's cache when the image "
            "keeps one, and every dependency nothing remaining needs (uv.lock's graph)."
        )
        if any(cached.values()):
            notes.append(
                "This image keeps uv's cache (installs without --no-cache), so each removal "
                "also frees the cached copy; once priority 1 removes the cache, only the "
                "installed part remains to save."
            )
    if graph is None:
        notes.append("No uv.lock: a removal counts only the distribution itself.")
    notes.append(
        "Static imports only: code that imports by name at run time (plugins, "
        "importlib, strings) can make an 'unused' finding wrong; run the smoke test."
    )
    dev_tools = [c for c in candidates if c.kind == "dev-tool"]
    return Audit(
        project_path=str(project.path),
        project_key=project.key,
        image=image,
        image_id=facts.image_id if facts is not None else None,
        names_from="image" if facts is not None else "guesses",
        sources=tuple(dict.fromkeys(c.source for c in copies)),
        python_files=scan.python_files,
        declared=tuple(by_name),
        candidates=tuple(candidates),
        overlaps=tuple(overlaps),
        warnings=tuple(warnings),
        script_uses=tuple(uses),
        dev_group=dev_group_snippet(dev_tools, pyproject),
        notes=tuple(notes),
        total_bytes=total_bytes,
        total_packages=total_packages,
        total_cached_bytes=sum(cached.get(p, 0) for p in total_packages) if facts else None,
        plan_min_bytes=task.saving.min_bytes if task else None,
        plan_max_bytes=task.saving.max_bytes if task else None,
        sizes=sizes,
        cached=cached,
        graph=graph,
        image_facts=facts,
        created_at=time.time(),
    )


def _imported_at(key: str, names: Names, scan: Scan) -> tuple[str, ...]:
    places: list[str] = []
    for module in names.modules.get(key, ()):
        places.extend(scan.imports.get(module, ()))
    return tuple(dict.fromkeys(places))


def _warning(
    code: str, name: str, places: Sequence[str], names: Names, facts: ImageFacts | None
) -> AuditWarning:
    certainty = CERTAIN if facts is not None else GUESS
    if code == "DEP001":
        message = f"{name} is imported but no declared dependency provides it"
    elif code == "DEP003":
        providers = sorted(k for k, mods in names.modules.items() if name in mods)
        via = f" ({', '.join(providers)})" if providers else ""
        message = (
            f"{name} is imported but only installed as another package's dependency{via}; "
            "declare it"
        )
    elif code == "DEP004":
        message = f"{name} is a development dependency but the app imports it"
    else:
        message = f"{code} {name}"
    return AuditWarning(code, name, message, tuple(places), certainty)


def _removal(
    names: Sequence[str],
    graph: LockGraph | None,
    sizes: Mapping[str, int],
    facts: ImageFacts | None,
) -> tuple[int | None, tuple[str, ...]]:
    if not names:
        return (0 if facts is not None else None), ()
    packages = graph.removal(names).packages if graph is not None else tuple(sorted(names))
    if facts is None:
        return None, packages
    return sum(sizes.get(p, 0) for p in packages), packages


def _sized(
    candidate: Candidate,
    graph: LockGraph | None,
    sizes: Mapping[str, int],
    cached: Mapping[str, int],
    facts: ImageFacts | None,
) -> Candidate:
    if graph is None:
        packages: tuple[str, ...] = (candidate.name,)
        needed_by: tuple[str, ...] = ()
    else:
        removal = graph.removal([candidate.name])
        packages = removal.packages
        needed_by = removal.needed_by.get(candidate.name, ())
    total = sum(sizes.get(p, 0) for p in packages) if facts is not None else None
    in_cache = sum(cached.get(p, 0) for p in packages) if facts is not None else None
    return replace(
        candidate, bytes=total, cached_bytes=in_cache, packages=packages, needed_by=needed_by
    )


def _overlaps(
    by_name: Mapping[str, Declared],
    scan: Scan,
    names: Names,
    graph: LockGraph | None,
    sizes: Mapping[str, int],
    facts: ImageFacts | None,
    selected: Sequence[str],
    unused: set[str],
) -> list[Overlap]:
    found = []
    base_bytes, _ = _removal(selected, graph, sizes, facts)
    for group, members in OVERLAPS:
        present = sorted(m for m in members if m in by_name)
        if len(present) < 2:
            continue
        if set(present) <= set(selected):
            continue  # all of them go anyway
        rows = []
        for name in present:
            files = tuple(
                dict.fromkeys(p.rsplit(":", 1)[0] for p in _imported_at(name, names, scan))
            )
            frees, _ = _removal([*selected, name], graph, sizes, facts)
            needed_by: tuple[str, ...] = ()
            if graph is not None:
                removal = graph.removal([*selected, name])
                needed_by = removal.needed_by.get(name, ())
            rows.append(
                OverlapMember(
                    name=name,
                    requirement=by_name[name].requirement,
                    files=files,
                    own_bytes=sizes.get(name) if facts is not None else None,
                    frees_bytes=(frees - base_bytes)
                    if frees is not None and base_bytes is not None
                    else None,
                    needed_by=needed_by,
                )
            )
        imported = [r for r in rows if r.files]
        if len(imported) >= 2:
            advice = (
                f"the code imports {' and '.join(r.name for r in imported)}: picking one means "
                "changing the files that import the other"
            )
        else:
            advice = "only one of them is imported; the other is an unused candidate"
        if any(r.needed_by for r in rows):
            kept = [r.name for r in rows if r.needed_by]
            advice += f"; dropping {' or '.join(kept)} frees nothing while other packages need it"
        certainty = CERTAIN if facts is not None else GUESS
        found.append(Overlap(group, tuple(rows), certainty, advice))
    return found


def _shared_namespaces(
    by_name: Mapping[str, Declared], scan: Scan, names: Names
) -> list[AuditWarning]:
    providers: dict[str, list[str]] = defaultdict(list)
    for name in by_name:
        for module in names.modules.get(name, ()):
            providers[module].append(name)
    out = []
    for module, dists in sorted(providers.items()):
        if len(dists) > 1 and module in scan.imports:
            out.append(
                AuditWarning(
                    "NAMESPACE",
                    module,
                    f"{', '.join(sorted(dists))} share the module {module}; the code imports "
                    f"it, so all count as used, but which of them it needs is a guess",
                    scan.imports[module],
                    GUESS,
                )
            )
    return out


def dev_group_snippet(dev_tools: Sequence[Candidate], pyproject: Mapping[str, Any]) -> str:
    """A ``[dependency-groups]`` table that keeps the development tools for development."""
    keep = [c for c in dev_tools if c.action.startswith("move")]
    if not keep:
        return ""
    existing = list(((pyproject.get("dependency-groups") or {}).get("dev")) or [])
    lines = [f'    "{item}",' for item in existing if isinstance(item, str)]
    lines += [f'    "{c.requirement}",' for c in keep]
    return "[dependency-groups]\ndev = [\n" + "\n".join(lines) + "\n]\n"


# ---------------------------------------------------------------------------------------------
# Reading back


def latest_audit(project: Project, store: Store | None = None) -> Audit | None:
    """The project's newest stored audit, or ``None``."""
    data = (store or Store()).latest_audit(project.key)
    if not data:
        return None
    try:
        return Audit.from_dict(data)
    except (KeyError, TypeError, ValueError):
        return None  # written by an older workbench: audit again


# ---------------------------------------------------------------------------------------------
# In the background (reading a large image takes a while; pages never block on it)


def start_audit(project: Project, *, jobs: Jobs | None = None, **options: Any) -> bool:
    """Run :func:`run_audit` on the process's audits lane; the result lands in the store.

    Args:
        project: the project.
        jobs: the jobs to queue it on (default: the process's).
        **options: passed to :func:`run_audit`.

    Returns:
        False when an audit of this project is already queued or running here.
    """
    jobs = jobs or process_jobs()
    if jobs.running(AUDIT, project.key):
        return False
    jobs.submit(AUDIT, project.key, lambda: run_audit(project, **options), project.name)
    return True


def audit_running(project: Project, jobs: Jobs | None = None) -> bool:
    """Whether a background audit of this project is queued or running in this process."""
    return (jobs or process_jobs()).running(AUDIT, project.key)


def audit_error(project: Project, jobs: Jobs | None = None) -> str | None:
    """Why the last background audit of this project failed, if it did."""
    job = (jobs or process_jobs()).job(AUDIT, project.key)
    return job.error if job is not None else None

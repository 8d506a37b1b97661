"""The runtime's libraries: what a runtime stage installs instead of the builder's build-only
packages, as a *library plan* read from the built builder stage.

When the multi-stage transform leaves build-only packages (compilers, ``-dev`` headers) in the
builder, the runtime still needs the shared libraries the builder's compiled extensions load
(``libpq5`` for ``psycopg2/_psycopg….so``). Which ones only the built builder can tell, so the
runtime stage carries a *library block* in place of its apt line, a paragraph the workbench
writes and rewrites:

.. code-block:: dockerfile

    # Build-only, left in the builder stage (workbench): gcc libpq-dev python3-dev
    # Runtime libraries, read from the builder stage when the variant is built (workbench)

When the variant is built, a probe of the builder stage (:mod:`workbench.build.libraries`)
fills a :class:`LibraryPlan`, and :func:`apply_plan` turns the block into the lines that
install it (one ``apt-get install`` with a reason per package, a ``COPY --from`` for a library
no package ships). The block is the paragraph from its first line to the next blank line, so it
can be rewritten again at every build. Nothing here talks to the engine: the plan a build read
is kept under the workbench home (:func:`save_plan`), so a variant derived later shows it.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace

from workbench.errors import WorkbenchError
from workbench.home import workbench_home
from workbench.variants.build_state import BuildState, from_image, parse_env, walk
from workbench.variants.dockerfile import parse_copy
from workbench.variants.installs import APT_VALUE_OPTIONS, find_installs, positionals
from workbench.variants.instructions import Dockerfile, parse, split_lines
from workbench.variants.shell import exec_argv, parse_run

START = re.compile(
    r"^# Build-only, left in the (?P<builder>\S+) stage \(workbench\): (?P<packages>.+)$"
)
"""The first line of a library block: which packages stayed in which builder."""
PENDING = "# Runtime libraries, read from the builder stage when the variant is built (workbench)"
READ = "# Runtime libraries, read from the builder stage (workbench):"
REASON = "#   "
APT_LINE = (
    "RUN {sudo}apt-get update && {sudo}apt-get install -y --no-install-recommends {packages}"
    " && {sudo}rm -rf /var/lib/apt/lists/*\n"
)
_SYSTEM_LIBRARY_DIRS = frozenset(
    {"/lib", "/usr/lib", "/lib64", "/usr/lib64"}
    | {f"{p}/{t}-linux-gnu" for p in ("/lib", "/usr/lib") for t in ("x86_64", "aarch64")}
)
_PATH = frozenset({"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"})
_SHOWN = 3


@dataclass(frozen=True)
class RuntimePackage:
    """A Debian package the runtime installs, and why (``needed by psycopg2/_psycopg….so``)."""

    name: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class LibraryCopy:
    """A library no package of the builder ships, copied from it.

    Attributes:
        source: Its file in the builder (symlinks followed).
        dest: Where the runtime gets it (the name the extension asks for).
        needed_by: The shared objects that load it.
    """

    source: str
    dest: str
    needed_by: tuple[str, ...]


@dataclass(frozen=True)
class MissingLibrary:
    """A library an extension loads that neither a package nor a folder of the builder has."""

    library: str
    needed_by: tuple[str, ...]


@dataclass(frozen=True)
class LibraryPlan:
    """What the runtime installs instead of the build-only packages, read from the builder.

    Attributes:
        packages: The Debian packages to install, each with its reasons.
        copies: The libraries copied from the builder.
        missing: The libraries that could not be resolved.
        error: Why the builder could not be read (the plan is then empty).
    """

    packages: tuple[RuntimePackage, ...] = ()
    copies: tuple[LibraryCopy, ...] = ()
    missing: tuple[MissingLibrary, ...] = ()
    error: str = ""

    def to_json(self) -> str:
        """The plan as JSON, for :func:`save_plan`."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LibraryPlan:
        """The plan :meth:`to_json` wrote.

        Raises:
            ValueError: The text is not such a plan.
        """
        data = json.loads(text)
        try:
            return cls(
                packages=tuple(
                    RuntimePackage(p["name"], tuple(p["reasons"])) for p in data["packages"]
                ),
                copies=tuple(
                    LibraryCopy(c["source"], c["dest"], tuple(c["needed_by"]))
                    for c in data["copies"]
                ),
                missing=tuple(
                    MissingLibrary(m["library"], tuple(m["needed_by"])) for m in data["missing"]
                ),
                error=str(data.get("error", "")),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a library plan: {exc}") from None

    def summary(self) -> str:
        """What the runtime gets instead, in one clause for the variant's summary."""
        if self.error:
            return f"the builder's libraries could not be read ({self.error})"
        said = []
        if self.packages:
            listed = ", ".join(f"{p.name} ({'; '.join(p.reasons)})" for p in self.packages)
            said.append(f"the runtime installs {listed} instead")
        if self.copies:
            listed = ", ".join(
                f"{c.dest} ({needed_by(c.needed_by)}; no package ships it)" for c in self.copies
            )
            said.append(f"the runtime copies {listed} from the builder")
        if not said and not self.missing:
            said.append("the extensions load no library the runtime image lacks")
        for item in self.missing:
            said.append(
                f"{item.library} ({needed_by(item.needed_by)}) is in no package or library"
                " folder of the builder"
            )
        return "; ".join(said)


@dataclass(frozen=True)
class ProbeRequest:
    """What a probe of the builder needs, read from a variant's Dockerfile.

    Attributes:
        builder: The builder stage's name.
        builder_text: The Dockerfile up to the end of the builder stage (builds only it; its
            steps are the same as in the whole Dockerfile, so the real build reuses them).
        roots: The folders the runtime copies from the builder (virtualenvs, install trees).
        runtime_image: The image the runtime stage starts from, "" when it is a stage.
        runtime_packages: The packages the runtime's own apt lines install.
        left: The build-only packages left in the builder.
        scripts: Context files the runtime starts (``docker-entrypoint.sh``), to check that
            they run none of ``left``.
        library_path: The folders ``LD_LIBRARY_PATH`` names in the runtime (searched too).
    """

    builder: str
    builder_text: str
    roots: tuple[str, ...]
    runtime_image: str
    runtime_packages: frozenset[str]
    left: tuple[str, ...]
    scripts: tuple[str, ...] = field(default=())
    library_path: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Block:
    """What a library block's first lines say: the builder, what stays in it, what the runtime
    installs anyway.

    Attributes:
        builder: The builder stage's name.
        left: The build-only packages left in the builder.
        carried: Packages that are not build-only, installed in the builder by a ``RUN`` that
            also installs the dependencies: the runtime installs them with the libraries.
        recommends: Whether that ``RUN`` installed them with their recommended packages.
    """

    builder: str
    left: tuple[str, ...]
    carried: tuple[str, ...] = ()
    recommends: bool = False

    def header(self) -> str:
        """The block's first lines."""
        text = (
            f"# Build-only, left in the {self.builder} stage (workbench): {' '.join(self.left)}\n"
        )
        if self.carried:
            also = ", with their recommends" if self.recommends else ""
            text += f"# Installed with the dependencies in the builder, and here{also} (workbench):"
            text += f" {' '.join(self.carried)}\n"
        return text


CARRIED = re.compile(
    r"^# Installed with the dependencies in the builder, and here(?P<recommends>, with their"
    r" recommends)? \(workbench\): (?P<packages>.+)$"
)
"""The block's line of the packages a ``RUN`` only the builder runs installed (see Block)."""


def pending_block(block: Block, sudo: bool = False) -> str:
    """The library block of a variant derived without the builder: resolved when built."""
    return render_block(block, None, sudo)


def has_block(text: str) -> bool:
    """Whether a Dockerfile has a library block (its runtime libraries are read when built)."""
    return any(START.match(line.rstrip("\n")) for line in split_lines(text))


def _find_block(lines: Sequence[str]) -> tuple[Block, int, int] | None:
    """The library block and its lines: from its first line to the next blank line."""
    for first, line in enumerate(lines):
        match = START.match(line.rstrip("\n"))
        if match:
            end = first + 1
            while end < len(lines) and lines[end].strip():
                end += 1
            left = tuple(match.group("packages").split())
            block = Block(match.group("builder"), left)
            carried = CARRIED.match(lines[first + 1].rstrip("\n")) if first + 1 < end else None
            if carried:
                packages = tuple(carried.group("packages").split())
                block = Block(block.builder, left, packages, bool(carried.group("recommends")))
            return block, first, end
    return None


def needed_by(objects: Sequence[str]) -> str:
    """``needed by psycopg2/_psycopg….so`` (the first few objects, and how many more)."""
    shown = ", ".join(objects[:_SHOWN])
    more = f" and {len(objects) - _SHOWN} more" if len(objects) > _SHOWN else ""
    return f"needed by {shown}{more}"


def render_block(block: Block, plan: LibraryPlan | None, sudo: bool) -> str:
    """The library block's lines for a plan (None: not read yet)."""
    text = block.header()
    prefix = "sudo " if sudo else ""
    names = list(block.carried)
    if plan is None:
        text += PENDING + "\n"
    elif plan.error:
        text += f"{READ} could not be read ({plan.error})\n"
    elif not plan.packages and not plan.copies:
        text += f"{READ} none the runtime image lacks\n"
    else:
        text += READ + "\n"
    if plan is not None and not plan.error:
        for item in plan.missing:
            text += f"{REASON}{item.library}: {needed_by(item.needed_by)}, and no package or"
            text += " library folder of the builder has it\n"
        text += "".join(f"{REASON}{p.name}: {'; '.join(p.reasons)}\n" for p in plan.packages)
        names += [p.name for p in plan.packages if p.name not in names]
    if names:
        line = APT_LINE.format(sudo=prefix, packages=" ".join(names))
        text += line.replace(" --no-install-recommends", "") if block.recommends else line
    copies = plan.copies if plan is not None and not plan.error else ()
    for copy in copies:
        text += f"{REASON}{copy.dest}: no package ships it; {needed_by(copy.needed_by)}\n"
        text += f"COPY --from={block.builder} {copy.source} {copy.dest}\n"
    if any(posixpath.dirname(c.dest) not in _SYSTEM_LIBRARY_DIRS for c in copies):
        text += f"{REASON}ldconfig: so that the copied libraries are found\nRUN {prefix}ldconfig\n"
    return text


def apply_plan(text: str, plan: LibraryPlan | None) -> str:
    """Rewrite a Dockerfile's library block for a plan (None: back to the pending block).

    Args:
        text: A Dockerfile with a library block (:func:`has_block`); any other is returned
            as it is.
        plan: The plan a probe of the builder read, None for the block of a variant not built.

    Returns:
        The Dockerfile with the block's paragraph replaced, every other line as it was.
    """
    lines = split_lines(text)
    found = _find_block(lines)
    if found is None:
        return text
    block, first, end = found
    rendered = render_block(block, plan, _needs_sudo(text, first))
    return "".join(lines[:first]) + rendered + "".join(lines[end:])


def _needs_sudo(text: str, line: int) -> bool:
    """Whether the user where the block stands is not root (its apt line then needs sudo)."""
    try:
        df = parse(text)
    except WorkbenchError:
        return False
    state = next((s for _, ins, s in walk(df) if ins.start > line), None)
    return state is not None and not state.is_root()


def probe_request(text: str) -> ProbeRequest | None:
    """What a probe of the builder needs, from a Dockerfile with a library block.

    Returns:
        The request; None when the text has no library block, or no stage copies from the
        builder the block names.
    """
    found = _find_block(split_lines(text))
    if found is None:
        return None
    block, *span = found
    builder = block.builder
    try:
        df = parse(text)
        steps = list(walk(df))
    except WorkbenchError:
        return None
    runtime = next((s.stage for _, ins, s in steps if ins.start > span[0]), None)
    stage_of = _stage_names(df)
    if runtime is None or builder.lower() not in stage_of:
        return None
    built = stage_of[builder.lower()]
    last = max(i for i, _, s in steps if s.stage == built)
    builder_text = df.head + "".join(ins.preamble + ins.text for ins in df.instructions[: last + 1])
    ours = [(i, ins, s) for i, ins, s in steps if s.stage == runtime]
    roots = _copied_roots(ours, builder, span)
    if not roots:
        return None
    return ProbeRequest(
        builder=builder,
        builder_text=builder_text,
        roots=roots,
        runtime_image=_runtime_image(df, ours, stage_of),
        runtime_packages=_apt_packages(ours, span),
        left=block.left,
        scripts=_start_scripts(ours),
        library_path=tuple(
            p
            for p in ours[-1][2].expand(ours[-1][2].env.get("LD_LIBRARY_PATH", "")).split(":")
            if p.startswith("/") and "$" not in p
        ),
    )


def _stage_names(df: Dockerfile) -> dict[str, int]:
    """Stage name (lower case) or number -> the stage's index."""
    found = {}
    for number, indexes in enumerate(df.stages()):
        found[str(number)] = number
        words = df.instructions[indexes[0]].value.split()
        if len(words) >= 3 and words[-2].lower() == "as":
            found[words[-1].lower()] = number
    return found


def _copied_roots(steps, builder: str, span: tuple[int, int]) -> tuple[str, ...]:
    """The folders the runtime copies from the builder, outside the block."""
    roots = []
    for _, ins, state in steps:
        if ins.keyword != "COPY" or span[0] <= ins.start < span[1]:
            continue
        spec = parse_copy(ins)
        if spec.flags.get("from", "").lower() != builder.lower():
            continue
        for source in spec.sources:
            path = state.expand(source)
            roots.append(posixpath.normpath(posixpath.join(state.workdir, path)))
    return tuple(dict.fromkeys(roots))


def _runtime_image(df: Dockerfile, ours, stage_of: dict[str, int]) -> str:
    """The runtime's base image with the global ARGs' defaults put in; "" for a stage."""
    image = from_image(ours[0][1])
    if image.lower() in stage_of:
        return ""
    state = BuildState()
    for i in df.global_args():
        state = replace(state, env={**state.env, **parse_env(df.instructions[i], state)})
    expanded = state.expand(image)
    return "" if "$" in expanded else expanded


def _apt_packages(steps, span: tuple[int, int]) -> frozenset[str]:
    found: set[str] = set()
    for _, ins, _ in steps:
        if ins.keyword != "RUN" or span[0] <= ins.start < span[1]:
            continue
        for install in find_installs(parse_run(ins)):
            if install.tool == "apt":
                found |= {p.split("=")[0] for p in positionals(install.args, APT_VALUE_OPTIONS)}
    return frozenset(found)


def _start_scripts(steps) -> tuple[str, ...]:
    """Context files the runtime's last ENTRYPOINT and CMD run (``docker-entrypoint.sh``)."""
    words: list[tuple[str, BuildState]] = []
    for keyword in ("ENTRYPOINT", "CMD"):
        found = [(ins, state) for _, ins, state in steps if ins.keyword == keyword]
        if found:
            ins, state = found[-1]
            body = ins.text[len(ins.keyword) :].strip()
            argv = exec_argv(body, 0, len(body)) if body.startswith("[") else None
            words += [(word, state) for word in argv or body.split()]
    scripts = []
    for _, ins, state in steps:
        spec = parse_copy(ins) if ins.keyword in {"COPY", "ADD"} else None
        if spec is None or "from" in spec.flags or not spec.dest:
            continue
        dest = posixpath.join(state.workdir, state.expand(spec.dest))
        for source in spec.sources:
            name = posixpath.basename(source.rstrip("/"))
            where = {posixpath.normpath(dest), posixpath.normpath(posixpath.join(dest, name))}
            for word, at in words:
                path = posixpath.normpath(posixpath.join(at.workdir, at.expand(word)))
                on_path = "/" not in word and any(posixpath.dirname(w) in _PATH for w in where)
                if path in where or (on_path and word == name):
                    scripts.append(source)
    return tuple(dict.fromkeys(scripts))


# ---------------------------------------------------------------------------------------------
# The plans builds read, kept under the workbench home


def _plan_path(text: str):
    digest = hashlib.sha256(apply_plan(text, None).encode("utf-8")).hexdigest()
    return workbench_home() / "cache" / "libraries" / f"{digest}.json"


def saved_plan(text: str) -> LibraryPlan | None:
    """The plan the last build of this Dockerfile read from its builder, None if none did.

    Args:
        text: A Dockerfile with a library block, pending or resolved.
    """
    path = _plan_path(text)
    try:
        return LibraryPlan.from_json(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def save_plan(text: str, plan: LibraryPlan) -> None:
    """Keep the plan a build read, for variants derived later (:func:`saved_plan`)."""
    path = _plan_path(text)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_suffix(".tmp")
        scratch.write_text(plan.to_json(), "utf-8")
        scratch.replace(path)
    except OSError:
        return

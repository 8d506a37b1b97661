"""Build tools in the runtime that its command does not use: installers and compilers.

uv, Poetry, Pipenv and PDM install the dependencies; gcc, make and the ``-dev``
packages build them.  Once the image is built the app runs neither, unless its start
command does: ``uv run``/``poetry run``/``pipenv run`` only start the virtualenv's own
command (the multi-stage transform rewrites them), anything else is a real use.
Poetry installed with pip brings its own dependencies (dulwich, keyring, virtualenv...):
those only it requires are counted with it, told from the packages' ``Requires-Dist``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence

from workbench.analysis import LayerGroup, PythonPackage
from workbench.analysis.packages import normalize
from workbench.findings.model import GUESS, Context, Finding, located
from workbench.findings.scripts import script_words
from workbench.variants.build_only import is_build_only

RULE = "build-tools"
TOOLS = {
    "tool-uv": ("uv", ("uv", "uvx"), ("uv",)),
    "tool-poetry": ("Poetry", ("poetry",), ("poetry", "poetry-core", "poetry-plugin-export")),
    "tool-pipenv": ("Pipenv", ("pipenv",), ("pipenv",)),
    "tool-pdm": ("PDM", ("pdm",), ("pdm",)),
}
"""Rule id -> the tool's name, its commands, its distributions."""
RUNNERS = ("run",)
WHY = (
    "they built the image; the app does not run them, yet every container of it "
    "carries them (and their security updates)"
)


def _command_uses(context: Context, commands: Sequence[str]) -> str | None:
    """How the start command uses a tool: ``"runs"`` (a real use), ``"run-wrapper"``
    (``uv run X``: the venv's own command does the same), ``None`` (not at all)."""
    worded = [list(context.analysis.command)]
    for text in context.scripts.values():
        worded.extend(script_words(text))
    found = None
    for words in worded:
        for i, word in enumerate(words):
            if posixpath.basename(word) in commands:
                if words[i + 1 : i + 2] and words[i + 1] in RUNNERS:
                    found = found or "run-wrapper"
                else:
                    return "runs"
    return found


def exclusive_dependencies(
    packages: Sequence[PythonPackage], tools: Iterable[str], location: str
) -> list[PythonPackage]:
    """The distributions in one site folder that only the tools need.

    Args:
        packages: the image's Python distributions.
        tools: the tool's distributions (normalized names).
        location: the site folder holding them.

    Returns:
        Those the tools require (through others too) and no other distribution
        there does.
    """
    here = {normalize(p.name): p for p in packages if p.location == location}
    tool_names = {t for t in tools if t in here}

    def closure(roots: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        pending = [r for r in roots if r in here]
        while pending:
            name = pending.pop()
            if name not in seen:
                seen.add(name)
                pending.extend(r for r in here[name].requires if r in here)
        return seen

    theirs = closure(tool_names)
    kept = closure(set(here) - theirs)
    return [here[n] for n in sorted(theirs - kept - tool_names)]


def _tool_finding(context: Context, group: LayerGroup) -> Finding | None:
    name, commands, dists = TOOLS[group.group]
    venvs = context.analysis.virtualenvs
    in_venv = any(p.path.startswith(tuple(v + "/" for v in venvs)) for p in group.largest)
    if in_venv and any(r.name in dists for r in context.removals):
        return None  # the dependency audit's finding says it, with what goes with it
    use = _command_uses(context, commands)
    extra: dict = {"paths": group.largest}
    size = group.bytes
    location = next(
        (p.location for p in context.analysis.python_packages if normalize(p.name) in dists), None
    )
    packages = context.analysis.python_packages
    deps = exclusive_dependencies(packages, dists, location) if location else []
    paths = [p.path for p in group.largest]
    where = posixpath.commonpath(paths) if len(paths) > 1 else (paths[0] if paths else "")
    title = f"{name} left in the runtime ({where})"
    if deps:
        size += sum(p.bytes for p in deps)
        title = f"{name} and {len(deps)} packages only it needs left in the runtime ({where})"
        extra.update(
            detail=", ".join(p.name for p in sorted(deps, key=lambda p: -p.bytes)[:8]),
            certainty=GUESS,
            reason="the packages only it needs are told from their Requires-Dist",
        )
    if use == "runs":
        extra.update(
            certainty=GUESS, reason=f"the start command runs {commands[0]}: the app may need it"
        )
    elif use == "run-wrapper":
        extra.setdefault(
            "detail",
            f"the start command runs `{commands[0]} run`, which the venv's own command replaces",
        )
    source = context.source(group.layer)
    fix: str | None = "multi-stage"
    if in_venv:
        fix = None
        extra.update(
            reason="it is a dependency of the project: drop it (run the audit)", certainty=GUESS
        )
    elif source is not None and source.base and "astral-sh/uv" not in source.text:
        fix = None
        extra.setdefault("detail", "it comes with the base image: pick a base without it")
    return located(context, RULE, title, size, group.layer, WHY, fix, **extra)


def _compilers(context: Context, group: LayerGroup) -> Finding:
    names = sorted(
        (
            p
            for p in context.analysis.debian_packages
            if p.layer == group.layer and is_build_only(p.name)
        ),
        key=lambda p: -p.bytes,
    )
    own = context.own(group.layer)
    what = "C headers" if group.group == "headers" else "compilers and -dev packages"
    return located(
        context,
        RULE,
        f"{what} left in the runtime",
        group.bytes,
        group.layer,
        WHY,
        "multi-stage" if own else None,
        paths=group.largest,
        detail=", ".join(p.name for p in names[:10])
        or ("" if own else "it comes with the base image: pick a slimmer base"),
    )


def find(context: Context) -> list[Finding]:
    """One finding per build tool and layer that left it in the image."""
    found = []
    for group in context.analysis.groups:
        if group.bytes <= 0:
            continue
        if group.group in TOOLS:
            finding = _tool_finding(context, group)
            if finding is not None:
                found.append(finding)
        elif group.group in ("compilers", "headers"):
            found.append(_compilers(context, group))
    return found

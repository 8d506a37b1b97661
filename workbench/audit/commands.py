"""The audit's commands: which distributions the image's start command runs.

A distribution counts as used when the image's ENTRYPOINT/CMD, or a script they run,
runs one of its console scripts (``uvicorn``, ``streamlit``); a ``python -m x`` counts
as an import of ``x``.  With an image, the command and the scripts come from it; without
one, from the Dockerfile and the project files it copies.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workbench.audit.distributions import ImageFacts, is_script_word, script_paths
from workbench.audit.model import GUESS, ScriptUse
from workbench.audit.names import Names
from workbench.audit.sources import CopiedSource, project_file
from workbench.errors import WorkbenchError
from workbench.variants import dockerfile as df

_INTERPRETERS = re.compile(r"^python(\d(\.\d+)?)?$")


@dataclass(frozen=True)
class StartCommand:
    """What the image runs when it starts.

    Attributes:
        argv: ENTRYPOINT + CMD.
        workdir: the working directory (relative script paths).
        scripts: the text of scripts the command may run (absolute image path -> text).
    """

    argv: tuple[str, ...]
    workdir: str
    scripts: Mapping[str, str] = field(default_factory=dict)


def start_command(
    dockerfile_text: str,
    facts: ImageFacts | None,
    copies: Sequence[CopiedSource],
    project_dir: Path,
) -> StartCommand:
    """The start command and its scripts: from the image, else from the Dockerfile.

    Scripts the image holds win over their project copies.
    """
    if facts is not None:
        command, workdir = facts.command, facts.workdir
        scripts = dict(project_scripts(command, workdir, copies, project_dir))
        scripts.update(facts.scripts)
    else:
        command, workdir = final_command(dockerfile_text)
        scripts = project_scripts(command, workdir, copies, project_dir)
    return StartCommand(tuple(command), workdir, scripts)


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
    """An ENTRYPOINT/CMD value's argv: the exec form's list, else ``sh -c`` the text."""
    text = value.strip()
    if text.startswith("["):
        try:
            argv = json.loads(text)
        except ValueError:
            argv = None
        if isinstance(argv, list) and all(isinstance(a, str) for a in argv):
            return argv
    return ["/bin/sh", "-c", text]


def _lines(text: str) -> Iterable[tuple[int, list[str]]]:
    """A shell script's words, per numbered line (comments, blanks and binaries skipped)."""
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
    by_script = _installers(names)
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


def _installers(names: Names) -> dict[str, list[str]]:
    """Per console script, the distributions that install it."""
    by_script: dict[str, list[str]] = defaultdict(list)
    for dist, commands in names.scripts.items():
        for command_name in commands:
            by_script[command_name].append(dist)
    return by_script


def _script_target(word: str, workdir: str) -> str:
    """The absolute image path of a script a command word names ("" when none)."""
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
        path = project_file(target, copies, project_dir)
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

"""The scripts an image's start command runs, read from the project it was built from.

A command word that names a file (``./start.sh``, ``/app/run.sh``, ``bin/serve``) is a
path in the image; the Dockerfile's final stage says which project file it was copied
from.  Scripts those scripts run are followed too.  Only what the build-tools rule needs
(does the start command run an installer?), without loading the dependency audit.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator, Sequence
from pathlib import Path

from workbench.variants.dockerfile import final_stage_context_copies

MAX_SCRIPTS = 16
MAX_BYTES = 256 * 1024


def script_words(text: str) -> Iterator[list[str]]:
    """A shell script's words, line by line (comments and blank lines skipped; ``&&``,
    ``;``, ``|`` split the words they touch)."""
    if "\0" in text:
        return
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            words = shlex.split(stripped, comments=True)
        except ValueError:
            words = stripped.split()
        yield [part for word in words for part in re.split(r"[;&|()`]+", word) if part]


def _is_path(word: str) -> bool:
    """Whether a command word may name a script (a path or ``*.sh``; not Python code,
    an option or an assignment)."""
    if word.startswith("-") or "=" in word or word.endswith(".py"):
        return False
    return "/" in word or word.endswith(".sh")


def _project_file(target: str, copies: list, project_dir: Path) -> Path | None:
    """The project file a final-stage COPY put at an image path, if one did (the last
    COPY that could have wins)."""
    for spec, dest in reversed(copies):
        dest = posixpath.normpath(dest)
        for source in spec.sources:
            local = project_dir / source if source.strip("./") else project_dir
            if local.is_file():
                into = spec.dest.endswith("/") or len(spec.sources) > 1
                where = posixpath.join(dest, posixpath.basename(source)) if into else dest
                if target == where:
                    return local
            elif local.is_dir() and target.startswith(dest.rstrip("/") + "/"):
                candidate = local / target[len(dest.rstrip("/")) + 1 :]
                if candidate.is_file():
                    return candidate
    return None


def start_scripts(
    command: Sequence[str], workdir: str, dockerfile: str, project_dir: Path
) -> dict[str, str]:
    """The scripts a start command runs: image path -> text, from the project.

    Args:
        command: the image's ENTRYPOINT + CMD.
        workdir: its WORKDIR (relative paths).
        dockerfile: the Dockerfile it was built from.
        project_dir: the project.
    """
    copies = final_stage_context_copies(dockerfile)
    found: dict[str, str] = {}
    words = [w for word in command for w in (word.split() if " " in word else [word])]
    pending = [
        posixpath.normpath(posixpath.join("/", workdir or "/", w)) for w in words if _is_path(w)
    ]
    while pending and len(found) < MAX_SCRIPTS:
        target = pending.pop()
        if target in found:
            continue
        path = _project_file(target, copies, project_dir)
        try:
            if path is None or not path.is_file() or path.stat().st_size > MAX_BYTES:
                continue
            text = path.read_text("utf-8", errors="replace")
        except OSError:
            continue
        found[target] = text
        for line in script_words(text):
            pending.extend(
                posixpath.normpath(posixpath.join("/", workdir or "/", w))
                for w in line
                if _is_path(w)
            )
    return found

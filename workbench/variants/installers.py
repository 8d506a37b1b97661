"""The installers themselves (uv, Poetry, Pipenv): the steps that set them up, and their images.

A multi-stage build keeps an installer in the builder and leaves it out of the runtime unless
the runtime still runs it. This module tells which steps set an installer up (``COPY --from`` of
the uv image, ``pip install poetry``, Poetry's install script...), which ``ENV`` lines only
configure one, and which plain Python image a uv image with Python is built on
(:data:`PLAIN_PYTHON_BASES`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from workbench.variants.dockerfile import CopySpec
from workbench.variants.installs import Install, find_installs, positionals
from workbench.variants.shell import RunInstruction, command_argv

INSTALLERS = ("uv", "poetry", "pipenv")
"""The installers a runtime may run its commands through (``uv run``, ``poetry run``...)."""

UV_IMAGES = ("ghcr.io/astral-sh/uv", "astral/uv", "docker.io/astral/uv")
"""The repositories of uv's own images."""

PLAIN_PYTHON_BASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"python(?P<v>\d+\.\d+)-(?P<d>bookworm|bullseye|trixie)-slim"),
        "python:{v}-slim-{d}",
    ),
    (re.compile(r"python(?P<v>\d+\.\d+)-alpine(?P<a>[\d.]*)"), "python:{v}-alpine{a}"),
    (re.compile(r"python(?P<v>\d+\.\d+)-(?P<d>bookworm|bullseye|trixie)"), "python:{v}-{d}"),
)
"""The plain Python image each uv image with Python is built on, by the uv image's tag.

uv's ``ghcr.io/astral-sh/uv:python3.11-bookworm-slim`` (also with a uv version in front,
``0.8-python3.11-bookworm-slim``) is ``python:3.11-slim-bookworm`` with uv added: the same
interpreter at the same path, so a virtualenv made in one runs in the other. Tags without
Python (``bookworm-slim``, ``alpine``) have no such base.
"""

_PACKAGE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_INSTALLER_URL = re.compile(r"astral\.sh/uv|install\.python-poetry\.org|python-poetry/install")
_WORD = {
    tool: re.compile(rf"(?:^|[\s\"'\[;&|(=`])(?:/[\w./-]*/)?{tool}(?=$|[\s\"',\];&|)`])")
    for tool in ("uvx?", "poetry", "pipenv")
}
_ENV_PREFIXES = {"uv": "UV_", "poetry": "POETRY_", "pipenv": "PIPENV_"}
_NEUTRAL = frozenset({"sh", "bash", "ln", "chmod", "export", "true", "echo", "which"})


def mentions(tool: str, text: str) -> bool:
    """Whether some text runs an installer: the word ``uv`` (or ``uvx``), ``poetry``, ``pipenv``."""
    return bool(_WORD["uvx?" if tool == "uv" else tool].search(text))


def is_uv_image(image: str) -> bool:
    """Whether an image reference is one of uv's own images."""
    repository = image.split("@")[0].rsplit(":", 1)[0] if ":" in image else image
    return repository.lower() in UV_IMAGES


def plain_python_base(image: str) -> str | None:
    """The plain Python image a uv image is built on (see :data:`PLAIN_PYTHON_BASES`).

    Args:
        image: An image reference, such as ``ghcr.io/astral-sh/uv:python3.11-bookworm-slim``.

    Returns:
        ``python:3.11-slim-bookworm``; None for other images, digests and tags without Python.
    """
    if not is_uv_image(image) or "@" in image or ":" not in image:
        return None
    tag = image.rsplit(":", 1)[1]
    tag = re.sub(r"^\d+(\.\d+)*-(?=python)", "", tag)
    for pattern, base in PLAIN_PYTHON_BASES:
        match = pattern.fullmatch(tag)
        if match:
            return base.format(**match.groupdict())
    return None


def installer_packages(install: Install) -> frozenset[str]:
    """The installers a ``pip``/``uv pip`` install installs, when they are all it installs.

    Returns:
        ``{"poetry"}`` for ``pip install "poetry==1.8.3"``; empty for any other install.
    """
    if install.tool not in {"pip", "uv"} or "install" not in install.action:
        return frozenset()
    if any(
        a in {"-r", "-e", "-c"} or a.startswith(("--requirement", "--editable"))
        for a in install.args
    ):
        return frozenset()
    names = set()
    for word in positionals(install.args, frozenset({"-i", "--index-url", "--python", "-p"})):
        match = _PACKAGE_NAME.match(word)
        name = match.group().lower().replace("_", "-") if match else ""
        tool = name if name in INSTALLERS or name == "pipx" else ""
        tool = "poetry" if name.startswith("poetry-plugin-") else tool
        if not tool:
            return frozenset()
        names.add("poetry" if tool == "pipx" else tool)
    return frozenset(names)


def setup_tools(run: RunInstruction) -> tuple[frozenset[str], bool]:
    """The installers a ``RUN`` sets up, and whether setting them up is all it does.

    Setting up is ``pip install poetry`` (or uv, pipenv), an installer's script
    (``curl -sSL https://install.python-poetry.org | python3 -``), ``pipx install poetry`` and
    ``poetry config``/``poetry self``.
    """
    tools: set[str] = set()
    pure = True
    installs = {i.command: i for i in find_installs(run) if i.command is not None}
    if run.exec_form is not None:
        found = find_installs(run)
        names = installer_packages(found[0]) if found else frozenset()
        return names, bool(names)
    for command in run.commands():
        install = installs.get(command)
        argv = command_argv(command.argv)
        name = posixpath.basename(argv[0]) if argv else ""
        if install is not None:
            names = installer_packages(install)
            tools |= names
            pure = pure and bool(names)
        elif name in {"curl", "wget"} and any(_INSTALLER_URL.search(a) for a in argv):
            tools.add("uv" if any("astral.sh" in a for a in argv) else "poetry")
        elif name == "pipx" or (name == "poetry" and argv[1:2] in (["config"], ["self"])):
            tools.add("poetry" if name == "poetry" or "poetry" in argv else "pipx")
        elif name.startswith("python") and argv[1:] in ([], ["-"]) or name in _NEUTRAL:
            continue
        else:
            pure = False
    tools.discard("pipx")
    return frozenset(tools), pure and bool(tools)


def copied_installer(spec: CopySpec) -> str | None:
    """The installer a ``COPY --from`` brings in (``uv`` for uv's binaries), None otherwise."""
    image = spec.flags.get("from", "")
    names = {posixpath.basename(s.rstrip("/")) for s in spec.sources}
    if image and (
        is_uv_image(image) or "astral-sh/uv" in image or names and names <= {"uv", "uvx"}
    ):
        return "uv"
    return None


def env_only_for(names: Sequence[str]) -> str | None:
    """The installer an ``ENV`` only configures (``UV_LINK_MODE``...), None when it sets more."""
    tools = {
        tool for name in names for tool, prefix in _ENV_PREFIXES.items() if name.startswith(prefix)
    }
    prefixed = all(any(n.startswith(p) for p in _ENV_PREFIXES.values()) for n in names)
    return next(iter(tools)) if names and prefixed and len(tools) == 1 else None

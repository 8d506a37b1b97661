"""Synthetic images for the findings tests: exact bytes, a Dockerfile, its history.

:func:`analysed` builds a ``docker save`` export in memory from member lists (see
:mod:`tests.unit.analysis.analysis_archives`) and analyses it with the shipped rules;
the first layer is the base image's (``BASE``: a Debian root with dpkg's status), the
others carry BuildKit's ``created_by`` of the Dockerfile lines given.
"""

from __future__ import annotations

import io
from pathlib import Path

from tests.unit.analysis.analysis_archives import (
    Dir,
    File,
    Member,
    Symlink,
    docker_archive,
    image_config,
    layer_tar,
)
from workbench.analysis import ImageAnalysis, analyze_stream
from workbench.findings import Finding, run_findings
from workbench.findings.model import Removal

STATUS = b"""Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9

"""
BASE: list[Member] = [
    Symlink("bin", "usr/bin"),
    Dir("usr/lib"),
    File("usr/lib/libc.so.6", b"c" * 2000),
    File("usr/local/bin/python3.11", b"p" * 1000),
    File("var/lib/dpkg/status", STATUS),
    File("var/lib/dpkg/info/libc6:amd64.list", b"/usr/lib/libc.so.6\n"),
]
BASE_HISTORY = "/bin/sh -c #(nop) ADD file:rootfs in / "
FROM = "FROM python:3.11-slim-bookworm\n"


def buildkit(instruction: str) -> str:
    """The ``created_by`` BuildKit writes for a Dockerfile instruction."""
    keyword, _, rest = instruction.partition(" ")
    if keyword == "RUN":
        return f"RUN /bin/sh -c {rest} # buildkit"
    if keyword in ("COPY", "ADD"):
        words = [w for w in rest.split() if not w.startswith("--")]
        return f"{keyword} {' '.join(words)} # buildkit"
    return instruction


def analysed(
    layers: list[list[Member]],
    instructions: list[str],
    *,
    base: list[Member] | None = None,
    workdir: str = "/app",
    command: list[str] | None = None,
    app_paths: tuple[str, ...] = (),
) -> ImageAnalysis:
    """The analysis of an image: the base layer, then one layer per instruction."""
    members = [BASE if base is None else base, *layers]
    tars = [layer_tar(m) for m in members]
    history = [BASE_HISTORY, *(buildkit(i) for i in instructions)]
    config = image_config(tars, history=[{"created_by": h} for h in history], workdir=workdir)
    config["config"]["Cmd"] = command or ["python", "-m", "app"]
    return analyze_stream(
        io.BytesIO(docker_archive(tars, config=config)), compress=False, app_paths=app_paths
    )


def dockerfile(instructions: list[str], head: str = "WORKDIR /app\n") -> str:
    """A Dockerfile of the base's FROM, ``head``, then the instructions."""
    return FROM + head + "".join(i + "\n" for i in instructions)


def findings_of(
    layers: list[list[Member]],
    instructions: list[str],
    *,
    rule: str | None = None,
    project_dir: Path | None = None,
    removals: tuple[Removal, ...] = (),
    **options,
) -> list[Finding]:
    """The findings (of one rule, when named) of a synthetic image and its Dockerfile."""
    head = options.pop("head", "WORKDIR /app\n")
    analysis = analysed(layers, instructions, **options)
    found = run_findings(
        analysis,
        dockerfile=dockerfile(instructions, head),
        project_dir=project_dir,
        removals=removals,
    )
    return [f for f in found if rule is None or f.rule == rule]

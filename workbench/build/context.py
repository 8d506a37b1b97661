"""The build context: the project as ``.dockerignore`` filters it, with a variant's files.

Both builders take the same context: a tar stream holding the project, the files a
variant overlays (a pruned ``pyproject.toml`` and its lock), and the variant's Dockerfile
under :data:`DOCKERFILE_NAME`; nothing is written into the user's project.
"""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from docker.utils.build import exclude_paths

from workbench.errors import BuildError

DOCKERFILE_NAME = ".workbench.Dockerfile"


def _dockerignore(root: Path, overlays: Mapping[str, bytes]) -> list[str]:
    """The patterns the context honours: a variant's own ``.dockerignore`` (an overlay,
    say a generated one) over the project's."""
    if ".dockerignore" in overlays:
        text = overlays[".dockerignore"].decode("utf-8", errors="replace")
    elif (root / ".dockerignore").is_file():
        text = (root / ".dockerignore").read_text(encoding="utf-8", errors="replace")
    else:
        return []
    lines = text.splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def make_context(
    project_dir: Path, dockerfile_text: str, extra_files: Mapping[str, bytes] | None = None
) -> IO[bytes]:
    """A build context tar: the project as ``.dockerignore`` filters it, with overlays.

    Args:
        project_dir: the project folder (read, never written).
        dockerfile_text: the Dockerfile to build, stored as :data:`DOCKERFILE_NAME`.
        extra_files: relative path -> content replacing or adding files (e.g. a pruned
            ``pyproject.toml`` and its lock).

    Returns:
        A temporary file positioned at its start.
    """
    overlays = dict(extra_files or {})
    root = str(project_dir)
    files = sorted(
        name
        for name in exclude_paths(
            root, _dockerignore(project_dir, overlays), dockerfile=DOCKERFILE_NAME
        )
        if name not in overlays and name != DOCKERFILE_NAME
    )
    extra = {DOCKERFILE_NAME: dockerfile_text.encode("utf-8"), **overlays}
    context = tempfile.TemporaryFile(prefix="workbench-context-")  # noqa: SIM115 (returned)
    # GNU format: the docker CLI sniffs stdin for a tar and misreads a leading PAX header.
    with tarfile.open(fileobj=context, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name in files:
            path = project_dir / name
            try:
                tar.add(path, arcname=name, recursive=False)
            except OSError as exc:
                raise BuildError(f"cannot read {path} for the build context: {exc}") from exc
        for name, content in extra.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(content), 0o644, int(time.time())
            tar.addfile(info, io.BytesIO(content))
    context.seek(0)
    return context


def label_instruction(labels: Mapping[str, str]) -> str:
    """One ``LABEL`` instruction carrying every label.

    The classic builder turns each label of the API's ``labels`` into a step of its
    own (an image commit each); one instruction at the end of the Dockerfile is one.
    """
    pairs = " ".join(f"{json.dumps(key)}={json.dumps(value)}" for key, value in labels.items())
    return f"\nLABEL {pairs}\n"

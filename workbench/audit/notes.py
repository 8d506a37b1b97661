"""The audit's notes: the sentences shown beside the findings.

What the figures mean and where they came from (an image, or guesses), where the
project's format keeps development dependencies (uv's spelling, Poetry's groups, a
requirements-dev file), and the limits of a static import scan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from workbench.audit.model import Candidate
from workbench.audit.sizes import Sizes

DEV_GROUP_NOTE = (
    "uv's current standard for development dependencies is `[dependency-groups] dev` "
    "(PEP 735; `uv add --dev` writes it); the plan's `[tool.uv.dev-dependencies]` is the "
    "deprecated spelling."
)
POETRY_DEV_NOTE = (
    "Poetry keeps development tools in `[tool.poetry.group.dev.dependencies]`; "
    "`poetry install --without dev` (or `--only main`) leaves them out of the image."
)
REQUIREMENTS_DEV_NOTE = (
    "Development tools belong in a requirements-dev.txt (`-r requirements.txt` plus the "
    "tools) that the Dockerfile does not install."
)
UV_DEV_NOTE = (
    "This pyproject.toml uses `[tool.uv] dev-dependencies`: move them to `[dependency-groups] dev`."
)
NO_IMAGE_NOTE = (
    "No image: module names, console scripts and sizes are guesses; build the baseline "
    "(`workbench build`) and audit again for certain findings and bytes."
)
BYTES_NOTE = (
    "Bytes are what each removal frees in the image: the distribution's files, the "
    "bytecode compiled beside them, its copy in an installer's cache when the image "
    "keeps one, and every dependency nothing remaining needs (uv.lock's graph, else the "
    "Requires-Dist of the image's distributions)."
)
CACHE_NOTE = (
    "This image keeps uv's cache (installs without --no-cache), so each removal "
    "also frees the cached copy; once priority 1 removes the cache, only the "
    "installed part remains to save."
)
NO_LOCK_NOTE = "No uv.lock: a removal counts only the distribution itself."
IMAGE_GRAPH_NOTE = (
    "No uv.lock: what leaves with each removal is read from the image's distributions "
    "(each METADATA's Requires-Dist, markers for the image's Python); what the image "
    "installs besides the declared dependencies stays, with what it needs."
)
STATIC_NOTE = (
    "Static imports only: code that imports by name at run time (plugins, "
    "importlib, strings) can make an 'unused' finding wrong; run the smoke test."
)


def audit_notes(
    pyproject: Mapping[str, Any],
    candidates: Sequence[Candidate],
    sizes: Sizes,
    manifest_format: str = "pep621",
) -> list[str]:
    """The notes for an audit, in the order they are shown.

    Args:
        pyproject: the decoded pyproject.toml.
        candidates: the removals found.
        sizes: the image's bytes (``measured`` False without an image) and the lock graph.
        manifest_format: where the dependencies are declared
            (:attr:`~workbench.project.manifests.Manifests.format`).
    """
    in_pyproject = manifest_format != "requirements"
    tool = (pyproject.get("tool") or {}) if in_pyproject else {}
    uses_uv_dev = "dev-dependencies" in (tool.get("uv") or {})
    dev_note = {"requirements": REQUIREMENTS_DEV_NOTE, "poetry": POETRY_DEV_NOTE}.get(
        manifest_format, DEV_GROUP_NOTE
    )
    if manifest_format == "poetry" and (pyproject.get("project") or {}).get("dependencies"):
        dev_note = DEV_GROUP_NOTE  # Poetry 2 with [project] dependencies
    notes = [dev_note] if uses_uv_dev or any(c.kind == "dev-tool" for c in candidates) else []
    if uses_uv_dev:
        notes.append(UV_DEV_NOTE)
    if not sizes.measured:
        notes.append(NO_IMAGE_NOTE)
    else:
        notes.append(BYTES_NOTE)
        if any(sizes.cached.values()):
            notes.append(CACHE_NOTE)
    if sizes.graph is None:
        notes.append(NO_LOCK_NOTE)
    elif sizes.graph.source == "image":
        notes.append(IMAGE_GRAPH_NOTE)
    notes.append(STATIC_NOTE)
    return notes

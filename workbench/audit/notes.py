"""The audit's notes: the sentences shown beside the findings.

What the figures mean and where they came from (an image, or guesses), the uv
spelling of development dependencies, and the limits of a static import scan.
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
    "keeps one, and every dependency nothing remaining needs (uv.lock's graph)."
)
CACHE_NOTE = (
    "This image keeps uv's cache (installs without --no-cache), so each removal "
    "also frees the cached copy; once priority 1 removes the cache, only the "
    "installed part remains to save."
)
NO_LOCK_NOTE = "No uv.lock: a removal counts only the distribution itself."
STATIC_NOTE = (
    "Static imports only: code that imports by name at run time (plugins, "
    "importlib, strings) can make an 'unused' finding wrong; run the smoke test."
)


def audit_notes(
    pyproject: Mapping[str, Any], candidates: Sequence[Candidate], sizes: Sizes
) -> list[str]:
    """The notes for an audit, in the order they are shown.

    Args:
        pyproject: the decoded pyproject.toml.
        candidates: the removals found.
        sizes: the image's bytes (``measured`` False without an image) and the lock graph.
    """
    uses_uv_dev = "dev-dependencies" in ((pyproject.get("tool") or {}).get("uv") or {})
    notes = [DEV_GROUP_NOTE] if uses_uv_dev or any(c.kind == "dev-tool" for c in candidates) else []
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
    notes.append(STATIC_NOTE)
    return notes

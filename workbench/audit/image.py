"""The image the audit reads, and what it holds.

By default the project's newest baseline build (when the engine has it), named by its
tag when the tag still points at it.  Its facts (:mod:`workbench.audit.distributions`)
are read in one export pass, or taken from the project's last audit of the same image.
Without an engine the audit goes on from the project and its lock alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.audit.distributions import (
    FACTS_FORMAT,
    NO_IMAGE_HINT,
    ImageFacts,
    read_image_facts,
)
from workbench.errors import AuditError, WorkbenchError
from workbench.labels import PROJECT_PATH
from workbench.project import Project
from workbench.store import Store


def audit_image(
    project: Project,
    store: Store,
    *,
    image: str | None = None,
    client: Any = None,
    use_image: bool = True,
    fresh: bool = False,
    facts: ImageFacts | None = None,
) -> tuple[str | None, ImageFacts | None]:
    """The image to audit against and its facts (``(None, None)`` without one).

    Args:
        project: the project.
        store: the store (the newest baseline build, the last audit).
        image: the image asked for; by default the newest baseline build.
        client: a docker client (connected on demand).
        use_image: False audits without an image.
        fresh: read the image again even when an earlier audit of it is stored.
        facts: what an image holds, already read; the engine is then not asked.

    Raises:
        WorkbenchError: an image was asked for and the engine is down.
        AuditError: the engine lacks the image asked for.
    """
    if facts is not None:
        return image or (facts.tags[0] if facts.tags else facts.image_id), facts
    if not use_image:
        return None, None
    if client is None:
        from workbench.engine import connect

        try:
            client = connect()
        except WorkbenchError:
            if image is not None:
                raise  # an image was asked for: say the engine is down
            return None, None  # audit from the project and the lock alone
    if image is None:
        image = default_image(project, store, client)
    if image is None:
        return None, None
    return image, image_facts(client, image, store, project.key, fresh)


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
        if found[ref] is None or not _built_from(found[ref], project):
            continue  # a tag another project of the same folder name built is not this one's
        if found[tag] is not None and found[tag]["Id"] == found[ref]["Id"]:
            return tag  # the same image, under the name people know
        return ref
    return None


def _built_from(inspect: dict[str, Any], project: Project) -> bool:
    """Whether the workbench built this image from this project's folder (by its labels);
    an image without the workbench's labels may be the user's own: it counts."""
    labels = (inspect.get("Config") or {}).get("Labels") or {}
    path = labels.get(PROJECT_PATH)
    return path is None or Path(path).resolve() == project.path.resolve()


def image_facts(
    client: Any, image: str, store: Store, project_key: str, fresh: bool = False
) -> ImageFacts:
    """The image's facts: from the project's last audit of the same image (when it read
    what this version reads), else read.

    Raises:
        AuditError: the engine lacks the image or cannot export it.
    """
    from workbench.engine.images import inspect_image

    image_id = inspect_image(client, image, AuditError, NO_IMAGE_HINT)["Id"]
    if not fresh:
        previous = store.latest_audit(project_key)
        stored = (previous or {}).get("image_facts") or {}
        if (
            previous
            and previous.get("image_id") == image_id
            and stored.get("format") == FACTS_FORMAT
        ):
            return ImageFacts.from_dict(stored)
    return read_image_facts(client, image_id)

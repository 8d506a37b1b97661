"""The fixes a finding names, as transforms of any Dockerfile (not only the baseline).

The optimizer applies them one on top of another: each takes the Dockerfile so far
and the files overlaid on the build context so far, and returns both changed, with
one line saying what changed; a fix with nothing to change says why
(:class:`~workbench.errors.CannotTransform`, one line).

=================  ================================================================
fix                what it does
=================  ================================================================
``no-cache``       installs without a cache, apt lists removed (plan priority 1)
``cache-mount``    installs keep their cache in a BuildKit cache mount
``apt-clean``      a RUN that installs with apt ends by cleaning its cache and lists
``no-recommends``  ``apt-get install`` gets ``--no-install-recommends``
``copy-chown``     ``COPY --chown``/``--chmod`` instead of a later ``RUN chown -R``
``dockerignore``   a ``.dockerignore`` keeps development files out of the context
``multi-stage``    a builder stage installs; the runtime copies what it made
``pruned-deps``    dependencies dropped from the manifests, lock regenerated
=================  ================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import CannotTransform
from workbench.variants.apt_clean import apply_apt_clean
from workbench.variants.apt_clean import unchanged_reason as apt_clean_unchanged
from workbench.variants.cache_mount import apply_cache_mount
from workbench.variants.cache_mount import unchanged_reason as cache_mount_unchanged
from workbench.variants.copy_chown import apply_copy_chown
from workbench.variants.copy_chown import unchanged_reason as copy_chown_unchanged
from workbench.variants.dockerignore import dockerignore_files
from workbench.variants.instructions import Dockerfile, parse
from workbench.variants.model import Transformed
from workbench.variants.multi_stage import apply_multi_stage
from workbench.variants.no_cache import apply_no_cache
from workbench.variants.no_cache import unchanged_reason as no_cache_unchanged
from workbench.variants.no_recommends import apply_no_recommends
from workbench.variants.no_recommends import unchanged_reason as no_recommends_unchanged
from workbench.variants.pruned import prune_dependencies

FIXES: tuple[str, ...] = (
    "no-cache",
    "cache-mount",
    "apt-clean",
    "no-recommends",
    "copy-chown",
    "dockerignore",
    "multi-stage",
    "pruned-deps",
)
"""Every fix a finding can name."""


@dataclass(frozen=True)
class Fixed:
    """A Dockerfile and its overlay files after a fix.

    Attributes:
        dockerfile: the Dockerfile's text.
        extra_files: files overlaid on the build context (relative path -> content).
        summary: what the fix changed, in one line.
    """

    dockerfile: str
    extra_files: Mapping[str, bytes] = field(default_factory=dict)
    summary: str = ""


Transform = Callable[[Dockerfile], Transformed]
Unchanged = Callable[[Dockerfile], str | None]


def _text_fix(
    df: Dockerfile, transform: Transform, unchanged: Unchanged | None, default: str
) -> tuple[str, str]:
    result = transform(df)
    if result.text == df.render():
        reason = unchanged(df) if unchanged is not None else None
        raise CannotTransform(f"nothing to change: {reason}" if reason else default)
    return result.text, "; ".join(result.changes)


def apply_fix(
    name: str,
    dockerfile: str,
    project_dir: Path,
    *,
    extra_files: Mapping[str, bytes] | None = None,
    drop: Sequence[str] = (),
) -> Fixed:
    """Apply one fix to a Dockerfile and its overlay files.

    Args:
        name: one of :data:`FIXES`.
        dockerfile: the Dockerfile so far.
        project_dir: the project (its files are read, never written).
        extra_files: the overlay files so far.
        drop: the dependencies ``pruned-deps`` drops.

    Returns:
        The Dockerfile and overlay files with the fix applied.

    Raises:
        CannotTransform: the fix has nothing to change, or cannot parse the Dockerfile
            (one line saying why); an unknown fix name.
    """
    files = dict(extra_files or {})
    df = parse(dockerfile)
    text_fixes: dict[str, tuple[Transform, Unchanged | None, str]] = {
        "no-cache": (
            apply_no_cache,
            no_cache_unchanged,
            "nothing to change: every install already runs without a cache",
        ),
        "cache-mount": (
            apply_cache_mount,
            cache_mount_unchanged,
            "nothing to change: no install to give a cache mount",
        ),
        "apt-clean": (
            apply_apt_clean,
            apt_clean_unchanged,
            "nothing to change: no apt-get install",
        ),
        "no-recommends": (
            apply_no_recommends,
            no_recommends_unchanged,
            "nothing to change: no apt-get install",
        ),
        "copy-chown": (
            lambda parsed: apply_copy_chown(parsed, project_dir),
            copy_chown_unchanged,
            "nothing to change: no RUN chown/chmod after a COPY",
        ),
        "multi-stage": (apply_multi_stage, None, "nothing to change"),
    }
    if name in text_fixes:
        text, summary = _text_fix(df, *text_fixes[name])
        return Fixed(text, files, summary)
    if name == "dockerignore":
        files, added = dockerignore_files(df, project_dir, files)
        return Fixed(dockerfile, files, f".dockerignore leaves out {', '.join(added)}")
    if name == "pruned-deps":
        if not drop:
            raise CannotTransform("nothing to drop: the audit names no dependency")
        pruned = prune_dependencies(project_dir, drop)
        return Fixed(dockerfile, {**files, **pruned.files()}, pruned.summary())
    raise CannotTransform(f"no fix named {name!r}; fixes: {', '.join(FIXES)}")

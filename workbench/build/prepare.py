"""The Dockerfile a build builds: a variant's text made fit for its builder and its builder stage.

Two things a variant's text leaves to the build, both pure rewrites of that text:

* :func:`for_builder`: the classic builder cannot bind-mount, so a multi-stage variant whose
  final stage reads a builder's wheels from a bind mount is derived again for it (an install
  stage installs the wheels, :mod:`workbench.variants.wheels`); a text that is not the
  workbench's own derivation gets its wheels copied and removed by the install's ``RUN``.
* :func:`resolve_libraries` (from :mod:`workbench.build.libraries`): a runtime that leaves
  build-only packages in the builder gets the libraries the built builder's extensions load.
"""

from __future__ import annotations

from workbench.build.builders import available_builders
from workbench.build.libraries import resolve_libraries
from workbench.errors import WorkbenchError
from workbench.project import Project
from workbench.variants.instructions import parse
from workbench.variants.libraries import apply_plan, has_block
from workbench.variants.multi_stage import apply_multi_stage
from workbench.variants.wheels import copy_then_delete

__all__ = ["for_builder", "for_classic", "has_block", "resolve_libraries"]


def for_builder(project: Project, text: str, builder: str | None) -> str:
    """A variant's Dockerfile as the builder that will build it can take it.

    Args:
        project: The project.
        text: The variant's Dockerfile.
        builder: The builder asked for; None for the preferred one here.

    Returns:
        The text itself for BuildKit; for the classic builder, :func:`for_classic` of it.
    """
    if copy_then_delete(text) == text:  # nothing only BuildKit can do
        return text
    if builder is None:
        builder = available_builders()[0].name
    return for_classic(project, text) if builder == "classic" else text


def for_classic(project: Project, text: str) -> str:
    """The classic builder's form of a Dockerfile whose installs bind-mount a builder's wheels.

    Returns:
        The multi-stage variant derived for the classic builder when the text is the
        workbench's multi-stage variant of the project's Dockerfile; else the text with each
        of the workbench's wheel bind mounts turned into a copy the install removes; the text
        itself when it has none.
    """
    classic = copy_then_delete(text)
    if classic == text:
        return text
    try:
        baseline = parse(project.dockerfile_text())
        ours = apply_multi_stage(baseline).text
    except WorkbenchError:
        return classic
    if apply_plan(ours, None) != apply_plan(text, None):
        return classic
    return apply_multi_stage(baseline, buildkit=False).text

"""The findings of one image: a small dataclass whose :meth:`Core.run` chains the rules.

Each rule is a module of this package with a ``find(context)`` (deptry's
``violations/`` style); :data:`RULES` lists them in the order they are tried.  The
context is read once: where each layer came from, and the scripts the start command
runs (from the project, through the Dockerfile's copies).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from workbench.analysis import ImageAnalysis
from workbench.findings import (
    apt_cache,
    apt_recommends,
    build_tools,
    bytecode,
    chown_duplicate,
    context_files,
    deleted_later,
    installer_cache,
    installer_inputs,
    unused_dependencies,
)
from workbench.findings.lines import layer_sources
from workbench.findings.model import Context, Finding, Removal, ranked
from workbench.findings.scripts import start_scripts

RULES: tuple[ModuleType, ...] = (
    installer_cache,
    apt_cache,
    apt_recommends,
    build_tools,
    installer_inputs,
    chown_duplicate,
    deleted_later,
    context_files,
    unused_dependencies,
    bytecode,
)
"""Every rule, in the order they are tried (the findings are ranked by bytes after)."""
RULE_IDS: tuple[str, ...] = tuple(rule.RULE for rule in RULES)


@dataclass
class Core:
    """One run of the rules over one image.

    Attributes:
        analysis: the image's (stored) analysis.
        dockerfile: the Dockerfile it was built from, ``None`` when unknown.
        project_dir: the project it was built from, ``None`` when unknown.
        removals: what the project's newest dependency audit would drop.
    """

    analysis: ImageAnalysis
    dockerfile: str | None = None
    project_dir: Path | None = None
    removals: tuple[Removal, ...] = ()

    def run(self) -> list[Finding]:
        """Every rule's findings, largest first."""
        context = self._context()
        return ranked([finding for rule in RULES for finding in rule.find(context)])

    def _context(self) -> Context:
        return Context(
            analysis=self.analysis,
            sources=layer_sources(self.analysis.layers, self.dockerfile),
            dockerfile=self.dockerfile,
            project_dir=self.project_dir,
            removals=self.removals,
            scripts=self._scripts(),
        )

    def _scripts(self) -> dict[str, str]:
        """The scripts the start command runs, read from the project."""
        if self.dockerfile is None or self.project_dir is None:
            return {}
        return start_scripts(
            self.analysis.command, self.analysis.workdir, self.dockerfile, self.project_dir
        )


def run_findings(
    analysis: ImageAnalysis,
    *,
    dockerfile: str | None = None,
    project_dir: Path | None = None,
    removals: tuple[Removal, ...] = (),
) -> list[Finding]:
    """The findings of an image, largest first.

    Args:
        analysis: its analysis.
        dockerfile: the Dockerfile it was built from (for the lines), if known.
        project_dir: its project (the start scripts, the .dockerignore), if known.
        removals: what the project's dependency audit would drop, if one ran.

    Returns:
        The findings.
    """
    return Core(analysis, dockerfile, project_dir, removals).run()

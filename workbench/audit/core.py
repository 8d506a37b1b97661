"""The dependency audit (plan priority 2): what the image installs that the app never uses.

:class:`Core` runs the audit as a chain of focused steps, like deptry's own
``Core.run``; each step is a function of its own module:

1. **declared**: the project's dependencies, from its manifests: pyproject.toml (PEP
   621, Poetry, PDM, uv) or its requirements files
   (:func:`workbench.project.manifests.find_manifests` and ``read_declared``);
2. **image facts**: the image audited against and the distributions it holds
   (:mod:`~workbench.audit.image`, :mod:`~workbench.audit.distributions`);
3. **lock graph**: the uv.lock's runtime graph (:mod:`~workbench.audit.graph`), else
   the graph of the image's distributions (:mod:`~workbench.audit.requires`);
4. **sources**: the project folders and files the Dockerfile copies into the image, or
   those given (:mod:`~workbench.audit.sources`);
5. **names**: per distribution, its top-level modules and console scripts, read from
   the image's ``dist-info``, else guessed (:mod:`~workbench.audit.names`);
6. **commands**: the console scripts the image's start command runs
   (:mod:`~workbench.audit.commands`);
7. **deptry**: deptry's import scan and rules, with each imported module described
   against the image's distributions (:mod:`~workbench.audit.imports`);
8. **findings**: removals (:mod:`~workbench.audit.candidates`), overlapping libraries
   (:mod:`~workbench.audit.overlaps`) and warnings (:mod:`~workbench.audit.warnings`);
9. **sizes**: per candidate and in total, the bytes its removal frees in the image
   (:mod:`~workbench.audit.sizes`);
10. **notes**: the sentences shown beside them (:mod:`~workbench.audit.notes`) and
    the plan's estimate.

Every finding says whether it is *certain* (module names and the start command read
from the image) or a *guess*.  The result is an :class:`~workbench.audit.model.Audit`;
:func:`run_audit` keeps it in the store.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workbench.audit.candidates import find_candidates, size_candidates
from workbench.audit.commands import command_uses, start_command
from workbench.audit.dev_tools import dev_group_snippet, dev_home
from workbench.audit.distributions import ImageFacts
from workbench.audit.graph import LockGraph, load_lock
from workbench.audit.image import audit_image
from workbench.audit.imports import Scan, run_deptry
from workbench.audit.model import Audit, Candidate, ScriptUse
from workbench.audit.names import Names, audit_names
from workbench.audit.notes import audit_notes
from workbench.audit.overlaps import find_overlaps
from workbench.audit.requires import image_graph
from workbench.audit.sizes import Sizes
from workbench.audit.sources import CopiedSource, audit_sources
from workbench.audit.warnings import audit_warnings
from workbench.errors import AuditError, WorkbenchError
from workbench.project import Project
from workbench.project.manifests import (
    Declared,
    Manifests,
    find_manifests,
    load_pyproject,
    read_declared,
)
from workbench.store import Store

PLAN_VARIANT = "pruned-deps"


def run_audit(
    project: Project,
    *,
    image: str | None = None,
    client: Any = None,
    store: Store | None = None,
    sources: Sequence[str] | None = None,
    use_image: bool = True,
    fresh: bool = False,
    save: bool = True,
    facts: ImageFacts | None = None,
) -> Audit:
    """Audit a project's dependencies, with sizes from a built image.

    Args:
        project: the project.
        image: the image to read names and sizes from; by default the project's
            newest baseline build (when the engine has it).
        client: a docker client (connected on demand when an image is needed).
        store: the store (default: the workbench's).
        sources: folders/files to scan, relative to the project; by default those
            the Dockerfile copies.
        use_image: False audits from the project and its lock alone (all guesses).
        fresh: read the image again even when an earlier audit of it is stored.
        save: keep the result in the store.
        facts: what an image holds, already read (:func:`read_image_facts`); the
            engine is then not asked.

    Returns:
        The audit.

    Raises:
        AuditError: no manifest (pyproject.toml, requirements files) or an unreadable
            one, an unreadable lock, or a missing image.
    """
    store = store or Store()
    audit = Core(project, store, image, client, sources, use_image, fresh, facts).run()
    if save:
        store.save_audit(project.key, audit.image_id, audit.to_dict())
    return audit


@dataclass
class Core:
    """One audit of one project: :func:`run_audit`'s options, and :meth:`run`.

    Attributes:
        project: the project.
        store: the store (the newest baseline build, the last audit of an image).
        image: the image asked for (by default the newest baseline build).
        client: a docker client (connected on demand).
        sources: folders/files to scan instead of those the Dockerfile copies.
        use_image: False audits from the project and its lock alone.
        fresh: read the image again even when an earlier audit of it is stored.
        facts: what an image holds, already read.
    """

    project: Project
    store: Store
    image: str | None = None
    client: Any = None
    sources: Sequence[str] | None = None
    use_image: bool = True
    fresh: bool = False
    facts: ImageFacts | None = None

    def run(self) -> Audit:
        """Run the steps in order (see the module's docstring) and return the audit.

        Raises:
            AuditError: no manifest or no runtime dependencies in it, an unreadable one
                or lock, a missing image, or no sources to scan.
        """
        manifests = self._manifests()
        pyproject = load_pyproject(manifests.pyproject) if manifests.pyproject else {}
        declared = read_declared(manifests)
        runtime = self._runtime(declared, manifests)
        dockerfile_text = self.project.dockerfile_text()
        image, facts = self._image_facts()
        graph = self._lock_graph(pyproject, runtime, facts)
        copies = audit_sources(self.project, dockerfile_text, self.sources)
        names = audit_names(declared, graph, facts)
        uses, python_m = self._commands(dockerfile_text, copies, names, facts)
        scan = self._deptry(copies, manifests, declared, runtime, names, graph, facts, python_m)
        by_name = {d.name: d for d in runtime}
        from_image = facts is not None
        sizes = Sizes.of(graph, facts)
        home = dev_home(manifests.format, pyproject)
        found = self._candidates(by_name, scan, uses, names, facts, home)
        candidates = size_candidates(found, sizes)
        selected = [c.name for c in candidates if c.selected]
        total_bytes, total_packages = sizes.removal(selected)
        plan_min_bytes, plan_max_bytes = self._plan_estimate()
        return Audit(
            project_path=str(self.project.path),
            project_key=self.project.key,
            image=image,
            image_id=facts.image_id if facts is not None else None,
            names_from="image" if from_image else "guesses",
            sources=tuple(dict.fromkeys(c.source for c in copies)),
            python_files=scan.python_files,
            declared=tuple(by_name),
            candidates=tuple(candidates),
            overlaps=tuple(find_overlaps(by_name, scan, names, sizes, selected)),
            warnings=tuple(audit_warnings(by_name, scan, names, from_image=from_image)),
            script_uses=tuple(uses),
            dev_group=dev_group_snippet(
                [c for c in candidates if c.kind == "dev-tool"], pyproject, manifests.format
            ),
            notes=tuple(audit_notes(pyproject, candidates, sizes, manifests.format)),
            total_bytes=total_bytes,
            total_packages=total_packages,
            total_cached_bytes=sizes.cached_bytes(total_packages),
            plan_min_bytes=plan_min_bytes,
            plan_max_bytes=plan_max_bytes,
            sizes=sizes.sizes,
            cached=sizes.cached,
            frees={name: sizes.removal([name])[0] for name in by_name},
            graph=graph,
            image_facts=facts,
            created_at=time.time(),
        )

    def _manifests(self) -> Manifests:
        """Where the project declares its dependencies."""
        manifests = find_manifests(self.project.path)
        if manifests is None:
            raise AuditError(
                f"{self.project.path} has no pyproject.toml or requirements file; the audit "
                "reads the dependencies there"
            )
        return manifests

    def _runtime(self, declared: Sequence[Declared], manifests: Manifests) -> list[Declared]:
        """The runtime dependencies (optional extras included): what the audit judges."""
        runtime = [d for d in declared if d.group == "runtime" or d.group.startswith("optional:")]
        if not runtime:
            files = ", ".join(manifests.files) or "pyproject.toml"
            raise AuditError(
                f"{files} in {self.project.path} declare no runtime dependencies; nothing to audit"
            )
        return runtime

    def _image_facts(self) -> tuple[str | None, ImageFacts | None]:
        """The image audited against and what it holds (``(None, None)`` without one)."""
        return audit_image(
            self.project,
            self.store,
            image=self.image,
            client=self.client,
            use_image=self.use_image,
            fresh=self.fresh,
            facts=self.facts,
        )

    def _lock_graph(
        self, pyproject: dict[str, Any], runtime: Sequence[Declared], facts: ImageFacts | None
    ) -> LockGraph | None:
        """The uv.lock's runtime graph, its markers for the image's Python; without a lock,
        the graph of the image's distributions (neither: None)."""
        if self.project.lock is None:
            if facts is None:
                return None
            name = (pyproject.get("project") or {}).get("name") or (
                (pyproject.get("tool") or {}).get("poetry") or {}
            ).get("name")
            return image_graph(facts, runtime, str(name) if name else None)
        return load_lock(
            self.project.lock,
            project_name=(pyproject.get("project") or {}).get("name"),
            python_version=(facts.python_version if facts and facts.python_version else None),
            roots=[d.name for d in runtime],
        )

    def _commands(
        self,
        dockerfile_text: str,
        copies: Sequence[CopiedSource],
        names: Names,
        facts: ImageFacts | None,
    ) -> tuple[list[ScriptUse], list[tuple[str, str]]]:
        """The distributions the start command runs, and the modules it runs with ``-m``."""
        start = start_command(dockerfile_text, facts, copies, self.project.path)
        return command_uses(start.argv, start.scripts, start.workdir, names)

    def _deptry(
        self,
        copies: Sequence[CopiedSource],
        manifests: Manifests,
        declared: Sequence[Declared],
        runtime: Sequence[Declared],
        names: Names,
        graph: LockGraph | None,
        facts: ImageFacts | None,
        python_m: Sequence[tuple[str, str]],
    ) -> Scan:
        """deptry's scan, each module described against what the image installs."""
        installed = names.installed(facts, graph, runtime)
        module_map = names.module_map(declared)
        return run_deptry(
            self.project,
            copies,
            module_map,
            installed,
            names.spelled,
            python_m,
            manifests=manifests,
            declared=declared,
        )

    def _candidates(
        self,
        runtime: dict[str, Declared],
        scan: Scan,
        uses: Sequence[ScriptUse],
        names: Names,
        facts: ImageFacts | None,
        home: str,
    ) -> list[Candidate]:
        """The removals: development tools, unused and standard-library names."""
        return find_candidates(
            runtime,
            scan,
            uses,
            names,
            from_image=facts is not None,
            locked=self.project.lock is not None,
            dev_home=home,
        )

    def _plan_estimate(self) -> tuple[int | None, int | None]:
        """The plan's estimate of this task's saving (``(None, None)`` without one)."""
        try:
            plan = self.project.plan()
        except WorkbenchError:
            plan = None
        task = next((t for t in plan.tasks if t.variant == PLAN_VARIANT), None) if plan else None
        return (task.saving.min_bytes, task.saving.max_bytes) if task else (None, None)

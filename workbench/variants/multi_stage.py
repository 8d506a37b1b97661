"""The multi-stage variant (plan priority 3): a builder stage installs the dependencies, the
runtime stage copies only the virtualenv (or the installed tree) and the application.

A single-stage Dockerfile is split in two. One that already has stages gets its final stage
optimised: its installs move into a new stage just before it, or, when it installs no Python
dependencies, it gets the no-cache fixes; the transform refuses only when neither changes it.
How the stage is read and sorted lives in :mod:`~workbench.variants.split`.
"""

from __future__ import annotations

from collections.abc import Sequence

from workbench.errors import CannotTransform
from workbench.variants.build_state import from_image
from workbench.variants.instructions import Dockerfile, parse
from workbench.variants.libraries import LibraryPlan, apply_plan, saved_plan
from workbench.variants.model import Transformed
from workbench.variants.no_cache import apply_no_cache, no_cache_changes
from workbench.variants.split import (
    NO_INSTALL,
    SplitStage,
    actions,
    bodies,
    copied,
    downloads,
    fresh_name,
    from_line,
    is_dependency_install,
    left_out,
    path_dirs,
    prepare,
    runtime_image,
    stage_name,
)
from workbench.variants.targets import wheel_dirs
from workbench.variants.wheels import bind_wheels, wheel_copies

BUILDER_HEADER = (
    "# Builder stage (written by the workbench): installs the Python dependencies, no caches.\n"
)
FINAL_BUILDER_HEADER = (
    "# Install stage (written by the workbench): the final stage's Python dependencies,"
    " no caches.\n"
)
RUNTIME_HEADER = (
    "# Runtime stage: the baseline's other steps, the dependencies copied from the builder.\n"
)


def to_multi_stage(text: str) -> str:
    """Split a Dockerfile's (final) stage into a builder stage and a runtime stage.

    The builder starts from the same base image and runs, in order: ``ARG``, ``ENV``,
    ``WORKDIR`` and ``SHELL`` lines, the installers' set-up (``COPY --from=<uv image>``,
    ``pip install poetry``), the project COPYs and the dependency installs (with their bind
    and cache mounts, without caches), plus apt steps that install build tools or Python
    (:data:`~workbench.variants.split.BUILD_PACKAGES`). The runtime stage keeps every other
    step of the baseline in order (apt of runtime packages, ``useradd``, application COPYs,
    ``USER``, ``ENV``, ``EXPOSE``, ``CMD``...). Its apt lines before the installs lose their
    build-only packages (compilers, ``-dev`` headers: :mod:`~workbench.variants.runtime_apt`)
    unless the runtime runs them; in their place a library block installs what the builder's
    compiled extensions load, as a probe of the built builder reads it when the variant is
    built (:mod:`~workbench.variants.libraries`). Where the last install was, it copies what
    the installs made: the virtualenv; for a system ``pip install``, the tree it wrote with
    ``--root=/install`` (copied onto ``/``); for ``uv pip install --system``,
    ``--prefix=/install`` copied onto ``/usr/local``; for ``--user``, ``~/.local``;
    ``--target``/``--prefix``/``--root`` folders as they are. Wheels only the installs read
    stay in the builder. ``uv sync`` that installs the project gets ``--no-editable``; a
    ``poetry install`` into the system Python fills an in-project virtualenv instead.

    The installers stay in the builder unless the runtime still needs them: ``uv run``,
    ``poetry run`` and ``pipenv run`` become the venv's own commands
    (:mod:`~workbench.variants.runners`), and a runtime ``FROM`` a uv image starts from its
    plain Python base instead (:data:`~workbench.variants.installers.PLAIN_PYTHON_BASES`).
    When an installer stays, the runtime user owns the virtualenv it may sync. The builder
    runs as root (``USER`` and ``--chown`` stay in the runtime, which copies the dependencies
    with the owner the baseline's install had). The result then gets the no-cache transform.

    A Dockerfile that already has stages gets this for its final stage (the new builder goes
    just before it), or, when its final stage installs no Python dependencies, the no-cache
    fixes. A final stage that only pip-installs the wheels an earlier stage built reads them
    from a bind mount instead of a copy (:mod:`~workbench.variants.wheels`).

    Args:
        text: A Dockerfile.

    Returns:
        The multi-stage Dockerfile.

    Raises:
        CannotTransform: The Dockerfile has no Python dependency install, installs in a way the
            builder cannot reproduce, or already has stages and nothing to improve in its
            final one.
    """
    return apply_multi_stage(parse(text)).text


def apply_multi_stage(
    df: Dockerfile, *, libraries: LibraryPlan | None = None, buildkit: bool = True
) -> Transformed:
    """The multi-stage transform of a parsed Dockerfile, with notes saying what moved.

    Args:
        df: The Dockerfile.
        libraries: What the runtime installs instead of the build-only packages the builder
            keeps, as a probe of the built builder read it; None for the plan the last build
            of this variant read (kept under the workbench home), else the pending block that
            a build resolves (:mod:`~workbench.variants.libraries`).
        buildkit: Whether the Dockerfile may use BuildKit's syntax: a final stage that
            installs an earlier stage's wheels then reads them from a bind mount
            (:mod:`~workbench.variants.wheels`); for the classic builder, an install stage of
            their own installs them.

    Raises:
        CannotTransform: See :func:`to_multi_stage`.
    """
    stages = df.stages()
    if len(stages) > 1:
        return _final_stage(df, stages, libraries, buildkit)
    stage = prepare(df, 0)
    builder_name = fresh_name(stage.taken)
    original = stage_name(stage.from_ins)
    top = "".join(df.instructions[i].preamble + df.instructions[i].text for i in df.global_args())
    top += stage.from_ins.preamble
    if top and not top.endswith("\n\n"):
        top += "\n"
    builder, runtime = bodies(stage, builder_name)
    header = BUILDER_HEADER + from_line(stage.from_ins, builder_name) + downloads(stage)
    runtime_from = from_line(stage.from_ins, original or "runtime", runtime_image(stage))
    text = df.head + top + header + builder + RUNTIME_HEADER + runtime_from + runtime + df.tail
    note = f"builder stage runs {actions(stage)} without caches; runtime copies {copied(stage)}"
    return _finish(text, stage, note, builder_name, libraries)


def _final_stage(
    df: Dockerfile, stages: Sequence[Sequence[int]], libraries: LibraryPlan | None, buildkit: bool
) -> Transformed:
    """Optimise the final stage of a Dockerfile that already has stages."""
    count = len(stages)
    try:
        stage = prepare(df, count - 1)
    except CannotTransform as exc:
        return _final_no_cache(df, stages, str(exc))
    bound = _bound_wheels(df, stage, count) if buildkit else None
    if bound is not None:
        return bound
    builder_name = fresh_name(stage.taken)
    first = stages[-1][0]
    before = df.head + "".join(ins.preamble + ins.text for ins in df.instructions[:first])
    if not before.endswith("\n\n"):
        before += "\n"
    builder, runtime = bodies(stage, builder_name)
    header = FINAL_BUILDER_HEADER + from_line(stage.from_ins, builder_name) + downloads(stage)
    from_ins = stage.from_ins
    image = from_image(from_ins)
    runtime_from = from_ins.text.replace(image, runtime_image(stage), 1)
    preamble = from_ins.preamble.lstrip("\n")
    text = before + header + builder + preamble + runtime_from + runtime + df.tail
    note = (
        f"already has {count} stages: a new {builder_name} stage runs {actions(stage)} without"
        f" caches; the final stage copies {copied(stage)}"
    )
    return _finish(text, stage, note, builder_name, libraries)


def _bound_wheels(df: Dockerfile, stage: SplitStage, count: int) -> Transformed | None:
    """The final stage's installs of an earlier stage's wheels, from bind mounts; None when
    it does more than pip-install wheels that stage made (then an install stage does it)."""
    if stage.apt.left or stage.setup or stage.tools:
        return None
    copies = wheel_copies(df, stage.steps, stage.wheels)
    targets = {c.target for c in copies}
    states = {i: state for i, _, state in stage.steps}
    runs = []
    for i, found in stage.installs.items():
        for install in filter(is_dependency_install, found):
            if install.tool != "pip" or not wheel_dirs(install, states[i]) & targets:
                return None
        runs.append(i)
    if not copies or not runs:
        return None
    text, notes = bind_wheels(df, stage.steps, copies, runs)
    no_cache = apply_no_cache(parse(text))
    note = f"already has {count} stages; " + "; ".join(notes)
    return Transformed(no_cache.text, (note, *no_cache.changes))


def _final_no_cache(df: Dockerfile, stages: Sequence[Sequence[int]], why: str) -> Transformed:
    """The no-cache fixes of a final stage whose installs can't move, or say why not."""
    count = len(stages)
    final = _lineage(df, stages)
    changes = no_cache_changes(df)
    notes = [note for i, (_, found) in changes.items() if i in final for note in found]
    line = df.instructions[stages[-1][0]].lineno
    what = "installs no Python dependencies" if why == NO_INSTALL else f"keeps its installs ({why})"
    if not notes:
        raise CannotTransform(
            f"already has {count} stages, and its final stage (line {line}) {what} and keeps no"
            " install cache: nothing to move into a builder"
        )
    note = f"already has {count} stages; its final stage (line {line}) {what}, so it gets the"
    note += f" no-cache fixes: {', '.join(notes)}"
    return Transformed(apply_no_cache(df).text, (note,))


def _lineage(df: Dockerfile, stages: Sequence[Sequence[int]]) -> set[int]:
    """The instructions of the final stage and of the stages it starts FROM."""
    names: dict[str, int] = {}
    for number, indexes in enumerate(stages):
        names[str(number)] = number
        name = stage_name(df.instructions[indexes[0]])
        if name:
            names[name.lower()] = number
    found: set[int] = set()
    number = len(stages) - 1
    while True:
        found |= set(stages[number])
        parent = names.get(from_image(df.instructions[stages[number][0]]).lower())
        if parent is None or parent >= number:
            return found
        number = parent


def _finish(
    text: str, stage: SplitStage, note: str, builder: str, libraries: LibraryPlan | None
) -> Transformed:
    """The no-cache form of the assembled text, its runtime libraries, the notes of what was
    done."""
    omitted = left_out(stage)
    if omitted:
        note += f" and leaves out {', '.join(omitted)}"
    result = apply_no_cache(parse(text)).text
    extras = [stage.base_note] if stage.base_note else []
    extras += stage.apt.kept
    if stage.apt.left:
        result, said = _libraries(result, stage, builder, libraries)
        extras += said
    extras += stage.runners.notes
    if stage.runners.path_dirs:
        extras.append(f'ENV PATH="{":".join(path_dirs(stage))}:$PATH" added for them')
    extras += stage.notes
    extras += [f"{tool} stays in the runtime ({why})" for tool, why in stage.stays.items()]
    return Transformed(result, (note, *extras))


def _listed(words: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else words[0]


def _libraries(
    text: str, stage: SplitStage, builder: str, plan: LibraryPlan | None
) -> tuple[str, list[str]]:
    """The text with its library block resolved (when a plan is known), and the notes."""
    lines = [str(stage.df.instructions[i].lineno) for i in stage.apt.left]
    where = f"line {lines[0]}" if len(lines) == 1 else f"lines {_listed(lines)}"
    said = [f"{_listed(stage.apt.packages())} stay in the {builder} stage (build-only, {where})"]
    when = "read from the builder stage"
    if plan is None:
        plan = saved_plan(text)
        when = f"read from the {builder} stage at its last build, and again at each build"
    if plan is None:
        said.append(
            "the runtime libraries the builder's extensions load are resolved when the variant"
            f" is built (read from the built {builder} stage, installed in the runtime instead)"
        )
        return text, said
    said.append(f"{plan.summary()} ({when})")
    return apply_plan(text, plan), said

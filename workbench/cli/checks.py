"""``workbench smoke`` and ``workbench check``: does the image still work, is it within budget.

``workbench smoke IMAGE`` exits 0 when the image answers, 1 when it does not, 2 when the
test cannot run (a malformed ``--env``, a missing ``--env-file``...); ``workbench check
IMAGE`` exits 0 within the budget, 1 over it, 2 on an error.
"""

from __future__ import annotations

import shlex
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer

from workbench.cli.common import EXIT_FOUND, JsonOption, fail, friendly, print_json
from workbench.units import parse_size

if TYPE_CHECKING:
    from workbench.checks.budget import BudgetResult, Limits
    from workbench.checks.growth import GrowthResult

MaxSizeOption = Annotated[
    str | None, typer.Option(metavar="SIZE", help="Most bytes the image may have, e.g. 1GB.")
]

MaxCompressedOption = Annotated[
    str | None,
    typer.Option(metavar="SIZE", help="Most compressed bytes (registry size), e.g. 300MB."),
]

MaxShadowedOption = Annotated[
    str | None,
    typer.Option(metavar="SIZE", help="Most bytes later layers may hide, e.g. 10MiB."),
]

StatusOption = Annotated[
    int | None, typer.Option(metavar="N", help="The HTTP status expected (default: any 2xx/3xx).")
]

EnvOption = Annotated[
    list[str] | None,
    typer.Option("--env", metavar="KEY=VALUE", help="A variable for the container (repeatable)."),
]

EnvFileOption = Annotated[
    str | None,
    typer.Option(metavar="PATH", help="A file of KEY=VALUE lines (# comments allowed)."),
]

CommandOption = Annotated[
    str | None,
    typer.Option(metavar="WORDS", help="Run this instead of the image's CMD (shell words)."),
]

EntrypointOption = Annotated[
    str | None,
    typer.Option(
        metavar="WORDS", help='Replace the image\'s ENTRYPOINT (shell words; "" for none).'
    ),
]

CheckOption = Annotated[
    str | None,
    typer.Option(
        metavar="WORDS",
        help="A check to run inside the container instead of the HTTP probe (shell words).",
    ),
]


def register(app: typer.Typer) -> None:
    """Add the check commands to the `workbench` app."""
    app.command("smoke")(friendly(smoke_command))
    app.command("check")(friendly(check_command))


def smoke_command(
    image: Annotated[str, typer.Argument(help="The image: tag or id.")],
    path: Annotated[
        str | None, typer.Option(help="HTTP path to probe (default: the project's, /health).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Container port (default: the project's, else exposed).")
    ] = None,
    status: StatusOption = None,
    env: EnvOption = None,
    env_file: EnvFileOption = None,
    command: CommandOption = None,
    entrypoint: EntrypointOption = None,
    check: CheckOption = None,
    cmd: Annotated[str | None, typer.Option("--cmd", hidden=True)] = None,
    timeout: Annotated[
        float | None, typer.Option(help="Seconds to wait for ready (default: the project's, 60).")
    ] = None,
    show_log: Annotated[
        bool, typer.Option("--show-log", help="Print the container's log tail on failure.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Run an image and check that it answers; never leaves a container.

    Settings not given come from the project the image was built from: the smoke table
    of its plan.toml, with the overrides saved in the workbench. Environment values are
    never printed or stored: the log tail shows them as ****.

    Exit codes: 0 passed, 1 failed, 2 the test could not run.
    """
    from workbench.checks.smoke import run_smoke

    if check is not None and cmd is not None:
        fail("--cmd is the old name of --check; give one of them")
    result = run_smoke(
        image,
        path=path,
        port=port,
        status=status,
        timeout_s=timeout,
        env=_env_pairs(env),
        env_file=env_file,
        command=_words("--command", command),
        entrypoint=_words("--entrypoint", entrypoint),
        check=_words("--check" if cmd is None else "--cmd", check if cmd is None else cmd),
    )
    if as_json:
        print_json(result.to_dict())
        raise typer.Exit(0 if result.passed else EXIT_FOUND)
    if result.passed:
        typer.echo(f"{image}: {result.summary()}")
        return
    if show_log and result.log_tail:
        typer.echo(result.log_tail, err=True)
    fail(f"smoke test of {image} {result.summary()}", code=EXIT_FOUND)


def _env_pairs(pairs: list[str] | None) -> dict[str, str] | None:
    """``--env KEY=VALUE`` options as variables; a malformed one is one line (exit 2).

    The message says which ``--env`` is wrong by its place, never showing what it holds.
    """
    if not pairs:
        return None
    env = {}
    for number, pair in enumerate(pairs, start=1):
        key, sep, value = pair.partition("=")
        if not sep or not key:
            fail(f"--env takes KEY=VALUE; --env number {number} has no `=` or no name")
        env[key] = value
    return env


def _words(option: str, text: str | None) -> list[str] | None:
    """An option's text split as a shell splits words; unbalanced quotes are one line."""
    if text is None:
        return None
    try:
        return shlex.split(text)
    except ValueError as exc:
        fail(f"{option}: {exc}")
    return None  # not reached: fail exits


def _size(option: str, text: str | None) -> int | None:

    if text is None:
        return None
    try:
        return parse_size(text)
    except ValueError as exc:
        fail(f"{option}: {exc}")
    return None  # not reached: fail exits


AgainstOption = Annotated[
    str | None,
    typer.Option(
        metavar="REF",
        help="A reference image (tag, id or PROJECT_DIR:VARIANT) to check growth against.",
    ),
]

MaxGrowthOption = Annotated[
    str | None,
    typer.Option(metavar="LIMIT", help="Most the size may grow against --against: 5% or 20MB."),
]

MaxGrowthComponentOption = Annotated[
    list[str] | None,
    typer.Option(
        metavar="COMPONENT=LIMIT",
        help="Most a component may grow, e.g. python_dependencies=10MB (repeatable).",
    ),
]

FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format", metavar="FORMAT", help="text, json or markdown (a pull-request comment)."
    ),
]

FORMATS = ("text", "json", "markdown")


def check_command(
    image: Annotated[str, typer.Argument(help="An image: tag, id or PROJECT_DIR:VARIANT.")],
    max_size: MaxSizeOption = None,
    max_compressed: MaxCompressedOption = None,
    min_efficiency: Annotated[
        float | None, typer.Option(metavar="F", help="Least efficiency, 0..1 (e.g. 0.95).")
    ] = None,
    max_shadowed: MaxShadowedOption = None,
    against: AgainstOption = None,
    max_growth: MaxGrowthOption = None,
    max_growth_component: MaxGrowthComponentOption = None,
    output_format: FormatOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check an image against a size budget, and its growth against a reference: exit 0
    within the limits, 1 over them, 2 on error.

    Sizes take B, kB, MB, GB (decimal) or KiB, MiB, GiB (binary).

    A growth limit is a size, or a percentage of the reference's figure (5%).

    Compressed is the registry's size (after `workbench push`), else the gzip estimate.
    """
    from workbench.checks import budget, growth

    shown = _format(output_format, as_json)
    limits = budget.Limits(
        max_size=_size("--max-size", max_size),
        max_compressed=_size("--max-compressed", max_compressed),
        min_efficiency=min_efficiency,
        max_shadowed=_size("--max-shadowed", max_shadowed),
    )
    growth_limits = growth.GrowthLimits(
        total=growth.parse_growth(max_growth) if max_growth is not None else None,
        components=tuple(growth.parse_component_growth(t) for t in max_growth_component or ()),
    )
    if against is None and not growth_limits.empty:
        fail("--max-growth and --max-growth-component need --against REF, the image to grow from")
    if limits.empty and against is None:
        fail(
            "name at least one limit: --max-size, --max-compressed, --min-efficiency, "
            "--max-shadowed, or --against REF with --max-growth"
        )
    grown = growth.evaluate_growth(image, against, growth_limits) if against is not None else None
    checked = None if limits.empty else _budget(image, limits, grown)
    _show(shown, checked, grown)
    if (checked is not None and not checked.within_budget) or (
        grown is not None and not grown.within_limits
    ):
        raise typer.Exit(EXIT_FOUND)


def _format(output_format: str | None, as_json: bool) -> str:
    """The output format: ``--format``, ``--json`` (the same as ``--format json``), or text."""
    if output_format is not None and output_format not in FORMATS:
        fail(f"--format takes {', '.join(FORMATS)}, not {output_format!r}")
    if as_json and output_format not in (None, "json"):
        fail(f"--json and --format {output_format} disagree; give one of them")
    return "json" if as_json else output_format or "text"


def _budget(image: str, limits: Limits, grown: GrowthResult | None) -> BudgetResult:
    """The budget check of the image: by the id the growth check found, or the newest
    build's for PROJECT_DIR:VARIANT, else by the name given."""
    from workbench import engine
    from workbench.checks import budget
    from workbench.compare.sides import resolve, split_variant
    from workbench.store import Store

    ref = image
    if grown is not None:
        ref = grown.diff.b.image_id
    elif split_variant(image) is not None:
        ref = resolve(image, store=Store()).image_id
    result = budget.evaluate_image(engine.connect(), ref, limits)
    return replace(result, image=image)


def _show(shown: str, checked: BudgetResult | None, grown: GrowthResult | None) -> None:
    """Print the results as text, JSON or the pull-request comment."""
    from workbench.checks import budget, comment, growth

    if shown == "markdown":
        typer.echo(comment.render_markdown(grown, checked), nl=False)
    elif shown == "json":
        if grown is None:
            assert checked is not None
            print_json(checked.to_dict())
            return
        print_json(
            {
                "image": grown.image,
                "against": grown.against,
                "within_limits": grown.within_limits and (checked is None or checked.within_budget),
                "budget": checked.to_dict() if checked is not None else None,
                "growth": grown.to_dict(),
            }
        )
    else:
        lines = budget.render_text(checked) if checked is not None else []
        if grown is not None:
            lines += growth.render_text(grown)
        for line in lines:
            typer.echo(line)

"""``workbench smoke`` and ``workbench check``: does the image still work, is it within budget.

``workbench smoke IMAGE`` exits 0 when the image answers, 1 when it does not, 2 when the
test cannot run; ``workbench check IMAGE`` exits 0 within the budget, 1 over it, 2 on an
error.
"""

from __future__ import annotations

from typing import Annotated

import typer

from workbench.cli.common import EXIT_FOUND, JsonOption, fail, friendly, print_json
from workbench.units import parse_size

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


def register(app: typer.Typer) -> None:
    """Add the check commands to the `workbench` app."""
    app.command("smoke")(friendly(smoke_command))
    app.command("check")(friendly(check_command))


def smoke_command(
    image: Annotated[str, typer.Argument(help="The image: tag or id.")],
    path: Annotated[
        str | None, typer.Option(help="HTTP path to probe (default: the plan's, /health).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Container port (default: the plan's, else exposed).")
    ] = None,
    cmd: Annotated[
        str | None,
        typer.Option("--cmd", help="A check to run inside the container instead (shell words)."),
    ] = None,
    timeout: Annotated[
        float | None, typer.Option(help="Seconds to wait for ready (default: the plan's, 60).")
    ] = None,
    show_log: Annotated[
        bool, typer.Option("--show-log", help="Print the container's log tail on failure.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Run an image with its own command and check that it answers; never leaves a container.

    Exit codes: 0 passed, 1 failed, 2 the test could not run.
    """
    import shlex

    from workbench.checks.smoke import run_smoke

    command = shlex.split(cmd) if cmd else None
    result = run_smoke(
        image,
        path=path,
        port=port,
        command=command,
        timeout_s=timeout,
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


def _size(option: str, text: str | None) -> int | None:

    if text is None:
        return None
    try:
        return parse_size(text)
    except ValueError as exc:
        fail(f"{option}: {exc}")
    return None  # not reached: fail exits


def check_command(
    image: Annotated[str, typer.Argument(help="An image: tag or id.")],
    max_size: MaxSizeOption = None,
    max_compressed: MaxCompressedOption = None,
    min_efficiency: Annotated[
        float | None, typer.Option(metavar="F", help="Least efficiency, 0..1 (e.g. 0.95).")
    ] = None,
    max_shadowed: MaxShadowedOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check an image against a size budget: exit 0 within it, 1 over it, 2 on error.

    Sizes take B, kB, MB, GB (decimal) or KiB, MiB, GiB (binary).

    Compressed is the registry's size (after `workbench push`), else the gzip estimate.
    """
    from workbench import engine
    from workbench.checks import budget

    limits = budget.Limits(
        max_size=_size("--max-size", max_size),
        max_compressed=_size("--max-compressed", max_compressed),
        min_efficiency=min_efficiency,
        max_shadowed=_size("--max-shadowed", max_shadowed),
    )
    if limits.empty:
        fail(
            "name at least one limit: --max-size, --max-compressed, --min-efficiency "
            "or --max-shadowed"
        )
    result = budget.evaluate_image(engine.connect(), image, limits)
    if as_json:
        print_json(result.to_dict())
    else:
        for line in budget.render_text(result):
            typer.echo(line)
    if not result.within_budget:
        raise typer.Exit(EXIT_FOUND)

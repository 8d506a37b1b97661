"""``workbench smoke`` and ``workbench check``: does the image still work, is it within budget.

``workbench smoke IMAGE`` exits 0 when the image answers, 1 when it does not, 2 when the
test cannot run (a malformed ``--env``, a missing ``--env-file``...); ``workbench check
IMAGE`` exits 0 within the budget, 1 over it, 2 on an error.
"""

from __future__ import annotations

import shlex
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

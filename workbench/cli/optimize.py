"""``workbench optimize``: the smallest image that still works, found and proven.

Each fix the findings name is built on top of those kept before it and smoke-tested;
the kept fixes are built together as the ``optimized`` variant.  Progress goes to
stderr; Ctrl-C cancels the run (what it measured is kept).  Exit 0 when the optimized
image was built and passed its smoke test, 1 when no fix could be kept or it failed,
2 on an error.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from workbench.cli.common import (
    EXIT_FOUND,
    EXIT_INTERRUPTED,
    JsonOption,
    echo_err,
    fail,
    friendly,
    print_json,
)
from workbench.units import human_bytes

POLL_S = 0.5


def register(app: typer.Typer) -> None:
    """Add the optimize command to the `workbench` app."""
    app.command("optimize")(friendly(optimize_command))


def optimize_command(
    project: Annotated[Path, typer.Argument(help="The project folder.")],
    as_json: JsonOption = False,
) -> None:
    """Build each fix the findings name, keep those that work and save bytes, then all."""
    from workbench import engine
    from workbench.findings.optimization import Optimization
    from workbench.findings.optimize import cancel_optimize, start_optimize
    from workbench.findings.runs import get_run
    from workbench.project import load_project
    from workbench.store import Store

    loaded = load_project(project)
    engine.connect()
    store = Store()
    run_id = start_optimize(loaded, store=store, client_factory=engine.connect)
    seen = None
    try:
        while True:
            run = get_run(store, run_id)
            if run is None or run.finished:
                break
            state = (run.step, run.current)
            if state != seen and run.current:
                seen = state
                echo_err(f"[optimize] step {run.step} of {run.steps_total or '?'}: {run.current}")
            time.sleep(POLL_S)
    except KeyboardInterrupt:
        cancel_optimize(run_id, store)
        fail("interrupted; the optimize run is cancelled", code=EXIT_INTERRUPTED)
    run = get_run(store, run_id)
    result = Optimization.from_dict(run.result) if run and run.result else None
    if run is None or result is None:
        fail(f"the optimize run {run.status if run else 'vanished'}: {run.error if run else ''}")
    if as_json:
        print_json({"status": run.status, "error": run.error, **result.to_dict()})
    else:
        _print(result)
    if run.status != "succeeded":
        fail(f"the optimize run {run.status}: {run.error}")
    if result.optimized is None or result.optimized.status != "kept":
        raise typer.Exit(EXIT_FOUND)


def _print(result) -> None:
    base = result.baseline
    typer.echo(f"{'baseline':12} {human_bytes(base.size_bytes or 0):>11}  smoke {base.smoke}")
    for step in result.steps:
        saved = f"-{human_bytes(step.saved_bytes)}" if step.saved_bytes else ""
        took = f" {step.build_s:.0f} s" if step.build_s is not None else ""
        typer.echo(
            f"{step.fix:12} {saved:>11}  {step.status:8} smoke {step.smoke}{took}"
            + (f"  ({step.reason})" if step.reason else "")
        )
        if step.status == "dropped" and step.smoke == "failed":
            for line in step.smoke_log.splitlines()[-5:]:
                typer.echo(f"    | {line}")
    final = result.optimized
    if final is not None:
        typer.echo(
            f"{'optimized':12} {human_bytes(final.size_bytes or 0):>11}  smoke {final.smoke}; "
            f"saved {human_bytes(result.saved_bytes or 0)} "
            f"({'adds up' if result.adds_up else 'does not add up'} to the byte)"
        )
    for note in result.notes:
        typer.echo(f"note: {note}")
    if result.diff:
        typer.echo("")
        typer.echo(result.diff.rstrip("\n"))

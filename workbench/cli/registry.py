"""``workbench registry up|down|status`` and ``workbench push``: measured compressed sizes."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from workbench.cli.common import JsonOption, echo_err, friendly, print_json
from workbench.units import UNITS_NOTE, human_bytes

RegistryOption = Annotated[
    str | None,
    typer.Option(
        "--registry",
        help="HOST[:PORT] of the registry (default: WORKBENCH_REGISTRY, else the "
        "workbench's own on 127.0.0.1).",
    ),
]
PortOption = Annotated[
    int | None,
    typer.Option("--port", min=1, max=65535, help="Port on 127.0.0.1 (default 5000)."),
]


def register(app: typer.Typer) -> None:
    """Add the registry commands to the `workbench` app."""
    registry_app = typer.Typer(
        help="The workbench's own registry (Debian's docker-registry on 127.0.0.1), "
        "for measured compressed sizes.",
        no_args_is_help=True,
    )
    app.add_typer(registry_app, name="registry")
    registry_app.command("up")(friendly(registry_up))
    registry_app.command("down")(friendly(registry_down))
    registry_app.command("status")(friendly(registry_status))
    app.command("push")(friendly(push_command))


def _print_status(current: Any) -> None:
    if current.managed:
        typer.echo(
            f"registry answers at {current.address} (pid {current.pid}, data in "
            f"{current.data_dir}, log {current.log_path})"
        )
    else:
        typer.echo(f"registry answers at {current.address} (not started by the workbench)")


def registry_up(
    port: PortOption = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for it to answer.")] = 30,
    as_json: JsonOption = False,
) -> None:
    """Start the workbench's registry on 127.0.0.1 (no auth, data under the home)."""
    from workbench import registry

    current = registry.up(port=port, timeout_s=timeout, log=echo_err)
    if as_json:
        print_json(current.to_dict())
    else:
        _print_status(current)


def registry_down(port: PortOption = None) -> None:
    """Stop the workbench's registry; its data stays."""
    from workbench import registry

    running_port = registry.configured_port()
    if port is not None and running_port is not None and port != running_port:
        typer.echo(f"the workbench's registry is configured for port {running_port}, not {port}")
        return
    if registry.down(log=echo_err):
        typer.echo("registry stopped")
    else:
        typer.echo("the workbench's registry was not running")


def registry_status(port: PortOption = None, as_json: JsonOption = False) -> None:
    """Say whether the workbench's registry answers (exit 1 when it does not)."""
    from workbench import registry

    current = registry.status(port)
    if as_json:
        print_json(current.to_dict())
    elif current.answers:
        _print_status(current)
    else:
        typer.echo(f"no registry answers at {current.address}; start one: workbench registry up")
    if not current.answers:
        raise typer.Exit(1)


def push_command(
    image: Annotated[str, typer.Argument(help="An image: tag or id.")],
    registry_address: RegistryOption = None,
    as_json: JsonOption = False,
) -> None:
    """Push an image to a registry and measure what it stores (compressed, per layer)."""
    from workbench import engine, registry

    client = engine.connect()
    announced: set[tuple[str, str]] = set()

    def progress(message: dict[str, Any]) -> None:
        state = str(message.get("status", ""))
        key = (str(message.get("id", "")), state)
        if message.get("id") and not message.get("progressDetail") and key not in announced:
            announced.add(key)
            echo_err(f"[{key[0]}] {state}")

    result = registry.push_image(
        client, image, registry_address, progress=None if as_json else progress, log=echo_err
    )
    if as_json:
        print_json(result.to_dict())
        return
    reused = f", {result.layers_reused} layer(s) already there" if result.layers_reused else ""
    typer.echo(
        f"pushed {image} to {result.reference} in {result.seconds:.1f} s{reused}; "
        f"manifest {result.manifest_digest[:19]}"
    )
    for layer in result.layers:
        typer.echo(f"  layer {layer.index:<3} {human_bytes(layer.size):>10}  {layer.digest[:19]}")
    typer.echo(
        f"measured compressed size: {human_bytes(result.total_bytes)} "
        f"({result.total_bytes:,} bytes in {len(result.layers)} layer(s); config blob "
        f"{result.config_bytes:,} bytes, not counted)"
    )
    typer.echo(UNITS_NOTE)

"""``workbench analyze``: one image's size, byte for byte, by component."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbench.cli.common import fail, friendly, print_json
from workbench.units import human_bytes


def register(app: typer.Typer) -> None:
    """Add the analysis command to the `workbench` app."""
    app.command("analyze")(friendly(analyze_command))


def analyze_command(
    image: Annotated[str, typer.Argument(help="An image: tag or id.")],
    no_compress: Annotated[
        bool, typer.Option("--no-compress", help="Skip the compressed-size estimate.")
    ] = False,
    rules: Annotated[
        Path | None, typer.Option(help="A component rules file (TOML) instead of the shipped one.")
    ] = None,
    dockerfile: Annotated[
        Path | None,
        typer.Option(help="The Dockerfile the image came from (for the application paths)."),
    ] = None,
    fresh: Annotated[bool, typer.Option("--fresh", help="Ignore a stored analysis.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Break an image's size down by component, layer and package, to the byte."""
    from workbench.analysis import COMPONENT_LABELS, load_rules
    from workbench.analysis import stored as analyses

    text = None
    if dockerfile is not None:
        try:
            text = dockerfile.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            fail(f"cannot read {dockerfile}: {reason}; pass the Dockerfile the image came from")
    if rules is not None:
        load_rules(rules)  # a malformed rules file is named before the engine is asked
    from workbench.analysis.engine_api import local_engine

    client = local_engine()  # the local socket without the docker SDK (~0.45 s to import)
    if client is None:
        from workbench import engine

        client = engine.connect()  # any other engine; names the one that does not answer
    result = analyses.analyze(
        client,
        image,
        compress=not no_compress,
        rules=rules,
        dockerfile_text=text,
        use_cache=not fresh,
    )
    if as_json:
        print_json(result.to_dict())
        return
    typer.echo(
        f"{image} ({result.image_id[:19]}): {human_bytes(result.size_bytes)} "
        f"({result.size_bytes:,} bytes); a container sees {human_bytes(result.final_bytes)}"
    )
    if result.stand_in_base:
        typer.echo(f"built on a local stand-in of {result.stand_in_base}")
    for name, size in sorted(result.components.items(), key=lambda item: -item[1]):
        share = size / result.size_bytes * 100 if result.size_bytes else 0
        typer.echo(
            f"  {COMPONENT_LABELS.get(name, name):28} {human_bytes(size):>10} {share:5.1f} %"
        )
    if result.compressed.gzip_bytes is not None:
        typer.echo(f"compressed (estimate): {human_bytes(result.compressed.gzip_bytes)}")
    typer.echo(f"efficiency {result.efficiency:.4f}, wasted {human_bytes(result.wasted_bytes)}")
    if result.engine_size_note:
        typer.echo(result.engine_size_note)

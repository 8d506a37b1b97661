"""``workbench diff A B``: image B against image A, by component, layer, package and file.

A and B are tags, image ids or a project's variant (``PROJECT_DIR:VARIANT``: the newest
build of that variant in the store).  Stored analyses are used; an image never analysed
is analysed first.  Exit codes: 0 done, 2 an image cannot be found or read.
"""

from __future__ import annotations

from typing import Annotated

import typer

from workbench.cli.common import fail, friendly, print_json

ImageArgument = Annotated[
    str, typer.Argument(help="A tag, an image id, or PROJECT_DIR:VARIANT (its newest build).")
]


def register(app: typer.Typer) -> None:
    """Add the diff command to the `workbench` app."""
    app.command("diff")(friendly(diff_command))


def diff_command(
    a: ImageArgument,
    b: ImageArgument,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print Markdown.")] = False,
    no_files: Annotated[
        bool,
        typer.Option(
            "--no-files",
            help="Leave out the file and folder changes (they need a second look at each "
            "image the first time).",
        ),
    ] = False,
    top: Annotated[
        int, typer.Option(metavar="N", help="How many of the largest files and folders to list.")
    ] = 20,
) -> None:
    """Compare two images: B minus A, to the byte.

    The total, each component (its Python packages, Debian packages and the rest), the
    layers the two share and those new or gone, every package added, removed, changed,
    grown or shrunk, and the largest file and folder changes. Every figure adds up.
    """
    from workbench.compare.diff_report import diff_markdown, render_text
    from workbench.compare.sides import diff_refs

    if as_json and markdown:
        fail("give --json or --markdown, not both")
    if top < 1:
        fail(f"--top takes a positive number, not {top}")
    diff = diff_refs(a, b, files=not no_files, top=top)
    if as_json:
        print_json(diff.to_dict())
    elif markdown:
        typer.echo(diff_markdown(diff), nl=False)
    else:
        for line in render_text(diff):
            typer.echo(line)

"""Layers aligned with the Dockerfile lines that made them."""

from __future__ import annotations

from workbench.analysis import LayerAnalysis
from workbench.findings.lines import FROM, LayerSource, layer_sources, layer_step


def _layers(*created_by: str) -> list[LayerAnalysis]:
    return [LayerAnalysis(i, "", c, 0, {}, 0, 0, 0) for i, c in enumerate(created_by)]


DOCKERFILE = """\
FROM python:3.11-slim-bookworm AS base
ENV A=1
FROM base
COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv
WORKDIR /app
ENV HOME=/home/app
RUN apt-get update \\
 && apt-get install -y curl
COPY --chown=app:app . $HOME/web
RUN chown -R app:app $HOME/web
"""


def test_buildkit_layers_map_to_their_lines_and_the_base_to_from() -> None:
    layers = _layers(
        "(Imported from -)",
        "/bin/sh -c #(nop) COPY file:abc in /etc/x ",
        "COPY /uv /bin/uv # buildkit",
        "WORKDIR /app",
        "RUN /bin/sh -c apt-get update  && apt-get install -y curl # buildkit",
        "COPY . /home/app/web # buildkit",
        "RUN /bin/sh -c chown -R app:app $HOME/web # buildkit",
    )
    sources = layer_sources(layers, DOCKERFILE)
    assert [(s.keyword, s.line, s.base, s.copies_context) for s in sources] == [
        (FROM, 1, True, False),
        (FROM, 1, True, False),
        ("COPY", 4, False, False),
        ("WORKDIR", 5, False, False),
        ("RUN", 7, False, False),
        ("COPY", 9, False, True),
        ("RUN", 10, False, False),
    ]
    assert sources[4].text == "RUN apt-get update && apt-get install -y curl"


def test_classic_layers_and_an_instruction_without_a_layer() -> None:
    dockerfile = "FROM debian\nWORKDIR /app\nCOPY app.py /app/\nRUN pip install six\n"
    layers = _layers(
        "/bin/sh -c #(nop) ADD file:rootfs in / ",
        "/bin/sh -c #(nop) COPY file:123 in /app/ ",
        "|1 X=y /bin/sh -c pip install six",
    )
    sources = layer_sources(layers, dockerfile)
    assert [(s.keyword, s.line) for s in sources] == [(FROM, 1), ("COPY", 3), ("RUN", 4)]


def test_without_a_dockerfile_layers_keep_their_history() -> None:
    layers = _layers("(Imported from -)", "RUN /bin/sh -c uv sync # buildkit")
    assert layer_sources(layers, None) == (
        LayerSource(0, FROM, None, "(Imported from -)", True),
        LayerSource(1, "RUN", None, "RUN /bin/sh -c uv sync # buildkit"),
    )
    assert layer_sources(layers, "not a dockerfile")[1].line is None


def test_layer_step_reads_both_builders() -> None:
    assert layer_step("RUN /bin/sh -c echo hi # buildkit") == ("RUN", "echo hi")
    assert layer_step("RUN |2 A=1 B=2 /bin/sh -c make # buildkit") == ("RUN", "make")
    assert layer_step("/bin/sh -c #(nop) WORKDIR /srv") == ("WORKDIR", "/srv")
    assert layer_step("/bin/sh -c apt-get update") == ("RUN", "apt-get update")
    assert layer_step("(Imported from -)") == ("", "(Imported from -)")

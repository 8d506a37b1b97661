"""Pushes without an engine: target references, stored pushes, a registry that is down."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from tests.unit.registry import free_port
from workbench import engine
from workbench.cli import app
from workbench.registry.push import PushedLayer, measured_push, target_reference
from workbench.store import Store

IMAGE_ID = "sha256:" + "fe721b733e53" + "0" * 52


@pytest.mark.parametrize(
    "ref, expected",
    [
        ("workbench/elevendops:baseline", ("R/workbench/elevendops", "baseline")),
        ("debian:bookworm-slim", ("R/workbench/debian", "bookworm-slim")),
        ("library/debian", ("R/workbench/debian", "latest")),
        ("ghcr.io/astral-sh/uv:latest", ("R/workbench/astral-sh/uv", "latest")),
        ("localhost:5000/team/app:v1", ("R/workbench/team/app", "v1")),
        ("fe721b733e53", ("R/workbench/image", "id-fe721b733e53")),
        (IMAGE_ID, ("R/workbench/image", "id-fe721b733e53")),
        ("app@sha256:" + "1" * 64, ("R/workbench/image", "id-fe721b733e53")),
    ],
)
def test_images_go_under_workbench_in_the_registry(ref: str, expected) -> None:
    assert target_reference(ref, IMAGE_ID, "R") == expected


def test_a_stored_push_reads_back_with_its_layers_and_total() -> None:
    store = Store()
    layers = [
        dict(index=0, digest="sha256:a", size=29_681_660, media_type="gzip", diff_id="d0"),
        dict(index=1, digest="sha256:b", size=126_221, media_type="gzip", reused=True),
    ]
    push_id = store.save_push(
        image_id=IMAGE_ID,
        registry="127.0.0.1:5000",
        reference="127.0.0.1:5000/workbench/app:baseline",
        manifest_digest="sha256:m",
        total_bytes=29_807_881,
        layers=layers,
        seconds=2.5,
    )
    measured = measured_push(IMAGE_ID, store)
    assert measured is not None
    assert measured.push_id == push_id
    assert measured.layers == (
        PushedLayer(0, "sha256:a", 29_681_660, "gzip", "d0", False),
        PushedLayer(1, "sha256:b", 126_221, "gzip", "", True),
    )
    assert measured.total_bytes == 29_807_881 and measured.layers_reused == 1
    assert measured.config_bytes is None and measured.seconds == 2.5
    assert measured.to_dict()["total_bytes"] == 29_807_881
    assert measured_push("sha256:" + "0" * 64, store) is None


def test_push_to_a_registry_that_does_not_answer_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine, "connect", lambda *a, **k: SimpleNamespace())
    port = free_port()
    result = CliRunner().invoke(app, ["push", "app:baseline", "--registry", f"127.0.0.1:{port}"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: no registry answers at http://127.0.0.1:{port}: ConnectionError; start the "
        "workbench's registry (`workbench registry up`) or name a running one with "
        "--registry / WORKBENCH_REGISTRY"
    ]

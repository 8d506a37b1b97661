"""The registry module's pure parts: addresses, target references, config, stored pushes."""

from __future__ import annotations

import socket
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from workbench import engine
from workbench.cli import app
from workbench.errors import PushError, RegistryError
from workbench.registry import core as registry
from workbench.registry.core import PushedLayer, RegistryAddress
from workbench.store import Store

IMAGE_ID = "sha256:" + "fe721b733e53" + "0" * 52


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("127.0.0.1:5000", RegistryAddress("127.0.0.1:5000", "http://127.0.0.1:5000")),
        ("localhost:5001/", RegistryAddress("localhost:5001", "http://localhost:5001")),
        ("[::1]:5000", RegistryAddress("[::1]:5000", "http://[::1]:5000")),
        ("registry.example.com", RegistryAddress("registry.example.com", "https://registry.example.com")),
        ("http://10.0.0.5:5000", RegistryAddress("10.0.0.5:5000", "http://10.0.0.5:5000")),
        ("HTTPS://127.0.0.1:443", RegistryAddress("127.0.0.1:443", "https://127.0.0.1:443")),
    ],
)  # fmt: skip
def test_addresses_get_a_scheme_like_the_engine_would_use(text, expected) -> None:
    assert registry.parse_address(text) == expected


@pytest.mark.parametrize("text", ["", "bad addr", "ftp://host", "host/path", "host:port"])
def test_a_malformed_address_says_how_to_write_one(text: str) -> None:
    with pytest.raises(RegistryError, match=r"write HOST\[:PORT\]"):
        registry.parse_address(text)


def test_loopback_addresses_are_recognised() -> None:
    assert registry.parse_address("127.0.0.2:5000").loopback
    assert registry.parse_address("localhost").loopback
    assert not registry.parse_address("registry.example.com:5000").loopback


def test_the_registry_is_the_argument_else_the_environment_else_the_local_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(registry.REGISTRY_ENV, raising=False)
    assert registry.resolve_address() == RegistryAddress(
        "127.0.0.1:5000", "http://127.0.0.1:5000", local=True
    )
    monkeypatch.setenv(registry.REGISTRY_ENV, "registry.example.com:5000")
    assert registry.resolve_address().host == "registry.example.com:5000"
    assert not registry.resolve_address().local
    assert registry.resolve_address("127.0.0.1:6000").host == "127.0.0.1:6000"


def test_the_local_address_follows_the_written_config(workbench_home: Path) -> None:
    paths = registry.registry_paths()
    assert paths.root == workbench_home / "registry"
    paths.root.mkdir(parents=True)
    paths.config.write_text(registry.render_config(5123, paths.data, "s3cret"))
    assert registry.configured_port() == 5123
    assert registry.local_address().host == "127.0.0.1:5123"
    assert registry.local_address(5200).url == "http://127.0.0.1:5200"


def test_the_config_listens_on_loopback_without_auth_and_stores_under_the_home() -> None:
    text = registry.render_config(5000, Path("/home/x/registry/data"), "abc")
    assert "  addr: 127.0.0.1:5000\n" in text
    assert '    rootdirectory: "/home/x/registry/data"\n' in text
    assert "auth:" not in text and "secret: abc" in text


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
    assert registry.target_reference(ref, IMAGE_ID, "R") == expected


def test_an_index_yields_the_images_platform_and_skips_attestations() -> None:
    index = {
        "manifests": [
            {"digest": "sha256:att", "platform": {"os": "unknown", "architecture": "unknown"}},
            {"digest": "sha256:arm", "platform": {"os": "linux", "architecture": "arm64"}},
            {"digest": "sha256:amd", "platform": {"os": "linux", "architecture": "amd64"}},
        ]
    }
    attrs = {"Os": "linux", "Architecture": "amd64"}
    assert registry._pick_platform(index, attrs)["digest"] == "sha256:amd"
    with pytest.raises(PushError, match="single-platform"):
        registry._pick_platform(index, {"Os": "linux", "Architecture": "s390x"})


def test_the_last_log_message_is_the_registrys_msg(tmp_path: Path) -> None:
    log = tmp_path / "registry.log"
    log.write_text(
        'time="t" level=info msg="starting"\n'
        'time="t" level=fatal msg="listen tcp 127.0.0.1:5000: bind: address already in use"\n'
    )
    assert registry._last_log_message(log) == (
        "listen tcp 127.0.0.1:5000: bind: address already in use"
    )
    assert registry._last_log_message(tmp_path / "missing.log") == ""


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
    measured = registry.measured_push(IMAGE_ID, store)
    assert measured is not None
    assert measured.push_id == push_id
    assert measured.layers == (
        PushedLayer(0, "sha256:a", 29_681_660, "gzip", "d0", False),
        PushedLayer(1, "sha256:b", 126_221, "gzip", "", True),
    )
    assert measured.total_bytes == 29_807_881 and measured.layers_reused == 1
    assert measured.config_bytes is None and measured.seconds == 2.5
    assert measured.to_dict()["total_bytes"] == 29_807_881
    assert registry.measured_push("sha256:" + "0" * 64, store) is None


def test_status_of_a_registry_that_is_not_running_is_a_clear_no() -> None:
    port = free_port()
    current = registry.status(port)
    assert current.address == f"127.0.0.1:{port}"
    assert not current.answers and not current.managed and current.pid is None
    assert current.error.startswith(f"no registry answers at http://127.0.0.1:{port}")
    assert registry.down() is False  # idempotent: nothing to stop


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


def test_registry_status_exits_1_when_nothing_answers() -> None:
    port = free_port()
    result = CliRunner().invoke(app, ["registry", "status", "--port", str(port)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"no registry answers at 127.0.0.1:{port}; start one: workbench registry up"
    ]

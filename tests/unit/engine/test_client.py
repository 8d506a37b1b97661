"""Where the engine is: this machine (a socket, TCP on the loopback) or another one."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from workbench.engine.client import engine_on_this_machine, on_this_machine, redact_host


@pytest.mark.parametrize(
    ("address", "here"),
    [
        ("unix:///var/run/docker.sock", True),
        ("tcp://127.0.0.1:2375", True),
        ("tcp://localhost:2376", True),
        ("http+docker://localhost", True),
        ("http://127.0.0.1:40123", True),
        ("tcp://10.0.0.5:2375", False),
        ("ssh://builder@build-host", False),
        ("http+docker://ssh", False),
        ("https://build-host.example:2376", False),
    ],
)
def test_an_engine_is_on_this_machine_only_on_a_socket_or_the_loopback(
    address: str, here: bool
) -> None:
    assert on_this_machine(address) is here


def test_a_client_says_where_its_engine_is() -> None:
    remote = SimpleNamespace(api=SimpleNamespace(base_url="http://10.0.0.5:2375"))
    assert engine_on_this_machine(remote) is False
    assert engine_on_this_machine(SimpleNamespace()) is True  # a test double: local


def test_a_password_in_docker_host_is_never_shown() -> None:
    assert redact_host("tcp://ci:s3cret@build-host:2376") == "tcp://ci:***@build-host:2376"
    assert redact_host("unix:///var/run/docker.sock") == "unix:///var/run/docker.sock"

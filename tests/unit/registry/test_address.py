"""Registry addresses: schemes like the engine's, loopback, and which registry is used."""

from __future__ import annotations

import pytest

from workbench.errors import RegistryError
from workbench.registry.address import REGISTRY_ENV, RegistryAddress, parse_address, resolve_address


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
    assert parse_address(text) == expected


@pytest.mark.parametrize("text", ["", "bad addr", "ftp://host", "host/path", "host:port"])
def test_a_malformed_address_says_how_to_write_one(text: str) -> None:
    with pytest.raises(RegistryError, match=r"write HOST\[:PORT\]"):
        parse_address(text)


def test_loopback_addresses_are_recognised() -> None:
    assert parse_address("127.0.0.2:5000").loopback
    assert parse_address("localhost").loopback
    assert not parse_address("registry.example.com:5000").loopback


def test_the_registry_is_the_argument_else_the_environment_else_the_local_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(REGISTRY_ENV, raising=False)
    assert resolve_address() == RegistryAddress(
        "127.0.0.1:5000", "http://127.0.0.1:5000", local=True
    )
    monkeypatch.setenv(REGISTRY_ENV, "registry.example.com:5000")
    assert resolve_address().host == "registry.example.com:5000"
    assert not resolve_address().local
    assert resolve_address("127.0.0.1:6000").host == "127.0.0.1:6000"

"""The workbench's registry's files and config: under the home, loopback, no auth."""

from __future__ import annotations

from pathlib import Path

from workbench.registry.address import local_address
from workbench.registry.config import configured_port, registry_paths, render_config


def test_the_local_address_follows_the_written_config(workbench_home: Path) -> None:
    paths = registry_paths()
    assert paths.root == workbench_home / "registry"
    paths.root.mkdir(parents=True)
    paths.config.write_text(render_config(5123, paths.data, "s3cret"))
    assert configured_port() == 5123
    assert local_address().host == "127.0.0.1:5123"
    assert local_address(5200).url == "http://127.0.0.1:5200"


def test_the_config_listens_on_loopback_without_auth_and_stores_under_the_home() -> None:
    text = render_config(5000, Path("/home/x/registry/data"), "abc")
    assert "  addr: 127.0.0.1:5000\n" in text
    assert '    rootdirectory: "/home/x/registry/data"\n' in text
    assert "auth:" not in text and "secret: abc" in text

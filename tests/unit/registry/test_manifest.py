"""Reading a manifest back: an index yields the image's platform."""

from __future__ import annotations

import pytest

from workbench.errors import PushError
from workbench.registry.manifest import _pick_platform


def test_an_index_yields_the_images_platform_and_skips_attestations() -> None:
    index = {
        "manifests": [
            {"digest": "sha256:att", "platform": {"os": "unknown", "architecture": "unknown"}},
            {"digest": "sha256:arm", "platform": {"os": "linux", "architecture": "arm64"}},
            {"digest": "sha256:amd", "platform": {"os": "linux", "architecture": "amd64"}},
        ]
    }
    attrs = {"Os": "linux", "Architecture": "amd64"}
    assert _pick_platform(index, attrs)["digest"] == "sha256:amd"
    with pytest.raises(PushError, match="single-platform"):
        _pick_platform(index, {"Os": "linux", "Architecture": "s390x"})

"""What deriving a variant gives."""

from __future__ import annotations

from workbench.variants.model import Variant


def test_a_variant_is_ok_when_it_has_a_dockerfile_and_no_error() -> None:
    assert Variant("baseline", "FROM x\n", "unchanged", None).ok
    assert not Variant("custom", None, "not available: none", None, error="none").ok
    assert Variant("x", "FROM x\n", "s", None).extra_files == {}

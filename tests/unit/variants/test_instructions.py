"""Parsing Dockerfiles into instructions that render back byte for byte."""

from __future__ import annotations

import pytest

from tests.unit.variants.golden import PARSEABLE, case_input
from workbench.errors import CannotTransform
from workbench.variants.instructions import parse


@pytest.mark.parametrize("case", PARSEABLE)
def test_parse_renders_back_byte_for_byte(case: str) -> None:
    assert parse(case_input(case)).render() == case_input(case)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("# only a comment\n", "empty"),
        ("RUN x\n", "before the first FROM"),
        ("# escape=`\nFROM x\n", "escape"),
        ("FROM x\nRUN a \\\n\n    b\n", "unknown instruction"),
    ],
)
def test_parse_refuses_what_it_cannot_edit(text: str, reason: str) -> None:
    with pytest.raises(CannotTransform, match=reason):
        parse(text)

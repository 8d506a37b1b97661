from __future__ import annotations

import pytest

from workbench.units import human_bytes, parse_size


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0 B"),
        (999, "999 B"),
        (1_000, "1.00 kB"),
        (983_200_000, "983 MB"),
        (1_540_957_727, "1.54 GB"),
        (944_653_120, "945 MB"),
        (56_100_000, "56.1 MB"),
        (9_996_000, "10.0 MB"),
        (999_600_000, "1.00 GB"),
        (999_600_000_000_000, "1000 TB"),
        (-600_000_000, "-600 MB"),
    ],
)
def test_human_bytes_is_decimal_with_three_significant_digits(value: int, text: str) -> None:
    assert human_bytes(value) == text


def test_human_bytes_signed_marks_growth() -> None:
    assert human_bytes(5_000_000, signed=True) == "+5.00 MB"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1GB", 1_000_000_000),
        ("300 MB", 300_000_000),
        ("1.5GiB", int(1.5 * 2**30)),
        ("512MiB", 512 * 2**20),
        ("123", 123),
        ("20 kB", 20_000),
    ],
)
def test_parse_size_accepts_decimal_and_binary_units(text: str, value: int) -> None:
    assert parse_size(text) == value


@pytest.mark.parametrize("text", ["", "GB", "1 parsec", "-1GB", "1..5MB"])
def test_parse_size_rejects_non_sizes_with_a_message_naming_units(text: str) -> None:
    with pytest.raises(ValueError, match="MB"):
        parse_size(text)

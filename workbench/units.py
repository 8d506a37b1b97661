"""Human units for byte counts: decimal, one decimal place, like the docker CLI."""

from __future__ import annotations

import re

_DECIMAL = [("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)]
_UNITS = {
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}
UNITS_NOTE = "Sizes are decimal, as the docker CLI shows them: 1 MB = 1,000,000 bytes."


def human_bytes(n: int | float, signed: bool = False) -> str:
    """Format a byte count in decimal units with three significant digits.

    Args:
        n: the number of bytes (may be negative).
        signed: prefix a ``+`` to positive values (for deltas).

    Returns:
        A string such as ``"1.54 GB"``, ``"945 MB"``, ``"56.1 MB"`` or ``"512 B"``;
        exact bytes belong in tooltips and JSON.
    """
    sign = "-" if n < 0 else ("+" if signed and n > 0 else "")
    value = abs(n)
    for index, (unit, scale) in enumerate(_DECIMAL):
        if value >= scale:
            text = _three_digits(value / scale)
            if text is None:  # 999.6 MB rounds to 1000 MB: it reads 1.00 GB
                larger_unit, larger = _DECIMAL[max(index - 1, 0)]
                text, unit = _three_digits(value / larger) or f"{value / larger:.0f}", larger_unit
            return f"{sign}{text} {unit}"
    return f"{sign}{int(value)} B"


def _three_digits(value: float) -> str | None:
    """``value`` (1 to 1000) with three significant digits; None when it rounds to 1000."""
    for decimals in (2, 1, 0):
        if round(value, decimals) < 10 ** (3 - decimals):
            return f"{value:.{decimals}f}"
    return None


def parse_size(text: str) -> int:
    """Parse ``"1GB"``, ``"300 MB"``, ``"1.5GiB"`` or ``"123"`` into bytes.

    Raises:
        ValueError: when the text is not a size; the message names the accepted units.
    """
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*", text)
    unit = (match.group(2) if match else "").lower() or "b"
    if not match or unit not in _UNITS:
        raise ValueError(
            f"not a size: {text!r}; write a number with B, kB, MB, GB, TB, KiB, MiB or GiB"
        )
    return int(float(match.group(1)) * _UNITS[unit])

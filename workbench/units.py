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
    """Format a byte count as the docker CLI does (decimal units, one decimal).

    Args:
        n: the number of bytes (may be negative).
        signed: prefix a ``+`` to positive values (for deltas).

    Returns:
        A string such as ``"1.6 GB"``, ``"983.2 MB"`` or ``"512 B"``.
    """
    sign = "-" if n < 0 else ("+" if signed and n > 0 else "")
    value = abs(n)
    for unit, scale in _DECIMAL:
        if value >= scale:
            return f"{sign}{value / scale:.1f} {unit}"
    return f"{sign}{int(value)} B"


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

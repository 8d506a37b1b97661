"""The golden Dockerfile cases the variant tests share, and small helpers to write Dockerfiles.

Each folder of ``tests/fixtures/dockerfiles/cases`` holds a ``Dockerfile`` and, per transform,
either the expected output (``<transform>.Dockerfile``) or the expected error
(``<transform>.error``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from workbench.errors import CannotTransform

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dockerfiles"
CASES = FIXTURES / "cases"
CONTEXT = FIXTURES / "context"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "Dockerfile").is_file())
PARSEABLE = [c for c in CASE_NAMES if not (CASES / c / "no-cache.error").is_file()]


def outputs(transform: str) -> list[str]:
    """The cases that have an expected output for a transform (not an expected error)."""
    return [case for case in CASE_NAMES if (CASES / case / f"{transform}.Dockerfile").is_file()]


def case_input(case: str) -> str:
    """The input Dockerfile of a case."""
    return (CASES / case / "Dockerfile").read_text()


def dockerfile(*lines: str) -> str:
    """A Dockerfile of these lines."""
    return "\n".join(lines) + "\n"


def check_golden(case: str, variant: str, transform: Callable[[str], str]) -> None:
    """A transform gives the case's expected output, or the expected one-line error."""
    expected = CASES / case / f"{variant}.Dockerfile"
    error = CASES / case / f"{variant}.error"
    assert expected.is_file() != error.is_file(), "one expected output or one expected error"
    if expected.is_file():
        assert transform(case_input(case)) == expected.read_text()
    else:
        with pytest.raises(CannotTransform, match=re.escape(error.read_text().strip())):
            transform(case_input(case))

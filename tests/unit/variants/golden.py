"""The golden Dockerfile cases the variant tests share, and small helpers to write Dockerfiles.

Each folder of ``tests/fixtures/dockerfiles/cases`` holds a ``Dockerfile`` and, per transform,
either the expected output (``<transform>.Dockerfile``) or the expected error
(``<transform>.error``).
"""

from __future__ import annotations

from pathlib import Path

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

"""The apt-clean fix: apt's cache and lists cleaned in the RUN that installs."""

from __future__ import annotations

import pytest

from workbench.variants.apt_clean import apply_apt_clean, to_apt_clean, unchanged_reason
from workbench.variants.instructions import parse


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        (
            "apt-get update && apt-get install -y curl",
            "apt-get update && apt-get install -y curl && apt-get clean"
            " && rm -rf /var/lib/apt/lists/*",
        ),
        (
            "apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
            "apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*"
            " && apt-get clean",
        ),
        (
            "apt-get install -y x && apt-get clean && rm -rf /var/lib/apt/lists/*",
            "apt-get install -y x && apt-get clean && rm -rf /var/lib/apt/lists/*",
        ),
        ("pip install six", "pip install six"),
    ],
)
def test_one_run_at_a_time(run: str, expected: str) -> None:
    assert to_apt_clean(f"FROM debian\nRUN {run}\n") == f"FROM debian\nRUN {expected}\n"


def test_a_continued_run_gets_a_line_of_its_own() -> None:
    text = "FROM debian\nRUN apt-get update \\\n && apt-get install -y curl\n"
    result = apply_apt_clean(parse(text))
    assert result.text == (
        "FROM debian\nRUN apt-get update \\\n && apt-get install -y curl \\\n"
        " && apt-get clean && rm -rf /var/lib/apt/lists/*\n"
    )
    assert result.changes == (
        "apt-get clean and rm -rf /var/lib/apt/lists/* after apt-get install (line 2)",
    )


def test_why_nothing_changes() -> None:
    done = parse(
        "FROM d\nRUN apt-get install -y x && apt-get clean && rm -rf /var/lib/apt/lists/*\n"
    )
    assert unchanged_reason(done) == (
        "every apt-get install already cleans apt's cache and lists (line 2)"
    )
    assert unchanged_reason(parse("FROM d\nRUN true\n")) is None

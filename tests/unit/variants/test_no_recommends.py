"""The no-recommends fix: the flag after `install`, installs that skip them left alone."""

from __future__ import annotations

import pytest

from workbench.errors import CannotTransform
from workbench.variants.instructions import parse
from workbench.variants.no_recommends import apply_no_recommends, to_no_recommends, unchanged_reason


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        ("apt-get install -y curl", "apt-get install --no-install-recommends -y curl"),
        (
            "apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
            "apt-get update && apt-get install --no-install-recommends -y curl"
            " && rm -rf /var/lib/apt/lists/*",
        ),
        ("apt install -y git", "apt install --no-install-recommends -y git"),
        (
            "apt-get install -y --no-install-recommends curl",
            "apt-get install -y --no-install-recommends curl",
        ),
        (
            "apt-get -o APT::Install-Recommends=false install x",
            "apt-get -o APT::Install-Recommends=false install x",
        ),
        ("pip install requests", "pip install requests"),
    ],
)
def test_one_run_at_a_time(run: str, expected: str) -> None:
    assert to_no_recommends(f"FROM debian\nRUN {run}\n") == f"FROM debian\nRUN {expected}\n"


def test_continuations_keep_their_lines_and_notes_name_the_line() -> None:
    text = "FROM debian\nRUN apt-get update \\\n && apt-get install -y \\\n      curl git\n"
    result = apply_no_recommends(parse(text))
    assert result.text == (
        "FROM debian\nRUN apt-get update \\\n && apt-get install --no-install-recommends -y \\\n"
        "      curl git\n"
    )
    assert result.changes == ("--no-install-recommends on apt-get install (line 2)",)
    assert to_no_recommends(result.text) == result.text


def test_why_nothing_changes() -> None:
    done = parse("FROM debian\nRUN apt-get install --no-install-recommends -y curl\n")
    assert unchanged_reason(done) == "every apt-get install already skips recommendations (line 2)"
    assert unchanged_reason(parse("FROM debian\nRUN true\n")) is None
    with pytest.raises(CannotTransform, match="exec-form RUN"):
        to_no_recommends('FROM debian\nRUN ["apt-get", "install", "-y", "curl"]\n')

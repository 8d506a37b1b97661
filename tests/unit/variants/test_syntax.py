"""The one BuildKit syntax check: flags where they are flags, heredocs, unparseable files."""

from __future__ import annotations

import pytest

from tests.unit.variants.golden import case_input, dockerfile
from workbench.variants.syntax import buildkit_features, needs_buildkit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM x\nRUN pip install six\n", False),
        ("FROM x\nRUN --mount=type=cache,target=/c pip install six\n", True),
        ("FROM x\nCOPY --link a b\n", True),
        ("FROM x\nCOPY --chown=1 --chmod=644 a b\n", True),
        ("FROM x\nRUN <<EOF\necho\nEOF\n", True),
        ("FROM x\n# RUN --mount is only mentioned\n", False),
    ],
)
def test_needs_buildkit(text: str, expected: bool) -> None:
    assert needs_buildkit(text) is expected


def test_every_buildkit_only_flag_and_heredoc_is_named_with_its_line() -> None:
    text = dockerfile(
        "FROM python:3.12",
        "RUN --mount=type=cache,target=/root/.cache/uv uv sync",
        "RUN --network=none make",
        "RUN --security=insecure ls",
        "COPY --link a b",
        "COPY --chmod=755 a b",
        "COPY --parents a/b c",
        "COPY --exclude=*.pyc . /app",
        "ADD --link a b",
        "ADD --chmod=644 a b",
        "ADD --checksum=sha256:0123 https://example.com/a.tar.gz /a",
        "ADD --keep-git-dir=true https://github.com/a/b.git /b",
        "RUN <<EOF",
        "echo --mount",
        "EOF",
        'COPY <<-"END" /app/run.sh',
        "\tRUN --network=host",
        "\tEND",
    )
    assert buildkit_features(text) == (
        "line 2: RUN --mount",
        "line 3: RUN --network",
        "line 4: RUN --security",
        "line 5: COPY --link",
        "line 6: COPY --chmod",
        "line 7: COPY --parents",
        "line 8: COPY --exclude",
        "line 9: ADD --link",
        "line 10: ADD --chmod",
        "line 11: ADD --checksum",
        "line 12: ADD --keep-git-dir",
        "line 13: RUN heredoc (<<EOF)",
        "line 16: COPY heredoc (<<END)",
    )
    assert needs_buildkit(text) is True


def test_flags_count_only_at_the_start_of_the_arguments() -> None:
    text = dockerfile(
        "FROM --platform=linux/amd64 python:3.12 AS base",
        "RUN echo --mount=type=cache,target=/c",
        "RUN pip install six --network=none",
        "COPY --chown=x a b",
        "COPY --from=base a b",
        "ADD --chown=1:1 a b",
        "COPY a --link b",
        "# RUN --mount=type=cache,target=/c",
        'RUN ["echo", "--mount"]',
    )
    assert buildkit_features(text) == ()
    assert needs_buildkit(text) is False


def test_flags_after_other_flags_and_across_continuations_count() -> None:
    text = dockerfile(
        "FROM x",
        "COPY --chown=app:app \\",
        "     --chmod=644 a b",
        "run --network=none \\",
        "    --mount=type=secret,id=token make",
    )
    assert buildkit_features(text) == (
        "line 2: COPY --chmod",
        "line 4: RUN --network",
        "line 4: RUN --mount",
    )


def test_it_reads_dockerfiles_the_transforms_cannot_parse() -> None:
    assert buildkit_features(case_input("heredoc")) == ("line 3: RUN heredoc (<<EOT)",)
    assert needs_buildkit("RUN --mount=type=cache,target=/c true\n") is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM x\nRUN --mount=type=cache,target=/root/.cache/uv uv sync\n", True),
        ("FROM x\nCOPY --link . /app\n", True),
        ("FROM x\nRUN <<EOF\necho hi\nEOF\n", True),
        ("FROM x\nRUN uv sync --frozen\n# RUN --mount is only a comment here\n", False),
    ],
)
def test_needs_buildkit_on_what_the_builder_used_to_check(text: str, expected: bool) -> None:
    assert needs_buildkit(text) is expected

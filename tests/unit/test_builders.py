from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from workbench.build.builders import (
    DOCKERFILE_NAME,
    BuilderInfo,
    BuildProgress,
    choose_builder,
    make_context,
    needs_buildkit,
    parse_buildkit_line,
    parse_classic_event,
)
from workbench.errors import BuildError

BUILDKIT_FAILURE = """\
#3 [internal] load metadata for docker.io/library/debian:bookworm-slim
#3 DONE 0.0s
#4 [1/3] FROM docker.io/library/debian:bookworm-slim
#4 DONE 0.0s
#5 [2/3] RUN echo hi
#5 CACHED
#6 [3/3] RUN exit 3
#6 sha256:4999d01bf79e10543f12aa47848a25e5ed75974fe7d7b063798cafd309e27f1a
#6 ERROR: executor failed running [/bin/sh -c exit 3]: exit code: 3
------
 > [3/3] RUN exit 3:
------
"""

BUILDKIT_MULTI_STAGE = """\
#4 [builder 1/4] FROM docker.io/library/python:3.11-slim-bookworm
#4 DONE 0.0s
#5 [runtime 1/6] FROM docker.io/library/python:3.11-slim-bookworm
#5 DONE 0.0s
#6 [builder 2/4] COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv
#6 CACHED
#7 [runtime 2/6] RUN useradd appuser
#7 DONE 0.3s
#8 [runtime  3/6] WORKDIR /app
#8 DONE 0.0s
"""


def _feed(text: str) -> BuildProgress:
    progress = BuildProgress()
    for line in text.splitlines():
        parse_buildkit_line(line, progress)
    return progress


def test_buildkit_failure_names_the_step_and_exit_code() -> None:
    progress = _feed(BUILDKIT_FAILURE)
    assert progress.failed_step == "[3/3] RUN exit 3"
    assert progress.exit_code == 3
    assert (progress.steps_done, progress.steps_total, progress.cache_hits) == (2, 3, 1)


def test_buildkit_stages_add_their_totals() -> None:
    progress = _feed(BUILDKIT_MULTI_STAGE)
    assert progress.steps_total == 10
    assert progress.steps_done == 5
    assert progress.cache_hits == 1
    assert progress.current_step == "[runtime 3/6] WORKDIR /app"  # padding folded


def test_classic_events_count_steps_cache_and_errors() -> None:
    progress = BuildProgress()
    events = [
        {"stream": "Step 1/3 : FROM debian:bookworm-slim\n"},
        {"stream": " ---> 9a6a968fb100\n"},
        {"stream": "Step 2/3 : RUN echo hi\n"},
        {"stream": " ---> Using cache\n"},
        {"stream": "Step 3/3 : RUN exit 3\n"},
        {
            "errorDetail": {
                "code": 3,
                "message": "The command '/bin/sh -c exit 3' returned a non-zero code: 3",
            },
            "error": "The command '/bin/sh -c exit 3' returned a non-zero code: 3",
        },
    ]
    for event in events:
        parse_classic_event(event, progress)
    assert progress.failed_step == "[3/3] RUN exit 3"
    assert progress.exit_code == 3
    assert (progress.steps_done, progress.steps_total, progress.cache_hits) == (2, 3, 1)


def test_classic_aux_carries_the_image_id() -> None:
    progress = BuildProgress()
    parse_classic_event({"aux": {"ID": "sha256:abc"}}, progress)
    assert progress.image_id == "sha256:abc"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM x\nRUN --mount=type=cache,target=/root/.cache/uv uv sync\n", True),
        ("FROM x\nCOPY --link . /app\n", True),
        ("FROM x\nRUN <<EOF\necho hi\nEOF\n", True),
        ("FROM x\nRUN uv sync --frozen\n# RUN --mount is only a comment here\n", False),
    ],
)
def test_needs_buildkit(text: str, expected: bool) -> None:
    assert needs_buildkit(text) is expected


def test_classic_refuses_a_cache_mount_with_a_clear_message() -> None:
    with pytest.raises(BuildError, match="needs BuildKit"):
        choose_builder("classic", "FROM x\nRUN --mount=type=cache,target=/c true\n")


def test_an_unknown_builder_lists_the_known_ones() -> None:
    with pytest.raises(BuildError, match="available: .*classic"):
        choose_builder("kaniko", "FROM x\n")


def test_the_context_respects_dockerignore_and_overlays(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / ".dockerignore").write_text("# comment\nsecret.txt\n.venv/\n")
    (tmp_path / "secret.txt").write_text("no")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "big").write_text("no")
    (tmp_path / "pyproject.toml").write_text("original")
    (tmp_path / "café app").mkdir()
    (tmp_path / "café app" / "main.py").write_text("print(1)")
    context = make_context(tmp_path, "FROM scratch\nCOPY . /\n", {"pyproject.toml": b"pruned"})
    with tarfile.open(fileobj=context) as tar:
        names = tar.getnames()
        contents = {
            name: tar.extractfile(name).read() for name in names if tar.getmember(name).isfile()
        }
    assert "secret.txt" not in names and ".venv/big" not in names
    assert contents["pyproject.toml"] == b"pruned"
    assert names.count("pyproject.toml") == 1
    assert contents[DOCKERFILE_NAME] == b"FROM scratch\nCOPY . /\n"
    assert contents["café app/main.py"] == b"print(1)"
    assert (tmp_path / "pyproject.toml").read_text() == "original"


def test_the_builder_probe_is_remembered_until_a_cli_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbench.build import builders

    cli = tmp_path / "docker"
    cli.write_text("#!/bin/sh\n")
    asked: list[list[str]] = []
    answered = [True]

    def ask(clis: list[str]) -> tuple[tuple[BuilderInfo, ...], bool]:
        asked.append(clis)
        found = (BuilderInfo("buildkit", "BuildKit (test)", clis[0]), BuilderInfo("classic", "c"))
        return found, answered[0]

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(builders, "_cli_candidates", lambda: [str(cli)])
    monkeypatch.setattr(builders, "_ask_clis", ask)
    builders._probe.cache_clear()
    first = builders._probe("")
    builders._probe.cache_clear()
    assert builders._probe("") == first  # from the disk this time
    assert len(asked) == 1
    cli.write_text("#!/bin/sh\n# a new version\n")
    builders._probe.cache_clear()
    assert builders._probe("") == first
    assert len(asked) == 2
    (tmp_path / "home" / "cache" / "builders.json").write_text("{not json")
    builders._probe.cache_clear()
    assert builders._probe("") == first
    assert len(asked) == 3
    # a CLI that did not answer (timed out) is asked again, not remembered
    cli.write_text("#!/bin/sh\n# slow today\n")
    answered[0] = False
    for expected in (4, 5):
        builders._probe.cache_clear()
        builders._probe("")
        assert len(asked) == expected
    builders._probe.cache_clear()

from __future__ import annotations

from workbench.build.progress import (
    BuildProgress,
    describe_failure,
    parse_buildkit_line,
    parse_classic_event,
)

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


def test_a_failed_step_keeps_the_engines_reason() -> None:
    progress = BuildProgress()
    for line in (
        "#5 [4/5] RUN uv sync --frozen",
        "#5 ERROR: executor failed running [/bin/sh -c uv sync --frozen]: network bridge not found",
    ):
        parse_buildkit_line(line, progress)
    assert describe_failure(progress, "docker build exited with code 1") == (
        "step [4/5] RUN uv sync --frozen failed: network bridge not found"
    )


def test_an_exit_code_alone_is_not_repeated_as_a_reason() -> None:
    progress = _feed(BUILDKIT_FAILURE)
    assert describe_failure(progress, "") == "step [3/3] RUN exit 3 failed with exit code 3"
    newer = BuildProgress()
    for line in (
        "#6 [3/3] RUN exit 3",
        '#6 ERROR: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3',
    ):
        parse_buildkit_line(line, newer)
    assert describe_failure(newer, "") == "step [3/3] RUN exit 3 failed with exit code 3"


def test_the_classic_builders_reason_is_kept_too() -> None:
    progress = BuildProgress()
    parse_classic_event({"stream": "Step 2/3 : RUN pip install nope\n"}, progress)
    parse_classic_event(
        {"error": "The command '/bin/sh -c pip install nope' returned a non-zero code: 1"},
        progress,
    )
    assert describe_failure(progress, "") == (
        "step [2/3] RUN pip install nope failed with exit code 1"
    )
    reason = BuildProgress()
    parse_classic_event({"stream": "Step 2/3 : RUN apt-get update\n"}, reason)
    parse_classic_event({"error": "failed to create endpoint on network bridge: no space"}, reason)
    assert describe_failure(reason, "") == (
        "step [2/3] RUN apt-get update failed: failed to create endpoint on network bridge: "
        "no space"
    )

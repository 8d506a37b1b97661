"""What a running build has done: progress parsed from either builder's output.

BuildKit's ``--progress=plain`` lines and the classic builder's decoded API events both
update a :class:`BuildProgress`; :func:`describe_failure` turns how a build failed into
the one line the user reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class BuildProgress:
    """What a running build has done so far; builders update it as output arrives."""

    steps_done: int = 0
    steps_total: int = 0
    cache_hits: int = 0
    current_step: str = ""
    failed_step: str | None = None
    exit_code: int | None = None
    error: str | None = None
    image_id: str | None = None
    base_pull_error: str | None = None  # "REF: why" when a base image could not be pulled
    _steps: dict[str, str] = field(default_factory=dict)  # vertex -> state
    _metadata: dict[str, str] = field(default_factory=dict)  # vertex -> base image reference
    _stage_totals: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class BuildOutcome:
    """How a build ended."""

    status: str  # "succeeded", "failed" or "cancelled"
    image_id: str | None
    error: str | None = None
    failed_step: str | None = None


_VERTEX = re.compile(
    r"^#(\d+) \[(?:(?P<stage>[^\]]*?)\s+)?(?P<n>\d+)/(?P<total>\d+)\] (?P<what>.*)$"
)
_STATE = re.compile(r"^#(\d+) (CACHED|DONE\b.*|ERROR:? ?(?P<error>.*))$")
_METADATA = re.compile(r"^#(\d+) \[internal\] load metadata for (\S+)$")
CLI_MESSAGE = re.compile(r"^(?!#\d+ |-{6}| > |\s*$|\s*\d+ \| )")
_FROM_STEP = re.compile(r"^\[[^\]]*\] FROM\s+(?:--\S+\s+)*(\S+)", re.I)
_EXIT_CODE = re.compile(r"(?:exit code:? |non-zero code: )(\d+)")
_CLASSIC_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")


def parse_buildkit_line(line: str, progress: BuildProgress) -> None:
    """Update progress from one line of ``--progress=plain`` output."""
    vertex = _VERTEX.match(line)
    if vertex:
        key = vertex.group(1)
        stage = vertex.group("stage") or ""
        progress._stage_totals[stage] = int(vertex.group("total"))
        progress.steps_total = sum(progress._stage_totals.values())
        label = f"[{(stage + ' ') if stage else ''}{vertex.group('n')}/{vertex.group('total')}]"
        progress._steps.setdefault(key, f"{label} {vertex.group('what')}")
        progress.current_step = progress._steps[key]
        return
    metadata = _METADATA.match(line)
    if metadata:
        progress._metadata[metadata.group(1)] = metadata.group(2)
        return
    state = _STATE.match(line)
    if state and state.group(1) in progress._metadata and state.group("error") is not None:
        reference = progress._metadata[state.group(1)]
        progress.base_pull_error = f"{reference}: {state.group('error') or 'failed'}"
        return
    if not state or state.group(1) not in progress._steps:
        return
    key, word = state.group(1), state.group(2)
    if word == "CACHED":
        progress.cache_hits += 1
    if word == "CACHED" or word.startswith("DONE"):
        progress.steps_done += 1
    elif word.startswith("ERROR"):
        progress.failed_step = progress._steps[key]
        progress.error = state.group("error") or "failed"
        code = _EXIT_CODE.search(line)
        progress.exit_code = int(code.group(1)) if code else None


def parse_classic_event(event: dict, progress: BuildProgress) -> str:
    """Update progress from one decoded event of the engine's build API; return its text."""
    if "error" in event:
        message = str(event.get("errorDetail", {}).get("message") or event["error"])
        progress.failed_step = progress.current_step or None
        progress.error = message.strip()
        code = event.get("errorDetail", {}).get("code")
        match = _EXIT_CODE.search(message)
        progress.exit_code = int(code) if code else int(match.group(1)) if match else None
        return f"ERROR: {message}\n"
    aux = event.get("aux")
    if isinstance(aux, dict) and "ID" in aux:
        progress.image_id = str(aux["ID"])
    text = str(event.get("stream", ""))
    for line in text.splitlines():
        step = _CLASSIC_STEP.match(line.strip())
        if step:
            progress.steps_done = int(step.group(1)) - 1
            progress.steps_total = int(step.group(2))
            progress.current_step = f"[{step.group(1)}/{step.group(2)}] {step.group(3)}"
        elif line.strip() == "---> Using cache":
            progress.cache_hits += 1
    return text


OnOutput = Callable[[str, BuildProgress], None]


PULL_HINT = (
    "run `workbench bootstrap` to make local stand-ins for base images this machine "
    "cannot pull, or pull it yourself"
)


def describe_failure(progress: BuildProgress, fallback: str) -> str:
    if progress.base_pull_error:
        reference, _, why = progress.base_pull_error.partition(": ")
        return f"the base image {reference} cannot be pulled ({why}); {PULL_HINT}"
    base = _FROM_STEP.match(progress.failed_step or "")
    if base:
        why = (progress.error or "failed").splitlines()[0]
        return f"the base image {base.group(1)} cannot be pulled ({why}); {PULL_HINT}"
    if progress.failed_step:
        code = f" with exit code {progress.exit_code}" if progress.exit_code is not None else ""
        reason = engine_reason(progress.error or "")
        return f"step {progress.failed_step} failed{code}" + (f": {reason}" if reason else "")
    return progress.error or fallback


# What a builder says before its reason: which command failed, and how it ended.
_WHAT_FAILED = re.compile(
    r"^(?:executor failed running \[.*?\]:?|process \".*?\" did not complete successfully:?"
    r"|The command '.*?' returned a non-zero code:?)\s*",
    re.S,
)
_EXIT_ONLY = re.compile(r"^(?:exit code:?\s*)?\d*$")
REASON_LIMIT = 300


def engine_reason(error: str) -> str:
    """The engine's reason a step failed, beyond the command and its exit code.

    ``executor failed running [/bin/sh -c ...]: network bridge not found`` gives
    ``network bridge not found``; an error that only says the command exited non-zero
    gives ``""`` (the exit code says it).
    """
    text = " ".join(error.split())
    rest = _WHAT_FAILED.sub("", text, count=1).strip()
    if _EXIT_ONLY.fullmatch(rest):
        return ""
    return rest if len(rest) <= REASON_LIMIT else rest[: REASON_LIMIT - 1] + "…"

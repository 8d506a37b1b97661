"""Feed mutated synthetic image exports to the analysis for a set time; count crashes.

Every case starts as a valid export built in memory (docker-archive or OCI layout,
plain, gzip or zstd layers) and is made hostile: layers with ``../`` and absolute
names, NUL bytes in names, very long names, very deep trees, links to missing
targets, hardlink loops, whiteouts of nothing, huge declared sizes, bad PAX sizes, many
tiny files; a manifest or config of the wrong shape; then, often, bit flips,
truncation or spliced bytes on the whole export or on one layer.  Near the end one
streamed export with as many tiny files as the time left allows (up to
``--max-files``) checks that memory grows with the entries only.

A crash is any exception other than :class:`workbench.errors.WorkbenchError` (the
analysis raises :class:`~workbench.errors.AnalysisError` for unreadable input).
Prints the count of cases and of crashes (expect 0), the slowest case and the peak
RSS; exits 1 when something crashed.

    uv run python bench/fuzz_reader.py [--seconds 60] [--seed N] [--max-files 1000000]
"""

from __future__ import annotations

import argparse
import collections
import random
import resource
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.reliability.hostile import make_case, tiny_files_chunks  # noqa: E402
from workbench.analysis import analyze_stream  # noqa: E402
from workbench.errors import WorkbenchError  # noqa: E402

TINY_FILES_PER_SECOND = 50_000  # a conservative reading rate, to size the big case


@dataclass
class FuzzResult:
    """What a fuzzing run saw."""

    cases: int = 0
    rejected: int = 0  # a WorkbenchError: the input was refused with a message
    crashes: int = 0
    kinds: collections.Counter[str] = field(default_factory=collections.Counter)
    crash_examples: dict[str, str] = field(default_factory=dict)
    slowest: tuple[float, str] = (0.0, "")


def _run_one(result: FuzzResult, name: str, source: object, compress: bool) -> None:
    started = time.perf_counter()
    try:
        analyze_stream(source, compress=compress)
    except WorkbenchError:
        result.rejected += 1
    except Exception as exc:  # a crash: that is what we count
        result.crashes += 1
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        key = f"{type(exc).__name__} at {Path(frame.filename).name}:{frame.lineno}"
        result.kinds[key] += 1
        result.crash_examples.setdefault(key, f"{name}: {exc}"[:300])
    result.cases += 1
    elapsed = time.perf_counter() - started
    if elapsed > result.slowest[0]:
        result.slowest = (elapsed, name)


def fuzz(seconds: float, seed: int, max_files: int) -> FuzzResult:
    """Run cases until ``seconds`` pass, keeping a share of the time for the big case."""
    rng = random.Random(seed)
    result = FuzzResult()
    big_budget = min(seconds * 0.3, max_files / TINY_FILES_PER_SECOND)
    deadline = time.monotonic() + seconds - big_budget
    while time.monotonic() < deadline:
        case = make_case(rng)
        _run_one(result, case.name, case.data, compress=rng.random() < 0.3)
    count = max(1_000, min(max_files, int(big_budget * TINY_FILES_PER_SECOND)))
    _run_one(result, f"{count} tiny files (streamed)", tiny_files_chunks(count), compress=False)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to fuzz")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: time)")
    parser.add_argument(
        "--max-files", type=int, default=1_000_000, help="tiny files in the big streamed case"
    )
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else int(time.time())
    result = fuzz(args.seconds, seed, args.max_files)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"seed {seed}, {args.seconds:.0f} s")
    print(f"cases: {result.cases} (refused with an AnalysisError: {result.rejected})")
    print(f"crashes: {result.crashes}")
    for key, count in result.kinds.most_common():
        print(f"  {count:5} {key}  e.g. {result.crash_examples[key]}")
    print(f"slowest case: {result.slowest[0]:.2f} s ({result.slowest[1]})")
    print(f"peak RSS: {peak_mb:.0f} MB")
    return 1 if result.crashes else 0


if __name__ == "__main__":
    sys.exit(main())

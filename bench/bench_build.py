"""Wall-time overhead of `workbench build` against `docker build` of the same Dockerfile.

Interleaved runs, the engine's layer cache ignored on both sides (`--no-build-cache` /
`--no-cache`), for each builder: BuildKit (the docker CLI 20.10 with DOCKER_BUILDKIT=1)
and classic (DOCKER_BUILDKIT=0). Prints medians and the ratio workbench / docker, which
should stay at or under 1.05.

    uv run python bench/bench_build.py [PROJECT] [--runs N] [--builder buildkit|classic]

PROJECT defaults to `bench/projects/offline`, which builds without the network (CPU and
disk only, ~11 s), so its ratio measures the workbench itself. The sample
(`samples/elevendops`) works too, but its no-cache build downloads ~300 MB from PyPI each
time, and that download's speed varies more than the workbench's overhead.

Measured (5 runs, offline project): BuildKit 1.036, classic 1.035. The overhead left is
a fixed ~0.4 s: Python start-up and imports (~0.2 s; bytecode compiled at set-up, since
these machines set PYTHONDONTWRITEBYTECODE) and the store and engine calls around a build.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCKER_CLI = "/usr/bin/docker"


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", nargs="?", default=str(ROOT / "bench" / "projects" / "offline"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--builder", choices=["buildkit", "classic"], help="only this builder")
    args = parser.parse_args()
    project = Path(args.project).resolve()
    workbench = [sys.executable, "-m", "workbench.cli"]
    for builder, buildkit in (("buildkit", "1"), ("classic", "0")):
        if args.builder and builder != args.builder:
            continue
        env = {**os.environ, "DOCKER_BUILDKIT": buildkit}
        ours = [
            *workbench,
            "build",
            str(project),
            "--variant",
            "baseline",
            "--builder",
            builder,
            "--no-build-cache",
        ]
        theirs = [
            DOCKER_CLI,
            "build",
            "--no-cache",
            "-t",
            f"bench/{project.name}:docker",
            str(project),
        ]
        times: dict[str, list[float]] = {"workbench": [], "docker": []}
        for run in range(args.runs):
            order = [("workbench", ours), ("docker", theirs)]
            for name, command in order if run % 2 == 0 else reversed(order):
                times[name].append(timed(command, env))
        ours_median = statistics.median(times["workbench"])
        theirs_median = statistics.median(times["docker"])
        print(
            f"{builder:8} workbench {ours_median:6.2f} s   docker build {theirs_median:6.2f} s   "
            f"ratio {ours_median / theirs_median:.3f}   ({args.runs} interleaved runs each)"
        )


if __name__ == "__main__":
    main()

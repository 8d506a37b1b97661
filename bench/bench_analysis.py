"""Cold image analysis against `dive --ci --json` and `docker save > /dev/null`.

Each round runs every contender in a fresh child process, in rotating order
(interleaved), and records wall time and the child's peak memory (``ru_maxrss`` from
``wait4``, what ``/usr/bin/time -v`` reports as "Maximum resident set size").  The
contenders:

* ``workbench analyze IMAGE --no-compress --json``, the command line as a user runs it,
  start-up included, with a fresh workbench home each run (nothing stored, nothing
  cached): the cold analysis.  It reads the engine's overlay2 folders when they are
  readable here, else the export; the summary says which;
* the analysis reading the engine's export (``source="export"``, any engine);
* ``dive --ci --json`` and ``docker save``.

Then the answers from the store, in the home of the last cold run, each timed
``--repeats`` times, start-up included: ``workbench analyze IMAGE --no-compress`` again,
``workbench findings IMAGE`` and ``workbench history``.

Prints medians, the ratios to dive and to docker save, and peak memory, beside the
targets: the cold analysis at or under 0.1 x dive, its peak memory at or under 150 MB,
an answer from the store in 0.3 s or less.

    uv run python bench/bench_analysis.py [IMAGE] [--runs N] [--repeats N] [--compress]

Where the time goes (``python -X importtime`` and ``cProfile`` of the cold
``workbench analyze`` of ``workbench/elevendops:baseline``, 1.54 GB, 13 layers, 50,856
layer entries, 44,934 file groups; CPU seconds on this 2-core machine; before, then
after the changes):

=====================================  ==========  =========
step                                   before (s)  after (s)
=====================================  ==========  =========
start-up imports (docker SDK ~0.45)    0.55        0.12
read the overlay2 folders (stat each)  0.55        0.40
merge the layers (OCI rules)           0.30        0.12
classify each path (rules, tags)       0.72        0.25
dive's efficiency                      0.15        0.07
packages, largest, shadows, the rest   0.25        0.18
garbage collector passes               0.10        0
whole cold command                     ~2.6        ~1.1
=====================================  ==========  =========

Changes, in order of the time they saved: the analysis asks a local engine over its
socket with the standard library (``workbench.analysis.engine_api``), so a cold analysis
and an answer from the store never import the docker SDK and requests; typer is kept
below 0.29, whose parameter conversion imports pydantic (~0.4 s) on every command; the
classifier tries each run of rules as one regular expression (the first alternative to
match is the first rule that does) instead of rule by rule; the merge's and dive
efficiency's inner loops keep their state in locals and sets; the garbage collector
pauses while an analysis builds its tables (it makes no cycles to collect).  Then: the
CLI's analysis uses the second core (``workbench.analysis.forked``: dive's efficiency
during the merge, half the paths' classification; ``_count`` 0.30 -> 0.24 s); entries
and groups are slotted dataclasses that are not frozen (a frozen one takes 1.35 us to
make, 0.31 us otherwise: 0.1 s over 95,000 of them); the overlay walk takes each
entry's type from the folder listing and stats regular files only.  Last: the overlay
walk shares the layers' folders with a child (``workbench.analysis.overlay_walk``: the
folders of a layer listed breadth first, ``site-packages`` into its packages, taken in
turn from a pipe; 0.39 -> 0.28 s, mean of 5), and the child that classifies a part of
the paths lists the Python packages after it (``split_map_beside``).  Interleaved A/B
of the cold command, 12 runs each: 1.23 s before those two, 1.09 s after (0.89).

What is left: reading the overlay2 folders (0.25-0.3 s on two cores; ``stat`` goes only
1.6 times faster from two processes here), the merge (0.12 s),
classifying (0.24 s), start-up (0.15 s with compiled bytecode: ``scripts/setup.sh``
compiles it, as ``PYTHONDONTWRITEBYTECODE`` is set here; without it, add 0.1-0.2 s).
Timings on these machines vary by a third from run to run (the same command: 0.85 s
and 1.28 s), and the engine's folders must be in the page cache: run the bench twice.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIVE = ROOT / ".venv" / "bin" / "dive"
TARGET_RATIO = 0.1
TARGET_PEAK_MB = 150
TARGET_REPEAT_S = 0.3
FIGURES = ("size_bytes", "engine_size_bytes", "final_bytes", "efficiency", "wasted_bytes")

EXPORT_CHILD = """
import json, sys
from workbench.analysis import analyze_image
from workbench.engine import connect
result = analyze_image(
    connect(timeout=600), sys.argv[1], compress=sys.argv[2] == "1", source="export"
)
print(json.dumps(result.to_dict()))
"""


def run(
    command: list[str],
    *,
    capture: bool = False,
    env: dict[str, str] | None = None,
    ok: tuple[int, ...] = (0,),
) -> tuple[float, int, str]:
    """Run a command; return wall seconds, peak RSS in bytes, and its stdout."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(
            command,
            stdout=out if capture else subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode()
    if code not in ok and command[0] != str(DIVE):  # dive --ci may fail its rules
        raise SystemExit(f"{' '.join(command[:4])} failed with exit code {code}")
    return elapsed, usage.ru_maxrss * 1024, text


def workbench(*args: str) -> list[str]:
    """The ``workbench`` command line, as the console script runs it."""
    return [sys.executable, "-m", "workbench.cli", *args]


def rounds(args: argparse.Namespace, workdir: Path) -> tuple[dict, dict, dict, Path]:
    """Run the contenders, interleaved; return seconds, peaks, reports and the last home."""
    compress = [] if args.compress else ["--no-compress"]
    docker_cli = shutil.which("docker") or "docker"
    commands = {
        "cold": workbench("analyze", args.image, *compress, "--json"),
        "export": [sys.executable, "-c", EXPORT_CHILD, args.image, "1" if args.compress else "0"],
        "dive": [str(DIVE), "--ci", "--json", str(workdir / "dive.json"), args.image],
        "docker save": [docker_cli, "save", args.image],
    }
    names = list(commands)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    memory: dict[str, list[int]] = {name: [] for name in names}
    reports: dict[str, dict] = {}
    cold_home = workdir
    for round_number in range(args.runs):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            home = Path(tempfile.mkdtemp(prefix="home-", dir=workdir))
            env = {"WORKBENCH_HOME": str(home)}
            elapsed, peak, text = run(commands[name], capture=name in ("cold", "export"), env=env)
            seconds[name].append(elapsed)
            memory[name].append(peak)
            if name in ("cold", "export"):
                reports[name] = json.loads(text)
                if name == "cold":
                    cold_home = home
            print(f"round {round_number + 1} {name:12s} {elapsed:7.2f} s {peak / 1e6:7.1f} MB")
    return seconds, memory, reports, cold_home


def repeats(image: str, home: Path, count: int, compress: bool) -> dict[str, list[float]]:
    """Time the answers from the store in ``home`` (where the cold analysis ran)."""
    env = {"WORKBENCH_HOME": str(home)}
    commands = {
        "analyze again": workbench("analyze", image, *([] if compress else ["--no-compress"])),
        "findings": workbench("findings", image),
        "history": workbench("history"),
    }
    timings: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(count):
        for name, command in commands.items():
            elapsed, _, _ = run(command, env=env, ok=(0, 1))  # findings: 1 when one has a fix
            timings[name].append(elapsed)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image", nargs="?", default="workbench/elevendops:baseline")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--compress", action="store_true", help="include the gzip estimate")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-analysis-"))
    try:
        seconds, memory, reports, home = rounds(args, workdir)
        timings = repeats(args.image, home, args.repeats, args.compress)
        summary(args.image, seconds, memory, reports, timings, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def summary(
    image: str,
    seconds: dict[str, list[float]],
    memory: dict[str, list[int]],
    reports: dict[str, dict],
    timings: dict[str, list[float]],
    workdir: Path,
) -> None:
    """Print the figures, the medians, the ratios and the targets."""
    report = reports["cold"]
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    print()
    size, engine = report["size_bytes"], report["engine_size_bytes"]
    print(f"image {image}: size {size:,} B, engine {engine:,} B")
    if report.get("engine_size_note"):
        print(f"  {report['engine_size_note']}")
    dive_path = workdir / "dive.json"
    if dive_path.exists():
        dive = json.loads(dive_path.read_text())["image"]
        print(
            f"efficiency {report['efficiency']:.6f} (dive {dive['efficiencyScore']:.6f}), "
            f"wasted {report['wasted_bytes']:,} B (dive {dive['inefficientBytes']:,} B)"
        )
    same = all(reports["export"][key] == report[key] for key in FIGURES)
    print(f"the cold analysis read {report['layout']}; same figures as the export: {same}")
    labels = {"cold": f"cold analyze ({report['layout']})", "export": "analysis, export"}
    print(f"{'':28s}{'median s':>10s}{'peak MB':>10s}{'/ dive':>8s}{'/ save':>8s}")
    for name in seconds:
        print(
            f"{labels.get(name, name):28s}{medians[name]:10.2f}{max(memory[name]) / 1e6:10.1f}"
            f"{medians[name] / medians['dive']:8.3f}{medians[name] / medians['docker save']:8.2f}"
        )
    ratio = medians["cold"] / medians["dive"]
    peak = max(memory["cold"]) / 1e6
    print(
        f"target: cold analyze / dive {ratio:.3f} (at most {TARGET_RATIO}), "
        f"peak {peak:.1f} MB (at most {TARGET_PEAK_MB} MB)"
    )
    print(
        f"answers from the store, median of {len(timings['history'])} (at most "
        f"{TARGET_REPEAT_S} s each):"
    )
    for name, values in timings.items():
        print(
            f"  workbench {name:14s} {statistics.median(values):6.3f} s "
            f"(min {min(values):.3f}, max {max(values):.3f})"
        )


if __name__ == "__main__":
    main()

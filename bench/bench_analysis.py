"""Cold image analysis against `dive --ci --json` and `docker save > /dev/null`.

Each round runs every contender in a fresh child process, in rotating order
(interleaved), and records wall time and the child's peak memory (``ru_maxrss`` from
``wait4``).  The analysis is cold (no store, nothing cached) and, unless
``--compress`` is given, skips the gzip estimate, like ``workbench analyze
--no-compress``.  It runs twice per round: reading the engine's export
(``source="export"``, any engine) and with ``source="auto"`` (the engine's overlay2
folders when they are readable here, else the export again).  Prints medians, the
ratios to dive and to docker save, and peak memory.  Targets: the ratio to dive at
or under 1.0, the analysis' peak memory under 300 MB.

    uv run python bench/bench_analysis.py IMAGE [--runs N] [--compress]
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

CHILD = """
import json, sys, time
from workbench.analysis import analyze_image
from workbench.engine import connect
started = time.perf_counter()
result = analyze_image(
    connect(timeout=600), sys.argv[1], compress=sys.argv[2] == "1", source=sys.argv[3]
)
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "size_bytes": result.size_bytes,
    "engine_size_bytes": result.engine_size_bytes,
    "final_bytes": result.final_bytes,
    "efficiency": result.efficiency,
    "wasted_bytes": result.wasted_bytes,
    "note": result.engine_size_note,
    "layout": result.layout,
}))
"""


def run(command: list[str], *, stdout: int | None = subprocess.DEVNULL) -> tuple[float, int, str]:
    """Run a command; return wall seconds, peak RSS in bytes, and its stdout."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(
            command, stdout=out if stdout is None else stdout, stderr=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        out.seek(0)
        text = out.read().decode()
    if process.returncode != 0 and command[0] != str(DIVE):  # dive --ci may fail its rules
        raise SystemExit(f"{command[0]} failed with exit code {process.returncode}")
    return elapsed, usage.ru_maxrss * 1024, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image", nargs="?", default="elevendops-local:baseline")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--compress", action="store_true", help="include the gzip estimate")
    args = parser.parse_args()
    docker_cli = shutil.which("docker") or "docker"
    workdir = Path(tempfile.mkdtemp(prefix="bench-analysis-"))
    compress = "1" if args.compress else "0"
    commands = {
        "export": [sys.executable, "-c", CHILD, args.image, compress, "export"],
        "auto": [sys.executable, "-c", CHILD, args.image, compress, "auto"],
        "dive": [str(DIVE), "--ci", "--json", str(workdir / "dive.json"), args.image],
        "docker save": [docker_cli, "save", args.image],
    }
    names = list(commands)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    memory: dict[str, list[int]] = {name: [] for name in names}
    reports: dict[str, dict] = {}
    ours = ("export", "auto")
    for round_number in range(args.runs):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            elapsed, peak, text = run(
                commands[name], stdout=None if name in ours else subprocess.DEVNULL
            )
            seconds[name].append(elapsed)
            memory[name].append(peak)
            if name in ours:
                reports[name] = json.loads(text)
            print(f"round {round_number + 1} {name:12s} {elapsed:7.2f} s {peak / 1e6:7.1f} MB")
    report = reports["export"]
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    print()
    size, engine = report["size_bytes"], report["engine_size_bytes"]
    print(f"image {args.image}: size {size:,} B, engine {engine:,} B")
    if report.get("note"):
        print(f"  {report['note']}")
    dive_path = workdir / "dive.json"
    if dive_path.exists():
        dive = json.loads(dive_path.read_text())["image"]
        print(
            f"efficiency {report['efficiency']:.6f} (dive {dive['efficiencyScore']:.6f}), "
            f"wasted {report['wasted_bytes']:,} B (dive {dive['inefficientBytes']:,} B)"
        )
    same = {k: v for k, v in reports["auto"].items() if k not in ("seconds", "layout")} == {
        k: v for k, v in report.items() if k not in ("seconds", "layout")
    }
    print(f"auto read {reports['auto']['layout']}; same figures as the export: {same}")
    labels = {"export": "analysis, export", "auto": f"analysis, {reports['auto']['layout']}"}
    print(f"{'':26s}{'median s':>10s}{'peak MB':>10s}{'/ dive':>8s}{'/ save':>8s}")
    for name in names:
        print(
            f"{labels.get(name, name):26s}{medians[name]:10.2f}{max(memory[name]) / 1e6:10.1f}"
            f"{medians[name] / medians['dive']:8.2f}{medians[name] / medians['docker save']:8.2f}"
        )
    for name in ours:
        print(f"in-process {labels[name]} (last run): {reports[name]['seconds']:.2f} s")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

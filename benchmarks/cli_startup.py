"""Cold-start wall time of the CLI: `kratomkg --help` and `kratomkg validate` on the shipped graph.

Each command runs in a fresh process, several times; the median is reported next to a
baseline measured in the same run (a bare `python -c pass`), so figures from machines of
different speed can be compared as ratios. Goals: `--help` under 0.3 s and `validate`
under 2 s on a 2-core machine.

Usage: python benchmarks/cli_startup.py [--runs 7] [--out benchmarks/results/cli_startup.md]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _time(command: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False)
        samples.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()[-500:]}")
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/cli_startup.md"))
    args = parser.parse_args()
    exe = shutil.which("kratomkg") or str(Path(sys.executable).parent / "kratomkg")

    cases = {
        "python -c pass (baseline)": ([sys.executable, "-c", "pass"], None),
        "kratomkg --help": ([exe, "--help"], 0.3),
        "kratomkg validate": ([exe, "validate"], 2.0),
    }
    engines = subprocess.run(
        [exe, "validate", "--help"], capture_output=True, text=True, check=False
    ).stdout
    if "--engine" in engines:
        cases["kratomkg validate --engine pyshacl"] = (
            [exe, "validate", "--engine", "pyshacl"],
            2.0,
        )
    _time([exe, "--help"], 1)  # warm the file-system cache once, like a second invocation
    baseline = None
    rows = []
    for name, (command, goal) in cases.items():
        seconds = _time(command, args.runs)
        baseline = baseline or seconds
        verdict = "-" if goal is None else ("met" if seconds < goal else "NOT met")
        rows.append(
            f"| `{name}` | {seconds:.3f} | {seconds / baseline:.1f}x | "
            f"{'-' if goal is None else f'< {goal} s'} | {verdict} |"
        )
        print(rows[-1])
    table = "\n".join(
        [
            "# CLI cold start",
            "",
            f"Median of {args.runs} fresh processes; Python {platform.python_version()} on "
            f"{platform.machine()}, {platform.system()}.",
            "",
            "| command | seconds | vs baseline | goal | |",
            "|---|---:|---:|---|---|",
            *rows,
            "",
        ]
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table, encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

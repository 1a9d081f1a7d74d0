"""Measure ``kratomkg stats`` at scale: counting on Oxigraph against counting with rdflib.

Usage:
    python benchmarks/stats_scale.py                       # 1k and 10k claims, rdflib on 1k
    python benchmarks/stats_scale.py --sizes 1k,10k,40k --rdflib-max 10k --timeout 600

For each size it generates a graph (benchmarks/generate.py, about 25 triples a claim),
then counts it with each engine of :func:`kratomkg.counts.count_files` in its own
subprocess, so that the peak memory (ru_maxrss) is that engine's alone. The time includes
loading, deriving the ratings and counting, as ``kratomkg stats FILE`` does. Both engines
must give the same counts. Each run is bounded by ``--timeout``; sizes above
``--rdflib-max`` skip rdflib. Writes benchmarks/results/stats.md, with the ratio of the two
engines measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate, parse_size  # noqa: E402

RESULTS = HERE / "results"
ENGINES = ("rdflib", "oxigraph")


def worker(engine: str, path: Path) -> None:
    """Count ``path`` with ``engine``; print the time, peak memory and counts as JSON."""
    from kratomkg.counts import count_files

    start = time.perf_counter()
    counts = count_files([path], engine=engine)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "counts": counts.to_json()}))


def measure(engine: str, path: Path, timeout: float) -> dict[str, object] | None:
    """Run one engine on one file in a fresh interpreter; None when it ran out of time."""
    command = [sys.executable, __file__, "--worker", engine, str(path)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    measured: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return measured


def write_table(rows: list[dict[str, object]], out: Path, command: str) -> None:
    """The Markdown table: time, peak memory, and rdflib / Oxigraph for each size."""
    lines = [
        "# `kratomkg stats` at scale: Oxigraph vs rdflib",
        "",
        f"`{command}` on {platform.machine()} / Python {platform.python_version()}, one run "
        f"({time.strftime('%Y-%m-%d')}). Generated graphs (benchmarks/generate.py); time = "
        "load + derive + count, each engine in its own process; peak = its max RSS; "
        "same = both engines gave identical counts.",
        "",
        "| claims | file lines | engine | time (s) | peak (MB) | rdflib / oxigraph | same |",
        "|---:|---:|---|---:|---:|---:|---|",
    ]
    by_key = {(r["claims"], r["engine"]): r for r in rows}
    for r in rows:
        if "note" in r:
            lines.append(
                f"| {r['claims']:,} | {r['lines']:,} | {r['engine']} | {r['note']} | | | |"
            )
            continue
        ratio = ""
        base = by_key.get((r["claims"], "rdflib"))
        same = ""
        if r["engine"] == "oxigraph" and base is not None:
            if "note" not in base:
                ratio = f"{float(base['seconds']) / float(r['seconds']):.1f}x"  # type: ignore[arg-type]
                same = "yes" if base["counts"] == r["counts"] else "NO"
            elif "timeout_s" in base:
                ratio = f"> {float(base['timeout_s']) / float(r['seconds']):.1f}x"  # type: ignore[arg-type]
        lines.append(
            f"| {r['claims']:,} | {r['lines']:,} | {r['engine']} | {float(r['seconds']):.2f} "  # type: ignore[arg-type]
            f"| {float(r['peak_mb']):.0f} | {ratio} | {same} |"  # type: ignore[arg-type]
        )
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    """Generate the graphs, measure both engines on each, write the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1k,10k")
    parser.add_argument("--rdflib-max", default="1k", help="skip rdflib above this size")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per engine run")
    parser.add_argument("--out", type=Path, default=RESULTS / "stats.md")
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]))
        return
    rdflib_max = parse_size(args.rdflib_max)
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (parse_size(s) for s in args.sizes.split(",")):
            path = Path(tmp) / f"claims-{size}.ttl"
            generate(size, 0.0, path)
            lines = sum(1 for _ in path.open(encoding="utf-8"))
            for engine in ENGINES:
                row: dict[str, object] = {"claims": size, "engine": engine, "lines": lines}
                if engine == "rdflib" and size > rdflib_max:
                    row["note"] = f"skipped (above --rdflib-max {args.rdflib_max})"
                else:
                    measured = measure(engine, path, args.timeout)
                    if measured is None:
                        row["note"] = f"timed out after {args.timeout:.0f} s"
                        row["timeout_s"] = args.timeout
                    else:
                        row.update(measured)
                print(json.dumps({k: v for k, v in row.items() if k != "counts"}), flush=True)
                rows.append(row)
    RESULTS.mkdir(exist_ok=True)
    write_table(rows, args.out, "python benchmarks/stats_scale.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()

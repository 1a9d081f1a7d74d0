"""Measure validation at scale: pySHACL against the SPARQL engine, on generated graphs.

Usage:
    python benchmarks/validate_scale.py                     # 1k, 10k, 100k claims
    python benchmarks/validate_scale.py --sizes 1k,10k,100k,1M --pyshacl-max 10k

For each size it generates a graph (benchmarks/generate.py, 1% broken claims), then runs each
engine in its own subprocess, so that peak memory (ru_maxrss) is that engine's alone:
parse = loading the files (rdflib Dataset / Oxigraph store), validate = deriving ratings and
running the shapes. Each engine's results must be exactly the planted violations. Writes
benchmarks/results/validate_scale.md and validate_scale.png (log-log). Needs the [bench]
extra (matplotlib) for the plot.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate, parse_size, planted_violations  # noqa: E402

RESULTS = HERE / "results"
ENGINES = ("pyshacl", "sparql")


def worker(engine: str, path: Path) -> None:
    """Load and validate ``path`` with ``engine``; print timings and results as JSON."""
    t0 = time.perf_counter()
    if engine == "pyshacl":
        from kratomkg.loading import load
        from kratomkg.validation import validate

        dataset = load([path])
        t1 = time.perf_counter()
        report = validate(dataset)
    else:
        from kratomkg.shacl import validate_store
        from kratomkg.store_loading import derive_store, load_store

        store = load_store([path], derive=False)
        t1 = time.perf_counter()
        derive_store(store)
        report = validate_store(store)
    t2 = time.perf_counter()
    results = sorted(
        {(r.focus_node, r.path, r.constraint, r.severity) for r in report.results}, key=str
    )
    print(
        json.dumps(
            {
                "parse_s": t1 - t0,
                "validate_s": t2 - t1,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "conforms": report.conforms,
                "results": results,
            }
        )
    )


def measure(engine: str, path: Path, timeout: float) -> dict[str, object] | None:
    """Run one engine on one file in a fresh interpreter; None when it timed out."""
    command = [sys.executable, __file__, "--worker", engine, str(path)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    measured: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return measured


def _fmt(seconds: object) -> str:
    return f"{float(seconds):.2f}" if isinstance(seconds, float) else "-"  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1k,10k,100k")
    parser.add_argument("--pyshacl-max", default="10k", help="skip pySHACL above this size")
    parser.add_argument("--broken-rate", type=float, default=0.01)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per engine run")
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite table and plot from the last JSON"
    )
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]))
        return
    if args.report_only:
        saved = json.loads((RESULTS / "validate_scale.json").read_text(encoding="utf-8"))
        write_table(saved, RESULTS / "validate_scale.md")
        plot(saved, RESULTS / "validate_scale.png")
        return
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    pyshacl_max = parse_size(args.pyshacl_max)
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = Path(tmp) / f"claims-{size}.ttl"
            generate(size, args.broken_rate, path)
            planted = planted_violations(path)
            triples = sum(1 for _ in path.open(encoding="utf-8"))  # about one statement a line
            for engine in ENGINES:
                row: dict[str, object] = {"claims": size, "engine": engine, "lines": triples}
                if engine == "pyshacl" and size > pyshacl_max:
                    row["note"] = f"skipped (above --pyshacl-max {args.pyshacl_max})"
                else:
                    measured = measure(engine, path, args.timeout)
                    if measured is None:
                        row["note"] = f"timed out after {args.timeout:.0f} s"
                        row["timeout_s"] = args.timeout
                    else:
                        found = {tuple(r) for r in measured.pop("results")}  # type: ignore[attr-defined]
                        row.update(measured)
                        row["exact"] = found == planted
                        row["planted"] = len(planted)
                print(json.dumps(row), flush=True)
                rows.append(row)
    RESULTS.mkdir(exist_ok=True)
    write_table(rows, RESULTS / "validate_scale.md")
    (RESULTS / "validate_scale.json").write_text(json.dumps(rows, indent=1) + "\n")
    plot(rows, RESULTS / "validate_scale.png")


def write_table(rows: list[dict[str, object]], out: Path) -> None:
    """The Markdown table, with the speed-up against pySHACL measured in the same run."""
    by_key = {(r["claims"], r["engine"]): r for r in rows}
    lines = [
        "# Validation at scale: pySHACL vs the SPARQL engine",
        "",
        f"Generated graphs, 1% broken claims; {sys.platform}, Python "
        f"{sys.version.split()[0]}, one run ({time.strftime('%Y-%m-%d')}).",
        "parse = loading the file with the ontology; validate = derivation + shapes;",
        "peak = the engine process's max RSS; exact = found exactly the planted results.",
        "",
        "| claims | engine | parse (s) | validate (s) | total (s) | peak (MB) | exact | speed-up |",
        "|---:|---|---:|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        if "note" in r:
            lines.append(f"| {r['claims']:,} | {r['engine']} | {r['note']} | | | | | |")
            continue
        total = float(r["parse_s"]) + float(r["validate_s"])  # type: ignore[arg-type]
        speedup = ""
        base = by_key.get((r["claims"], "pyshacl"))
        if r["engine"] == "sparql" and base and "note" not in base:
            base_total = float(base["parse_s"]) + float(base["validate_s"])  # type: ignore[arg-type]
            speedup = f"{base_total / total:.0f}x"
        elif r["engine"] == "sparql" and base and "timeout_s" in base:
            speedup = f"> {float(base['timeout_s']) / total:.0f}x"  # type: ignore[arg-type]
        exact = "yes" if r["exact"] else f"NO ({r['planted']} planted)"
        lines.append(
            f"| {r['claims']:,} | {r['engine']} | {_fmt(r['parse_s'])} | {_fmt(r['validate_s'])} "
            f"| {total:.2f} | {float(r['peak_mb']):.0f} | {exact} | {speedup} |"  # type: ignore[arg-type]
        )
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def plot(rows: list[dict[str, object]], out: Path) -> None:
    """Total time against size, log-log, one line per engine."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 4))
    for engine in ENGINES:
        points = [
            (int(r["claims"]), float(r["parse_s"]) + float(r["validate_s"]))  # type: ignore[call-overload, arg-type]
            for r in rows
            if r["engine"] == engine and "note" not in r
        ]
        if points:
            xs, ys = zip(*points, strict=True)
            axes.plot(xs, ys, marker="o", label=engine)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("claims (about 25 triples each)")
    axes.set_ylabel("parse + validate (s)")
    axes.set_title("kratomkg validation time")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(out, dpi=120, metadata={"Software": None})


if __name__ == "__main__":
    main()

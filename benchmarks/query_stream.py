"""Peak memory of a 1M-row CSV export: the answer written as one string, or streamed.

Usage:
    python benchmarks/query_stream.py               # 1,000,000 rows (about 2 minutes)
    python benchmarks/query_stream.py --side 300    # 90,000 rows, for a quick look

The graph is ``--side`` resources of one class, each with a label; the query pairs every
resource with every labelled one, so it answers ``side * side`` rows of three terms. It
runs on Oxigraph (rdflib would take many minutes for a million rows), in its worker
process, and the answer is written to a CSV file the way ``kratomkg query -o`` writes it.

Each measurement runs in a fresh Python process, all in the same run on the same machine:

* ``baseline``: load, query, keep the answer, write nothing: what the answer itself costs;
* ``string``: then ``render()`` the whole CSV and write it atomically as one string (how
  ``kratomkg query`` wrote answers before its writers streamed);
* ``stream``: then ``write_result()`` into an atomic file stream, a chunk of rows at a time
  (what ``kratomkg query -o`` does now);
* ``limit``: the query run with ``limit=1000`` and streamed.

Peak memory is the process's maximum resident set (``ru_maxrss``); the worker process that
evaluates the query is measured on its own. Writes ``benchmarks/results/query_stream.md``.
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

RESULTS = Path(__file__).parent / "results" / "query_stream.md"
MODES = ("baseline", "string", "stream", "limit")
QUERY = (
    "PREFIX ex: <https://example.org/bench/> "
    "SELECT ?a ?b ?label WHERE { ?a a ex:Thing . ?b a ex:Thing ; ex:label ?label }"
)


def write_graph(path: Path, side: int) -> None:
    """Write ``side`` labelled resources of one class as N-Triples."""
    lines = []
    for i in range(side):
        subject = f"<https://example.org/bench/thing-{i}>"
        lines.append(f"{subject} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ")
        lines.append("<https://example.org/bench/Thing> .\n")
        lines.append(f'{subject} <https://example.org/bench/label> "thing number {i}" .\n')
    path.write_text("".join(lines), encoding="utf-8")


def measure(mode: str, data: Path, out: Path) -> dict[str, float]:
    """Run one mode in this process; return its timings and peak memory (MiB)."""
    from kratomkg._io import atomic_text_stream, atomic_write_text
    from kratomkg.querying import engine
    from kratomkg.querying.results import render, write_result

    dataset = engine.load_for_query([data])
    store = engine.open_store("oxigraph", dataset=dataset)
    del dataset
    started = time.perf_counter()
    result = engine.query(QUERY, store=store, timeout=600, limit=1000 if mode == "limit" else None)
    queried = time.perf_counter()
    store.close()  # reaps the worker, so RUSAGE_CHILDREN holds its peak
    if mode == "string":
        atomic_write_text(out, render(result, "csv"))
    elif mode in ("stream", "limit"):
        with atomic_text_stream(out) as handle:
            write_result(result, "csv", handle)
    written = time.perf_counter()
    return {
        "rows": len(result),
        "query_s": queried - started,
        "write_s": written - queried,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "file_mib": out.stat().st_size / 2**20 if out.exists() else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--side", type=int, default=1000, help="resources (rows = side²)")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.data, args.out)))
        return
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "graph.nt"
        write_graph(data, args.side)
        for mode in MODES:
            out = Path(tmp) / f"{mode}.csv"
            command = [sys.executable, __file__, "--child", mode, "--data", str(data)]
            answer = subprocess.run(
                [*command, "--out", str(out)],
                capture_output=True,
                text=True,
                check=True,
                timeout=900,
            )
            figures[mode] = json.loads(answer.stdout.strip().splitlines()[-1])
            print(mode, figures[mode], flush=True)
    base = figures["baseline"]["peak_mib"]
    string, stream = figures["string"]["peak_mib"], figures["stream"]["peak_mib"]
    lines = [
        "# Query answers: peak memory of a CSV export, one string vs streamed",
        "",
        f"`python benchmarks/query_stream.py --side {args.side}` on {platform.machine()} / "
        f"Python {platform.python_version()}: {figures['stream']['rows']:,.0f} rows of three "
        f"terms on the Oxigraph store, a {figures['stream']['file_mib']:.0f} MiB CSV file. "
        "Each line is a fresh process; peak is the maximum resident set of the process that "
        "writes (the worker that evaluates the query is shown apart).",
        "",
        "| mode | rows | peak MiB | peak / baseline | worker peak MiB | query s | write s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for mode in MODES:
        f = figures[mode]
        lines.append(
            f"| {mode} | {f['rows']:,.0f} | {f['peak_mib']:.0f} | {f['peak_mib'] / base:.2f} "
            f"| {f['worker_peak_mib']:.0f} | {f['query_s']:.1f} | {f['write_s']:.1f} |"
        )
    lines += [
        "",
        f"Writing the answer as one string costs {string - base:+.0f} MiB over the baseline; "
        f"streaming it costs {stream - base:+.0f} MiB (streamed peak / string peak: "
        f"{stream / string:.2f}). With `--limit 1000` the worker stops at the limit: only "
        "1,000 rows are ever held. Times depend on the machine's load; the memory figures "
        "do not.",
        "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()

"""Validating the shipped release: embedded SPARQL engine vs an Oxigraph server vs Virtuoso.

The built release's ``kratomkg.nt`` (data, ontology, derived triples) is loaded once into
each place: an in-memory Oxigraph store through ``load_store`` (the embedded engine), an
``oxigraph serve`` on loopback, and a throw-away Virtuoso 7 (Debian's virtuoso-opensource)
on loopback, each server with the release as the default graph of the URL it is given.
Only validation is timed (median of several runs, loading excluded), with the same number
of threads everywhere; ratios are against the embedded engine in the same run.

The servers get the portable queries (``compile_shapes(portable=True)``, the subclasses
looked up first; the lookup is part of each timed run). Each row also says whether the
results equal the embedded engine's, as (focus, path, component, severity).

The two published engines that validate a SPARQL endpoint, Trav-SHACL (PyPI ``travshacl``)
and SHACL2SPARQL (``shacl2sparqlpy``), are given the shipped shapes against the same
Oxigraph server when they are importable; each row says what they did with them.

Usage: python benchmarks/endpoint_validate.py [--runs 5] [--nt dist/kratomkg.nt]
       [--out benchmarks/results/endpoint_validate.md]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.query_support import oxigraph_server  # noqa: E402
from tests.virtuoso import FormExecutor, virtuoso_server  # noqa: E402

from kratomkg.errors import QueryError  # noqa: E402
from kratomkg.report import ValidationReport  # noqa: E402
from kratomkg.shacl import validate_endpoint, validate_store  # noqa: E402
from kratomkg.shacl.engine import endpoint_constraints  # noqa: E402
from kratomkg.store_loading import load_store  # noqa: E402

GRAPH = "urn:kratomkg:benchmark:release"
THREADS = 2

Key = set[tuple[str, str | None, str, str]]


def _key(report: ValidationReport) -> Key:
    return {(r.focus_node, r.path, r.constraint, r.severity) for r in report.results}


def _median(job: Callable[[], ValidationReport], runs: int) -> tuple[float, ValidationReport]:
    report = job()  # warm-up: caches, the server's first plans
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        report = job()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), report


def _release(nt: Path | None, folder: Path) -> Path:
    if nt is not None:
        return nt
    from kratomkg import build

    build(folder / "dist")
    return folder / "dist" / "kratomkg.nt"


def _put(base: str, path: Path) -> None:
    target = urllib.parse.urlencode({"graph": GRAPH})
    request = urllib.request.Request(  # noqa: S310 - a local server
        f"{base}/store?{target}",
        data=path.read_bytes(),
        headers={"Content-Type": "application/n-triples"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
        assert response.status in (200, 201, 204)


def _shapes_folder(folder: Path) -> Path:
    """The shipped shapes files, in a folder of their own: both peers read a directory."""
    import shutil

    from kratomkg.resources import shape_files

    target = folder / "shapes"
    target.mkdir()
    for path in shape_files():
        shutil.copy(path, target / path.name)
    return target


def _travshacl(shapes: Path, url: str, out: Path) -> object:
    from TravSHACL import GraphTraversal, ShapeSchema, parse_heuristics

    schema = ShapeSchema(
        schema_dir=str(shapes),
        schema_format="SHACL",
        endpoint=url,
        graph_traversal=GraphTraversal.BFS,
        heuristics=parse_heuristics("TARGET IN BIG"),
        use_selective_queries=True,
        max_split_size=256,
        output_dir=f"{out}/",
        order_by_in_queries=False,
        save_outputs=False,
        ignore_parsing_errors=False,  # skipping a shape would time a partial validation
    )
    return schema.validate()


def _shacl2sparql(shapes: Path, url: str, out: Path) -> object:
    from SHACL2SPARQLpy.ShapeNetwork import ShapeNetwork

    network = ShapeNetwork(f"{shapes}/", "SHACL", url, True, 256, f"{out}/", True)
    return network.validate()


def published_peers(folder: Path, url: str) -> list[str]:
    """Run each published endpoint validator on the shipped shapes; say what happened."""
    import importlib.util

    shapes = _shapes_folder(folder)
    notes = []
    for name, module, run_peer in (
        ("Trav-SHACL", "TravSHACL", _travshacl),
        ("SHACL2SPARQL", "SHACL2SPARQLpy", _shacl2sparql),
    ):
        if importlib.util.find_spec(module) is None:
            notes.append(f"{name}: not installed, not run.")
            continue
        out = folder / module
        out.mkdir()
        start = time.perf_counter()
        try:
            run_peer(shapes, url, out)
        except Exception as exc:  # whatever a peer raises is its answer
            where = exc.__traceback__
            while where is not None and where.tb_next is not None:
                where = where.tb_next
            line = f" ({Path(where.tb_frame.f_code.co_filename).name})" if where else ""
            notes.append(
                f"{name}: refused the shipped shapes after {time.perf_counter() - start:.1f} s"
                f" with {type(exc).__name__}: {str(exc)[:120] or '-'}{line}; no row."
            )
            continue
        notes.append(
            f"{name}: ran in {time.perf_counter() - start:.2f} s (its report does not name "
            "the constraint component, so it is not compared)."
        )
    return notes


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--nt", type=Path, help="a built kratomkg.nt (default: build one)")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "endpoint_validate.md"
    )
    args = parser.parse_args()
    rows: list[tuple[str, float, int, str]] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        nt = _release(args.nt, folder)
        triples = sum(1 for line in nt.open(encoding="utf-8") if line.strip())

        store = load_store()
        embedded_s, reference = _median(lambda: validate_store(store, threads=THREADS), args.runs)
        rows.append(
            (
                "embedded (validate_store, in-memory Oxigraph)",
                embedded_s,
                len(reference.results),
                "-",
            )
        )
        expected = _key(reference)

        def verdict(report: ValidationReport) -> str:
            found = _key(report)
            if found == expected:
                return "yes"
            return f"no: {len(found - expected)} extra, {len(expected - found)} missing"

        with oxigraph_server(folder / "oxigraph") as base:
            _put(base, nt)
            url = f"{base}/query?{urllib.parse.urlencode({'default-graph-uri': GRAPH})}"
            seconds, report = _median(lambda: validate_endpoint(url, threads=THREADS), args.runs)
            rows.append(
                (
                    "Oxigraph server (validate_endpoint)",
                    seconds,
                    len(report.results),
                    verdict(report),
                )
            )
            notes += published_peers(folder, url)

        with virtuoso_server(folder / "virtuoso") as server:
            server.load(nt, GRAPH)
            url = server.sparql_url([GRAPH])
            executor = FormExecutor(url)
            constraints = endpoint_constraints(executor)
            try:
                seconds, report = _median(
                    lambda: validate_endpoint(url, threads=THREADS), args.runs
                )
                rows.append(
                    (
                        "Virtuoso 7 (validate_endpoint)",
                        seconds,
                        len(report.results),
                        verdict(report),
                    )
                )
            except QueryError as exc:
                notes.append(f"validate_endpoint on Virtuoso failed: {exc}")

    lines = [
        "# Endpoint validation: embedded engine vs Oxigraph server vs Virtuoso",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{THREADS} threads. Release: {triples} triples, {len(constraints)} compiled constraints.",
        f"Median of {args.runs} runs after one warm-up; loading excluded.",
        "Regenerate: `python benchmarks/endpoint_validate.py`.",
        "",
        "| engine | validate (s) | vs embedded | results | same results as embedded |",
        "|---|---:|---:|---:|---|",
    ]
    for name, seconds, count, same in rows:
        lines.append(f"| {name} | {seconds:.3f} | {seconds / embedded_s:.1f}x | {count} | {same} |")
    lines += ["", *notes, ""]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

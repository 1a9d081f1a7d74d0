"""Time the named queries on the memory store (rdflib) and on Oxigraph, at growing sizes.

Usage:
    python benchmarks/query_scale.py                       # 10k, 100k and 1M triples
    python benchmarks/query_scale.py --sizes 10k,100k --repeat 3

The graphs have the shape of the shipped one because they are made of it: the knowledge
base and its derived triples are copied as many times as the size needs, every ``kid:``
resource of copy *n* renamed ``kid:<slug>--r<n>`` (kkg: terms and the ontology are shared),
so each copy holds the same compounds, interactions, claims, evidence, risks and sources
with the same fan-outs. Each query runs ``--repeat`` times on each store (the best time
counts) with its default parameters; the two release-comparison queries run against a
previous release made of the same graph without its last copy. Both stores answer from the
same Dataset in the same run, and their answers are checked to agree.

Writes ``benchmarks/results/query_scale.md``: a table per size and, for 100k triples, the
memory/Oxigraph ratio on the three queries slowest on the memory store.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

import kratomkg
from kratomkg.namespaces import GRAPH_ONTOLOGY, KID
from kratomkg.querying.engine import load_for_query
from kratomkg.querying.named import GRAPH_PREVIOUS, named_queries
from kratomkg.querying.stores import MemoryStore, OxigraphStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from query_support import answer

RESULTS = Path(__file__).parent / "results" / "query_scale.md"


def parse_size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * factor)


def _rename(term: object, copy: int) -> object:
    if copy and isinstance(term, URIRef) and term.startswith(str(KID)):
        return URIRef(f"{term}--r{copy}")
    return term


def generate(size: int) -> Dataset:
    """Return a derived Dataset of about ``size`` triples shaped like the shipped graph."""
    shipped = load_for_query()
    ontology = shipped.graph(GRAPH_ONTOLOGY)
    body = [
        (g.identifier, (s, p, o))
        for g in shipped.graphs()
        if isinstance(g.identifier, URIRef) and g.identifier != GRAPH_ONTOLOGY
        for s, p, o in g
    ]
    copies = max(1, round((size - len(ontology)) / len(body)))
    dataset = Dataset(default_union=True)
    target = dataset.graph(GRAPH_ONTOLOGY)
    for triple in ontology:
        target.add(triple)
    graphs = {name: dataset.graph(name) for name, _ in body}
    for copy in range(copies):
        for name, (s, p, o) in body:
            graphs[name].add((_rename(s, copy), p, _rename(o, copy)))  # type: ignore[arg-type]
    return dataset


def with_previous(dataset: Dataset) -> Dataset:
    """Add a previous release: the same graph without the triples of its last copy."""
    previous = Graph()
    last = max(
        (int(str(s).rsplit("--r", 1)[1]) for s in dataset.subjects() if "--r" in str(s)),
        default=0,
    )
    marker = f"--r{last}"
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        if last and (str(s).endswith(marker) or str(o).endswith(marker)):
            continue
        previous.add((s, p, o))
    target = dataset.graph(GRAPH_PREVIOUS)
    for triple in previous:
        target.add(triple)
    return dataset


def best(run: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def measure(size: int, repeat: int, timeout: float) -> list[tuple[str, float | None, float]]:
    print(f"== {size:,} triples: generating", file=sys.stderr)
    plain = generate(size)
    compared = with_previous(generate(size))
    triples = sum(len(g) for g in plain.graphs())
    print(f"   {triples:,} triples; loading Oxigraph", file=sys.stderr)
    stores = {
        False: (MemoryStore(plain), OxigraphStore.from_dataset(lambda: plain)),
        True: (MemoryStore(compared), OxigraphStore.from_dataset(lambda: compared)),
    }
    rows: list[tuple[str, float | None, float]] = []
    for name, query in named_queries().items():
        memory, oxigraph = stores[query.compares_releases]
        fast = kratomkg.query(named=name, store=oxigraph, timeout=timeout)
        t_oxigraph = best(lambda: kratomkg.query(named=name, store=oxigraph), repeat)  # noqa: B023
        try:
            slow = kratomkg.query(named=name, store=memory, timeout=timeout)
            if answer(slow) != answer(fast):
                raise SystemExit(f"{name}: memory and Oxigraph disagree at {size} triples")
            t_memory: float | None = best(
                lambda: kratomkg.query(named=name, store=memory, timeout=timeout),  # noqa: B023
                repeat,
            )
        except kratomkg.QueryError:
            t_memory = None  # over the time limit
        rows.append((name, t_memory, t_oxigraph))
        shown = "timeout" if t_memory is None else f"{t_memory:.3f}s"
        print(f"   {name:22} memory {shown:>9}  oxigraph {t_oxigraph:.4f}s", file=sys.stderr)
    return rows


def table(size: int, rows: list[tuple[str, float | None, float]], timeout: float) -> list[str]:
    lines = [
        f"### {size:,} triples",
        "",
        "| named query | memory (rdflib) s | oxigraph s | memory / oxigraph |",
        "|---|---:|---:|---:|",
    ]
    for name, memory, oxigraph in sorted(rows, key=lambda r: -(r[1] or float("inf"))):
        m = f"> {timeout:g}" if memory is None else f"{memory:.4f}"
        ratio = f"> {timeout / oxigraph:.0f}x" if memory is None else f"{memory / oxigraph:.0f}x"
        lines.append(f"| {name} | {m} | {oxigraph:.4f} | {ratio} |")
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1M")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0, help="per memory query, s")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    sizes = [parse_size(s) for s in args.sizes.split(",")]
    results = {size: measure(size, args.repeat, args.timeout) for size in sizes}
    import pyoxigraph
    import rdflib

    lines = [
        "# Named queries: memory store (rdflib) vs Oxigraph",
        "",
        f"`python benchmarks/query_scale.py --sizes {args.sizes} --repeat {args.repeat}` on "
        f"{platform.machine()} / Python {platform.python_version()}, rdflib {rdflib.__version__},"
        f" pyoxigraph {pyoxigraph.__version__}; best of {args.repeat} runs, query time only "
        "(both stores loaded from the same Dataset beforehand; answers checked to agree).",
        "",
    ]
    for size in sizes:
        lines += table(size, results[size], args.timeout)
    if 100_000 in results:
        slowest = sorted(results[100_000], key=lambda r: -(r[1] or float("inf")))[:3]
        lines += ["## Goal: Oxigraph ≥ 20x faster on the three slowest queries at 100k", ""]
        for name, memory, oxigraph in slowest:
            ratio = (memory or args.timeout) / oxigraph
            verdict = "met" if ratio >= 20 else "NOT met"
            lines.append(f"- `{name}`: {ratio:.0f}x ({verdict})")
        lines.append("")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Measure validation at scale: kratomkg's engines against Apache Jena SHACL, on the same graphs.

Usage:
    python benchmarks/validate_scale.py                     # 1k, 10k, 100k claims
    python benchmarks/validate_scale.py --sizes 1k,10k,100k,1M --pyshacl-max 10k --jena-max 1M
    python benchmarks/validate_scale.py --sizes 10k --engines sparql,jena,floor

For each size it generates a graph (benchmarks/generate.py, 1% broken claims) and, outside
any timing, writes the triples the kratomkg SPARQL engine validates (the data, the ontology
and the derived ratings, every graph merged into one) as one N-Triples file. Each engine then
runs in its own subprocess, so that its peak memory (max RSS) is its own:

- ``sparql``: load = ``load_store(derive=False)`` on the generated Turtle; validate =
  ``derive_store`` + ``validate_store``.
- ``pyshacl``: the same split through rdflib (only up to ``--pyshacl-max``: it is slow).
- ``jena``: Apache Jena's ``shacl validate`` on the N-Triples file and the shipped shapes in
  one file (its command line takes one ``--shapes``), timed as a whole process: JVM start,
  parsing and validation, which the command does not report apart.
- ``pyrudof``: when importable (``pip install pyrudof``), up to ``--pyrudof-max`` (it took
  over 300 s at 10k claims); load = reading shapes and data, validate = ``validate_shacl``.
  When it refuses the shapes the row says so instead of timing a partial validation.
- ``oxigraph bulk_load``: only parsing the N-Triples file, the floor every engine pays.

The kratomkg engines must find exactly the planted violations; the other engines must find
the same (focus node, path, constraint component, severity) set as the SPARQL engine did in
the same run. The ratio column divides each total by Jena's at the same size.

SHACL-SPARQL queries may use only the prefixes declared with ``sh:declare`` (SHACL 5.2.1);
rdflib-based tools also accept the Turtle prefixes of the shapes file, strict ones refuse the
query. The peers therefore get the shipped shapes plus a declaration for each prefix a query
uses without declaring it; the table names them, so the gap stays visible.

Jena is Debian's ``libapache-jena-java`` (``apt-get install libapache-jena-java``), run with
an explicit class path (all of /usr/share/java holds clashing logging bindings). That build
keeps the Xerces message files under their old package while the classes moved, so every
datatype check fails at start-up; the files are copied to where the classes look.

Writes benchmarks/results/validate_scale.md, .json and .png (log-log; needs matplotlib, the
[bench] extra).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate, parse_size, planted_violations  # noqa: E402

RESULTS = HERE / "results"
FLOOR = "oxigraph bulk_load"
ENGINES = ("sparql", "pyshacl", "jena", "pyrudof", FLOOR)
PEERS = ("jena", "pyrudof")
SH = "http://www.w3.org/ns/shacl#"
XSD_ANY_URI = "http://www.w3.org/2001/XMLSchema#anyURI"
JAVA_LIBS = Path("/usr/share/java")
# Jena's own jars and the libraries Debian's libapache-jena-java depends on, with one
# logging binding (slf4j-nop) so that nothing but the report reaches the output.
JENA_DEPENDENCIES = (
    "commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io",
    "commons-lang3", "dexx.collection", "gson", "guava", "httpclient", "httpcore",
    "jackson-core", "jackson-databind", "jackson-annotations", "jakarta.json-api",
    "jsonld-java", "protobuf", "slf4j-api", "slf4j-nop", "thrift", "titanium-json-ld",
)  # fmt: skip
JAVA_HEAP = "-Xmx16g"
LISTED_DIFFERENCES = 20

Result = tuple[str, str | None, str, str]


# --- workers: each runs in a fresh interpreter and prints one JSON line -----------------------


def _peak_self_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def kratomkg_worker(engine: str, path: Path) -> dict[str, Any]:
    """Load and validate the generated Turtle with one of kratomkg's engines."""
    t0 = time.perf_counter()
    split: dict[str, float] = {}  # the SPARQL engine's validate time, derivation and shapes
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
        split["derive_s"] = time.perf_counter() - t1
        report = validate_store(store)
    t2 = time.perf_counter()
    if engine != "pyshacl":
        split["shapes_s"] = t2 - t1 - split["derive_s"]
    return {
        **split,
        "load_s": t1 - t0,
        "validate_s": t2 - t1,
        "total_s": t2 - t0,
        "peak_mb": _peak_self_mb(),
        "conforms": report.conforms,
        "results": sorted(
            {(r.focus_node, r.path, r.constraint, r.severity) for r in report.results}, key=str
        ),
    }


def dump_worker(source: Path, out: Path) -> dict[str, Any]:
    """Write what the SPARQL engine validates (every graph of its store) as one graph."""
    from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Triple, serialize

    from kratomkg.store_loading import derive_store, load_store

    t0 = time.perf_counter()
    store = load_store([source], derive=False)
    derive_store(store)
    graphs: list[DefaultGraph | NamedNode] = [DefaultGraph(), *store.named_graphs()]  # type: ignore[list-item]
    written = 0

    def merged() -> Iterator[Triple]:
        nonlocal written
        for i, graph in enumerate(graphs):
            for quad in store.quads_for_pattern(None, None, None, graph):
                triple = (quad.subject, quad.predicate, quad.object)
                if any(
                    next(iter(store.quads_for_pattern(*triple, g)), None) is not None
                    for g in graphs[:i]
                ):
                    continue  # already written from an earlier graph
                written += 1
                yield quad.triple

    serialize(merged(), out, RdfFormat.N_TRIPLES)
    return {"triples": written, "dump_s": time.perf_counter() - t0}


def floor_worker(path: Path) -> dict[str, Any]:
    """Only parse the N-Triples file into an in-memory Oxigraph store."""
    t0 = time.perf_counter()
    from pyoxigraph import RdfFormat, Store

    store = Store()
    store.bulk_load(path=str(path), format=RdfFormat.N_TRIPLES)
    t1 = time.perf_counter()
    return {"load_s": t1 - t0, "total_s": t1 - t0, "peak_mb": _peak_self_mb(), "loaded": len(store)}


def jena_worker(
    data: Path, shapes: Path, report: Path, classpath: str, timeout: float
) -> dict[str, Any]:
    """Run Jena's SHACL command as a child, so that RUSAGE_CHILDREN is the JVM's alone."""
    command = ["java", JAVA_HEAP, "-cp", classpath, "shacl.shacl", "validate"]
    command += ["--shapes", str(shapes), "--data", str(data)]
    t0 = time.perf_counter()
    with report.open("wb") as out:
        try:
            done = subprocess.run(
                command, stdout=out, stderr=subprocess.PIPE, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            return {"timed_out": True}
    total = time.perf_counter() - t0
    measured: dict[str, Any] = {
        "total_s": total,
        "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }
    if done.returncode != 0:
        measured["error"] = _first_error(done.stderr.decode("utf-8", "replace"))
    return measured


def pyrudof_worker(data: Path, shapes: Path) -> dict[str, Any]:
    """Validate with pyrudof; refuse to time anything when it cannot run every shape."""
    t0 = time.perf_counter()
    pyrudof: Any = importlib.import_module("pyrudof")
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    strict = pyrudof.ReaderMode.Strict
    try:
        rudof.read_shacl(str(shapes), reader_mode=strict)
        rudof.read_data(str(data), format=pyrudof.RDFFormat.NTriples, reader_mode=strict)
        t1 = time.perf_counter()
        report = rudof.validate_shacl()
    except Exception as exc:  # any refusal is the finding
        return {"error": f"cannot run these shapes ({_first_error(str(exc))})"}
    t2 = time.perf_counter()
    results = {(e.focus_node, e.path, e.constraint_component, e.severity) for e in report}
    return {
        "load_s": t1 - t0,
        "validate_s": t2 - t1,
        "total_s": t2 - t0,
        "peak_mb": _peak_self_mb(),
        "conforms": bool(report.conforms),
        "results": sorted(results, key=str),
    }


def _first_error(text: str) -> str:
    """The first line that says something: an exception's message, not its stack frames."""
    lines = [line.strip() for line in text.splitlines()]
    causes = [line for line in lines if line.startswith("Caused by: ")]
    if causes:  # a Java stack trace: the root cause says what went wrong
        return causes[-1].removeprefix("Caused by: ")[:200]
    for line in lines:
        if line and not line.startswith(("at ", "...", "SLF4J")):
            return line[:200]
    return "no message"


# --- the peers' inputs --------------------------------------------------------------------------


def peer_shapes(out: Path) -> list[str]:
    """Write the shipped shapes as one Turtle file, adding only the prefixes queries lack.

    Returns one line per added declaration, so the report shows what the shipped shapes
    would need to run unchanged on a strict SHACL-SPARQL engine.
    """
    from pyoxigraph import Store
    from rdflib import BNode, Graph, Literal, URIRef

    from kratomkg.resources import shape_files

    text = "\n".join(p.read_text(encoding="utf-8") for p in shape_files())
    graph = Graph(bind_namespaces="none")
    graph.parse(data=text, format="turtle")
    turtle_prefixes = {str(p): str(ns) for p, ns in graph.namespaces() if p}

    def sh(name: str) -> URIRef:
        return URIRef(SH + name)

    def parses(prefixes: dict[str, str], query: str) -> bool:
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
        try:
            Store().query(prologue + query)
        except SyntaxError:
            return False
        return True

    extra: list[str] = []
    notes: list[str] = []
    for predicate in (sh("select"), sh("ask")):
        for node, query in graph.subject_objects(predicate):
            holders = list(graph.objects(node, sh("prefixes")))
            declared = {
                str(graph.value(d, sh("prefix"))): str(graph.value(d, sh("namespace")))
                for h in holders
                for d in graph.objects(h, sh("declare"))
            }
            if parses(declared, str(query)):
                continue
            missing = {
                p: ns
                for p, ns in turtle_prefixes.items()
                if p not in declared and re.search(rf"(?<![\w.-]){re.escape(p)}:", str(query))
            }
            holder = holders[0] if holders else node
            if (
                not missing
                or isinstance(holder, BNode)
                or not parses(declared | missing, str(query))
            ):
                notes.append(f"{node}: query does not parse; passed on unchanged")
                continue
            if not holders:
                extra.append(f"<{node}> <{SH}prefixes> <{node}> .")
            for p, ns in sorted(missing.items()):
                label = f"_:benchDeclare{len(extra)}"
                extra += [
                    f"<{holder}> <{SH}declare> {label} .",
                    f"{label} <{SH}prefix> {Literal(p).n3()} .",
                    f'{label} <{SH}namespace> "{ns}"^^<{XSD_ANY_URI}> .',
                ]
                notes.append(f"`{p}:` ({ns}), used by <{node}>")
    out.write_text(text + "\n" + "\n".join(extra) + "\n", encoding="utf-8")
    return notes


def jena_classpath(folder: Path) -> str | None:
    """The class path for Debian's Jena, or None when java or the jars are missing."""
    jars = [JAVA_LIBS / "jena-cmds.jar", JAVA_LIBS / "jena-shacl.jar"]
    if shutil.which("java") is None or not all(j.is_file() for j in jars):
        return None
    entries = sorted(p for p in JAVA_LIBS.glob("jena-*.jar") if not re.search(r"-\d", p.name))
    entries += [JAVA_LIBS / f"{name}.jar" for name in JENA_DEPENDENCIES]
    entries = [e for e in entries if e.is_file()]
    relocated = folder / "jena-messages"
    with zipfile.ZipFile(JAVA_LIBS / "jena-core.jar") as core:
        names = set(core.namelist())
        old = "org/apache/jena/ext/xerces/"
        if "xerces/impl/xpath/regex/RegexParser.class" in names and (
            "xerces/impl/xpath/regex/message.properties" not in names
        ):
            for name in names:
                if name.startswith(old) and name.endswith(".properties"):
                    target = relocated / "xerces" / name[len(old) :]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(core.read(name))
            entries.append(relocated)
    return os.pathsep.join(str(e) for e in entries)


def jena_version() -> str:
    """Jena's version as its jar records it ("not installed" without the jar)."""
    jar = JAVA_LIBS / "jena-shacl.jar"
    if not jar.is_file():
        return "not installed"
    with zipfile.ZipFile(jar) as archive:
        name = "META-INF/maven/org.apache.jena/jena-shacl/pom.properties"
        if name not in archive.namelist():
            return "unknown version"
        found = re.search(r"^version=(.+)$", archive.read(name).decode(), re.MULTILINE)
    return found.group(1).strip() if found else "unknown version"


def jena_results(report: Path) -> set[Result]:
    """Read Jena's Turtle report with the reader kratomkg uses for pySHACL's report."""
    from rdflib import Graph

    from kratomkg.validation import results_of

    graph = Graph()
    graph.parse(report, format="turtle")
    return {(r.focus_node, r.path, r.constraint, r.severity) for r in results_of(graph)}


# --- the run ------------------------------------------------------------------------------------


def run_worker(args: list[str], timeout: float) -> dict[str, Any]:
    """Run one worker in a fresh interpreter; its JSON, or a note saying why there is none."""
    command = [sys.executable, __file__, "--worker", *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"note": f"timed out after {timeout:.0f} s", "timeout_s": timeout}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"note": f"failed: {_first_error(done.stderr)}"}
    measured: dict[str, Any] = json.loads(lines[-1])
    return measured


def _compare(found: set[Result], expected: set[Result]) -> dict[str, Any]:
    return {
        "missing": sorted(expected - found, key=str)[:LISTED_DIFFERENCES],
        "extra": sorted(found - expected, key=str)[:LISTED_DIFFERENCES],
        "n_missing": len(expected - found),
        "n_extra": len(found - expected),
    }


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    info = {
        "date": time.strftime("%Y-%m-%d"),
        "cpu": f"{os.cpu_count()} cores, {cpu}",
        "memory": f"{memory:.0f} GiB",
        "os": platform.platform(),
        "python": sys.version.split()[0],
    }
    for package in ("pyoxigraph", "pyshacl", "rdflib", "pyrudof"):
        try:
            info[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            info[package] = "not installed"
    info["jena"] = jena_version()
    if shutil.which("java"):
        version = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False)
        info["java"] = version.stderr.splitlines()[0] if version.stderr else "?"
    return info


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1k,10k,100k")
    parser.add_argument("--pyshacl-max", default="1k", help="skip pySHACL above this size")
    parser.add_argument("--jena-max", default="1M", help="skip Jena above this size")
    parser.add_argument("--pyrudof-max", default="1k", help="skip pyrudof above this size")
    parser.add_argument(
        "--engines",
        default="sparql,pyshacl,jena,pyrudof,floor",
        help="which to run (floor = the oxigraph bulk_load parse floor)",
    )
    parser.add_argument("--broken-rate", type=float, default=0.01)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per engine run")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite table and plot from the last JSON"
    )
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(dispatch(args.worker, args.timeout)))
        return
    if args.report_only:
        saved = json.loads((RESULTS / "validate_scale.json").read_text(encoding="utf-8"))
        write_table(saved, RESULTS / "validate_scale.md")
        plot(saved["rows"], RESULTS / "validate_scale.png")
        return
    limits = {
        "pyshacl": ("--pyshacl-max", args.pyshacl_max),
        "jena": ("--jena-max", args.jena_max),
        "pyrudof": ("--pyrudof-max", args.pyrudof_max),
    }
    chosen = [FLOOR if e.strip() == "floor" else e.strip() for e in args.engines.split(",")]
    if unknown := set(chosen) - set(ENGINES):
        parser.error(f"unknown engine(s): {', '.join(sorted(unknown))}")
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shapes = folder / "shapes.ttl"
        added = peer_shapes(shapes)
        classpath = jena_classpath(folder)
        missing = {
            "jena": None if classpath else "not installed (apt-get install libapache-jena-java)",
            "pyrudof": None
            if importlib.util.find_spec("pyrudof")
            else "not installed (pip install pyrudof)",
        }
        document: dict[str, Any] = {"machine": machine(), "shapes_added": added, "rows": rows}
        for size in (parse_size(s) for s in args.sizes.split(",")):
            source = folder / f"claims-{size}.ttl"
            generate(size, args.broken_rate, source)
            planted = planted_violations(source)
            merged = folder / f"claims-{size}.nt"
            dumped = run_worker(["dump", str(source), str(merged)], args.timeout)
            if "note" in dumped:
                raise SystemExit(f"could not write the N-Triples file: {dumped['note']}")
            kratomkg: set[Result] | None = None
            for engine in (e for e in ENGINES if e in chosen):
                row: dict[str, Any] = {"claims": size, "engine": engine}
                row["triples"] = dumped["triples"]
                if engine in limits and size > parse_size(limits[engine][1]):
                    row["note"] = f"skipped (above {limits[engine][0]} {limits[engine][1]})"
                elif missing.get(engine):
                    row["note"] = missing[engine]
                else:
                    row.update(measure(engine, source, merged, shapes, classpath, args.timeout))
                if "results" in row:
                    found = {tuple(r) for r in row.pop("results")}
                    row["planted"] = _compare(found, planted)
                    if engine == "sparql":
                        kratomkg = found
                    elif engine in PEERS and kratomkg is not None:
                        row["vs_kratomkg"] = _compare(found, kratomkg)
                shown = {k: v for k, v in row.items() if k not in ("planted", "vs_kratomkg")}
                print(json.dumps(shown | {"same": same_text(row)}), flush=True)
                rows.append(row)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "validate_scale.json").write_text(json.dumps(document, indent=1) + "\n")
    write_table(document, RESULTS / "validate_scale.md")
    plot(rows, RESULTS / "validate_scale.png")


def dispatch(worker: list[str], timeout: float) -> dict[str, Any]:
    """Run the worker named first in ``worker`` on the paths that follow."""
    name, *paths = worker
    if name in ("sparql", "pyshacl"):
        return kratomkg_worker(name, Path(paths[0]))
    if name == "dump":
        return dump_worker(Path(paths[0]), Path(paths[1]))
    if name == FLOOR:
        return floor_worker(Path(paths[0]))
    if name == "jena":
        data, shapes, report = (Path(p) for p in paths[:3])
        return jena_worker(data, shapes, report, paths[3], timeout)
    if name == "pyrudof":
        return pyrudof_worker(Path(paths[0]), Path(paths[1]))
    raise SystemExit(f"unknown worker {name}")


def measure(
    engine: str, source: Path, merged: Path, shapes: Path, classpath: str | None, timeout: float
) -> dict[str, Any]:
    """Time one engine on one size; results come back for the comparisons."""
    if engine in ("sparql", "pyshacl"):
        return run_worker([engine, str(source)], timeout)
    if engine == FLOOR:
        return run_worker([engine, str(merged)], timeout)
    if engine == "pyrudof":
        measured = run_worker([engine, str(merged), str(shapes)], timeout)
    else:
        report = merged.with_suffix(".jena.ttl")
        worker = [engine, str(merged), str(shapes), str(report), str(classpath)]
        measured = run_worker(worker, timeout + 60)  # the worker stops the JVM at ``timeout``
        if measured.pop("timed_out", False):
            return {"note": f"timed out after {timeout:.0f} s", "timeout_s": timeout}
        if "error" not in measured and "note" not in measured:
            measured["results"] = sorted(jena_results(report), key=str)  # outside the timing
        report.unlink(missing_ok=True)
    if "error" in measured:
        measured["note"] = measured.pop("error")
    return measured


# --- the report -------------------------------------------------------------------------------


def same_text(row: dict[str, Any]) -> str:
    """Say whether an engine found what it should, and how far off it is when not."""

    def one(label: str, diff: dict[str, Any]) -> str:
        if not diff["n_missing"] and not diff["n_extra"]:
            return f"{label}: yes"
        return f"{label}: NO ({diff['n_missing']} missing, {diff['n_extra']} extra)"

    if row["engine"] == FLOOR:
        return "(parse only)"
    parts = []
    if "vs_kratomkg" in row:
        parts.append(one("= kratomkg", row["vs_kratomkg"]))
    if "planted" in row:
        parts.append(one("planted", row["planted"]))
    return "; ".join(parts)


def _fmt(seconds: Any) -> str:
    return f"{seconds:.2f}" if isinstance(seconds, int | float) else "-"


def write_table(document: dict[str, Any], out: Path) -> None:
    """The Markdown table, each total set against Jena's from the same run."""
    rows: list[dict[str, Any]] = document["rows"]
    info: dict[str, str] = document["machine"]
    jena_total = {
        r["claims"]: r["total_s"] for r in rows if r["engine"] == "jena" and "total_s" in r
    }
    # Where Jena ran out of time, a ratio is still bounded: below total ÷ its time limit.
    jena_limit = {
        r["claims"]: r["timeout_s"] for r in rows if r["engine"] == "jena" and "timeout_s" in r
    }
    versions = ", ".join(
        f"{k} {info[k]}" for k in ("python", "pyoxigraph", "pyshacl", "rdflib", "pyrudof", "jena")
    )
    lines = [
        "# Validation at scale: kratomkg's engines, Apache Jena SHACL and pyrudof",
        "",
        f"One run on {info['date']}: {info['cpu']}, {info['memory']}, {info['os']}; "
        f"{versions}; {info.get('java', 'no java')} ({JAVA_HEAP}).",
        "",
        "Generated graphs, 1% broken claims. Every engine checks the same triples with the "
        "same shipped shapes: kratomkg's engines load the generated Turtle and derive the "
        "ratings themselves; Jena, pyrudof and the parse floor read those triples (data, "
        "ontology, derived ratings) written beforehand as one N-Triples file.",
        "load = reading the input (kratomkg: with the ontology); validate = derivation + shapes "
        "(kratomkg) or shapes only; Jena's total is its whole process (JVM start, parsing, "
        "validation), which its command does not split; kratomkg's totals include its imports "
        "but not the interpreter's start. peak = max RSS of that engine's process. "
        "same results: the (focus node, path, component, severity) set equals the SPARQL "
        "engine's from this run (= kratomkg) and the planted violations. "
        "ratio = total ÷ Jena's total at the same size.",
        "",
        "| claims | triples | engine | load (s) | validate (s) | total (s) | peak MB "
        "| same results | ratio vs Jena |",
        "|---:|---:|---|---:|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        head = f"| {r['claims']:,} | {r['triples']:,} | {r['engine']} "
        base = jena_total.get(r["claims"])
        if "note" in r:
            bound = f"> {r['timeout_s'] / base:.2f}" if base and "timeout_s" in r else ""
            lines.append(head + f"| {r['note']} | | | | | | {bound} |")
            continue
        ratio = f"{r['total_s'] / base:.2f}" if base else ""
        if r["claims"] in jena_limit:
            ratio = f"< {r['total_s'] / jena_limit[r['claims']]:.2f}"
        lines.append(
            head + f"| {_fmt(r.get('load_s'))} | {_fmt(r.get('validate_s'))} "
            f"| {r['total_s']:.2f} | {r['peak_mb']:.0f} | {same_text(r)} | {ratio} |"
        )
    lines += ["", *goals(rows, jena_total, jena_limit)]
    if document.get("notes"):
        lines += ["", "## Notes", "", *(f"- {note}" for note in document["notes"])]
    if document.get("shapes_added"):
        lines += [
            "",
            "The shipped shapes use prefixes that their SPARQL queries do not declare with "
            "`sh:declare`; Jena and pyrudof refuse such queries, so they were given the "
            "shapes plus these declarations:",
            "",
        ]
        lines += [f"- {note}" for note in document["shapes_added"]]
    differing = [r for r in rows if _differs(r)]
    if differing:
        lines += ["", "## Results that differ", ""]
        for r in differing:
            for key, label in (("vs_kratomkg", "the SPARQL engine"), ("planted", "planted")):
                diff = r.get(key)
                if not diff or not (diff["n_missing"] or diff["n_extra"]):
                    continue
                lines.append(f"{r['engine']} at {r['claims']:,} claims against {label}:")
                lines += [f"- missing: `{tuple(m)}`" for m in diff["missing"]]
                lines += [f"- extra: `{tuple(e)}`" for e in diff["extra"]]
                shown = len(diff["missing"]) + len(diff["extra"])
                if diff["n_missing"] + diff["n_extra"] > shown:
                    lines.append(f"- ... {diff['n_missing'] + diff['n_extra'] - shown} more")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


#: The goals: (claims, seconds at most, peak MB at most, ratio to Jena at most).
GOALS = ((100_000, 8.0, None, 0.4), (1_000_000, 90.0, 4096.0, 0.4))


def goals(
    rows: list[dict[str, Any]], jena_total: dict[int, float], jena_limit: dict[int, float]
) -> list[str]:
    """Say for each goal of the SPARQL engine whether this run met it, and by how much not."""
    lines = ["## Goals (SPARQL engine)", ""]
    for claims, seconds, peak, ratio in GOALS:
        row = next((r for r in rows if r["engine"] == "sparql" and r["claims"] == claims), None)
        if row is None or "total_s" not in row:
            lines.append(f"- {claims:,} claims: not measured in this run.")
            continue
        total = row["total_s"]
        verdicts = [
            f"total {total:.1f} s against {seconds:.0f} s: "
            + ("met" if total <= seconds else f"missed, {total / seconds:.1f}x over")
        ]
        if peak is not None:
            verdicts.append(
                f"peak {row['peak_mb']:.0f} MB against {peak:.0f} MB: "
                + ("met" if row["peak_mb"] <= peak else "missed")
            )
        base = jena_total.get(claims)
        if base:
            verdicts.append(
                f"÷ Jena {total / base:.2f} against {ratio}: "
                + ("met" if total / base <= ratio else "missed")
            )
        elif claims in jena_limit:
            bound = total / jena_limit[claims]
            verdicts.append(
                f"÷ Jena below {bound:.2f} (Jena timed out after {jena_limit[claims]:.0f} s) "
                f"against {ratio}: " + ("met" if bound <= ratio else "not known")
            )
        floor = next(
            (r for r in rows if r["engine"] == FLOOR and r["claims"] == claims and "total_s" in r),
            None,
        )
        if floor is not None and total > seconds:
            verdicts.append(
                f"parsing alone (oxigraph bulk_load) takes {floor['total_s']:.1f} s, "
                f"{floor['total_s'] / seconds:.1f}x the goal, for {row['triples']:,} triples"
            )
        if "derive_s" in row:
            verdicts.append(
                f"of which load {row['load_s']:.1f} s, derive {row['derive_s']:.1f} s, "
                f"shapes {row['shapes_s']:.1f} s"
            )
        lines.append(f"- {claims:,} claims: " + "; ".join(verdicts) + ".")
    return lines


def _differs(row: dict[str, Any]) -> bool:
    return any(
        row.get(key) and (row[key]["n_missing"] or row[key]["n_extra"])
        for key in ("vs_kratomkg", "planted")
    )


def plot(rows: list[dict[str, Any]], out: Path) -> None:
    """Total time against size, log-log, one line per engine."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 4))
    for engine in ENGINES:
        points = [
            (r["claims"], r["total_s"]) for r in rows if r["engine"] == engine and "total_s" in r
        ]
        if points:
            xs, ys = zip(*points, strict=True)
            axes.plot(xs, ys, marker="o", label=engine)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("claims (about 25 triples each)")
    axes.set_ylabel("total (s)")
    axes.set_title("SHACL validation time, same triples and shapes")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(out, dpi=120, metadata={"Software": None})


if __name__ == "__main__":
    main()

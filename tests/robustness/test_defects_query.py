"""Query engine limits that must hold for real: time, size, and which graphs a query names.

A time limit must stop the work, not only the wait; a huge answer must not be built as one
string before it is written; ``FROM`` and ``FROM NAMED`` are refused only when the local
store would have to fetch the graph.
"""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, URIRef

import kratomkg
from kratomkg.cli import cli
from kratomkg.errors import QueryError
from kratomkg.querying import engine
from kratomkg.querying.results import QueryResult, render, write_result
from kratomkg.querying.stores import MemoryStore, OxigraphStore

KB = "https://w3id.org/kratomkg/graph/kb"
DERIVED = "https://w3id.org/kratomkg/graph/derived"
# A regular expression that backtracks catastrophically on a string of a's ending in "!":
# Python's re needs minutes for it, holding the interpreter lock all the while.
BACKTRACKING = 'SELECT ?s WHERE { VALUES ?s { "' + "a" * 30 + '!" } FILTER(REGEX(?s, "^(a+)+$")) }'
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return engine.load_for_query()


def _children() -> dict[int, float]:
    """CPU seconds used so far by each child process of this one (read from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            found[int(entry)] = (int(fields[11]) + int(fields[12])) / ticks
    return found


def _nothing_keeps_burning(threads: set[threading.Thread]) -> None:
    """After a timeout, no new thread is left and no process of ours still computes.

    ``threads`` are those alive before the query. The CPU bound is low because a busy
    machine gives a computing thread only part of a core; an idle one uses almost none.
    """
    time.sleep(0.5)
    left = [t.name for t in threading.enumerate() if t not in threads and t.is_alive()]
    assert not left, left
    own, children = time.process_time(), _children()
    time.sleep(1.5)
    assert time.process_time() - own < 0.15, "a thread of this process still computes"
    later = _children()
    busy = {pid: later[pid] - used for pid, used in children.items() if pid in later}
    assert all(spent < 0.15 for spent in busy.values()), busy


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_backtracking_regex_on_the_memory_store_stops_at_the_time_limit(
    dataset: Dataset,
) -> None:
    store = MemoryStore(dataset)
    threads = set(threading.enumerate())
    started = time.monotonic()
    with pytest.raises(QueryError, match=r"time limit of 2 s") as raised:
        kratomkg.query(BACKTRACKING, store=store, timeout=2)
    assert time.monotonic() - started < 12
    assert "\n" not in str(raised.value)
    _nothing_keeps_burning(threads)
    # the store still answers afterwards
    assert kratomkg.query("ASK { ?s ?p ?o }", store=store).boolean is True


def test_a_backtracking_regex_from_the_cli_is_one_line_exit_2(
    runner: CliRunner, tmp_path: Path
) -> None:
    tiny = tmp_path / "tiny.ttl"
    tiny.write_text("<https://example.org/a> <https://example.org/b> 'c' .\n", encoding="utf-8")
    started = time.monotonic()
    result = runner.invoke(cli, ["query", BACKTRACKING, "--data", str(tiny), "--timeout", "2"])
    assert time.monotonic() - started < 45  # loading the ontology included
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "time limit of 2 s" in lines[0]
    assert result.stdout == ""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_timed_out_oxigraph_query_stops_computing(dataset: Dataset) -> None:
    store = OxigraphStore.from_dataset(lambda: dataset)
    try:
        threads = set(threading.enumerate())
        started = time.monotonic()
        with pytest.raises(QueryError, match=r"time limit of 1 s"):
            kratomkg.query(ENDLESS, store=store, timeout=1)
        assert time.monotonic() - started < 10
        _nothing_keeps_burning(threads)
        assert kratomkg.query("ASK { ?s ?p ?o }", store=store).boolean is True
    finally:
        store.close()


def test_a_closed_oxigraph_store_leaves_no_process_behind(dataset: Dataset) -> None:
    before = set(_children())
    store = OxigraphStore.from_dataset(lambda: dataset)
    assert kratomkg.query("ASK { ?s ?p ?o }", store=store).boolean is True
    store.close()
    assert set(_children()) <= before


def test_an_on_disk_oxigraph_store_answers_and_times_out(dataset: Dataset, tmp_path: Path) -> None:
    store = OxigraphStore.from_dataset(lambda: dataset, tmp_path / "oxi", "stamp")
    try:
        answer = kratomkg.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", store=store)
        assert answer.rows[0][0] == Literal(len(dataset))
        with pytest.raises(QueryError, match="time limit"):
            kratomkg.query(ENDLESS, store=store, timeout=0.5)
        again = kratomkg.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", store=store)
        assert again.rows == answer.rows
    finally:
        store.close()


# --- size: a row limit, and writers that stream ------------------------------------------

COMPOUNDS = "SELECT ?c WHERE { ?c a kkg:Compound } ORDER BY ?c"


@pytest.mark.parametrize("kind", ["memory", "oxigraph"])
def test_the_api_limit_cuts_the_answer_and_says_so(dataset: Dataset, kind: str) -> None:
    store = engine.open_store(kind, dataset=dataset)
    full = kratomkg.query(COMPOUNDS, store=store)
    assert len(full.rows) > 3
    assert not full.truncated
    cut = kratomkg.query(COMPOUNDS, store=store, limit=3)
    assert cut.rows == full.rows[:3]
    assert cut.truncated
    whole = kratomkg.query(COMPOUNDS, store=store, limit=len(full.rows))
    assert whole.rows == full.rows
    assert not whole.truncated
    graph = kratomkg.query(
        "CONSTRUCT { ?c a kkg:Compound } WHERE { ?c a kkg:Compound }", store=store, limit=2
    )
    assert graph.graph is not None
    assert len(graph.graph) == 2
    assert graph.truncated


@pytest.mark.parametrize("limit", [0, -1, 2.5, True])
def test_a_limit_that_is_no_row_count_is_refused(limit: object) -> None:
    with pytest.raises(QueryError, match="limit"):
        kratomkg.query("ASK {}", limit=limit)  # type: ignore[arg-type]


def test_cli_limit_writes_n_rows_and_one_notice(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["query", COMPOUNDS, "--format", "csv", "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.count(b"\r\n") == 3  # header and two rows
    notice = result.stderr.strip().splitlines()
    assert len(notice) == 1, result.stderr
    assert notice[0].startswith("kratomkg: showing the first 2 rows;")
    out = tmp_path / "answer.tsv"
    written = runner.invoke(cli, [*["query", COMPOUNDS, "--format", "tsv"], "-o", str(out)])
    assert written.exit_code == 0, written.output
    assert "showing the first" not in written.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) > 3


def test_cli_limit_must_be_a_positive_number(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["query", COMPOUNDS, "--limit", "0"])
    assert result.exit_code == 2
    assert "'--limit': 0 is not in the range x>=1" in result.stderr


class _Recorder(io.StringIO):
    """A text stream that remembers how large each write was."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    def write(self, text: str) -> int:
        self.sizes.append(len(text))
        return super().write(text)


def _big_table() -> QueryResult:
    rows: list[tuple[URIRef | Literal | None, ...]] = [
        (URIRef(f"https://example.org/s{i}"), Literal(f'v "{i}"\n\t'), None) for i in range(20_000)
    ]
    return QueryResult(form="SELECT", variables=("s", "v", "u"), rows=rows)  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_table_writers_stream_and_match_the_string_writers(fmt: str) -> None:
    result = _big_table()
    stream = _Recorder()
    write_result(result, fmt, stream)
    text = stream.getvalue()
    assert text == render(result, fmt)
    assert len(stream.sizes) > 10
    assert max(stream.sizes) < len(text) / 10


def test_ntriples_writer_streams_and_matches_the_export_writer() -> None:
    graph = QueryResult(form="CONSTRUCT", graph=Graph())
    assert graph.graph is not None
    for i in range(15_000):
        subject = URIRef(f"https://example.org/s{i}")
        graph.graph.add((subject, URIRef("https://example.org/p"), Literal(f"x\ny ‘{i}’")))
    stream = _Recorder()
    write_result(graph, "ntriples", stream)
    text = stream.getvalue()
    assert text == render(graph, "ntriples")
    assert len(stream.sizes) > 10
    assert max(stream.sizes) < len(text) / 10


def test_a_failed_streamed_write_leaves_the_old_file(tmp_path: Path) -> None:
    from kratomkg._io import atomic_text_stream

    target = tmp_path / "answer.csv"
    target.write_text("what the user had\n", encoding="utf-8")

    def fail_halfway() -> None:
        with atomic_text_stream(target) as handle:
            handle.write("half of an answer")
            raise RuntimeError("the writer failed")

    with pytest.raises(RuntimeError):
        fail_halfway()
    assert target.read_text(encoding="utf-8") == "what the user had\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answer.csv"]
    with atomic_text_stream(target) as handle:
        handle.write("a,b\r\nline\n")
    assert target.read_bytes() == b"a,b\r\nline\n"


# --- FROM and FROM NAMED -----------------------------------------------------------------


def _stores(dataset: Dataset) -> Iterator[object]:
    yield MemoryStore(dataset)
    store = OxigraphStore.from_dataset(lambda: dataset)
    yield store
    store.close()


def test_from_named_a_held_graph_is_allowed(dataset: Dataset) -> None:
    clauses = f"FROM <{KB}> FROM NAMED <{KB}> FROM NAMED <{DERIVED}>"
    text = f"SELECT DISTINCT ?g {clauses} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} ORDER BY ?g"
    for store in _stores(dataset):
        answer = kratomkg.query(text, store=store)  # type: ignore[arg-type]
        assert answer.rows == [(URIRef(DERIVED),), (URIRef(KB),)], store


REMOTE = [
    ("FROM NAMED <http://example.org/g>", "FROM NAMED <http://example.org/g> is refused"),
    ("FROM <http://example.org/g>", "FROM <http://example.org/g> is refused"),
    (f"FROM <{KB}> FROM NAMED <http://example.org/g>", "FROM NAMED <http://example.org/g> is"),
]


@pytest.mark.parametrize(("clause", "shown"), REMOTE)
def test_a_remote_dataset_clause_is_refused_by_its_own_name(
    dataset: Dataset, clause: str, shown: str
) -> None:
    text = f"SELECT * {clause} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    for store in _stores(dataset):
        with pytest.raises(QueryError) as raised:
            kratomkg.query(text, store=store)  # type: ignore[arg-type]
        assert shown in str(raised.value), store


def test_a_remote_from_named_from_the_cli_is_one_line_exit_2(runner: CliRunner) -> None:
    text = "SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }"
    result = runner.invoke(cli, ["query", text])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "FROM NAMED <http://example.org/g> is refused" in lines[0]

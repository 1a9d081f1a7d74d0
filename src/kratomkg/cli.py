"""The ``kratomkg`` command line: a thin click layer over the Python API.

Each command parses its arguments, calls one API function and maps errors to the exit-code
contract: 0 success or conforms, 1 the data violates the shapes, 2 usage or input error
(one line on stderr, never a traceback). Heavy modules are imported inside the commands so
that ``kratomkg --help`` stays fast.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from kratomkg._version import __version__

F = TypeVar("F", bound=Callable[..., Any])

# Output format choices, mirrored from the API registries (kept here as plain names so that
# building the CLI does not import rdflib); a test checks they match the registries.
REPORT_FORMAT_NAMES = ("text", "json", "turtle")
STATS_FORMAT_NAMES = ("text", "json")
ENGINE_NAMES = ("auto", "pyshacl", "sparql")
QUERY_FORMAT_NAMES = (
    *("table", "records", "csv", "tsv", "json", "xml"),
    *("turtle", "jsonld", "ntriples"),
)
FAIL_ON_NAMES = ("violation", "warning")
STORE_NAMES = ("memory", "oxigraph")
PASSWORD_ENV = "KRATOMKG_ENDPOINT_PASSWORD"  # noqa: S105 - the variable name, not a secret
EXPORT_FORMAT_NAMES = (
    *("turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"),
    *("graphml", "gexf", "dot", "cyjs", "csv-nodes", "csv-edges", "html"),
)
VIEW_NAMES = ("summary", "full")


# Options shared by several commands, defined once.
files_argument = click.argument("files", nargs=-1, type=click.Path(path_type=Path))
with_kb_option = click.option(
    "--with-kb", is_flag=True, help="Merge the shipped knowledge graph with FILES first."
)


output_option = click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    metavar="FILE",
    help="File to write (replaced atomically); '-' writes to stdout.",
)


def _emit(text: str, output: str, what: str) -> None:
    """Write ``text`` to stdout (``-``) or to the file ``output``, atomically."""
    if output == "-":
        click.echo(text, nl=False)
        return
    from kratomkg._io import atomic_write_text

    atomic_write_text(Path(output), text)
    click.echo(f"kratomkg: wrote {what} to {output}", err=True)


def input_files(func: F) -> F:
    """Add the FILES argument and the --with-kb option (FILES: your RDF files)."""
    return files_argument(with_kb_option(func))


class Seconds(click.ParamType):  # type: ignore[type-arg]  # generic only in click 8.2+
    """A time limit: a finite number of seconds above 0 and at most a day.

    "nan", "inf" and "1e300" parse as floats but are no time limit; they are refused here,
    as a usage error, rather than failing deep inside a timer.
    """

    name = "seconds"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        """Return ``value`` as seconds, or fail with a one-line usage error."""
        import math

        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(seconds) or not 0 < seconds <= 86_400:
            self.fail(
                f"{value!r} is not a time limit above 0 and at most 86400 seconds", param, ctx
            )
        return seconds


def _fail(message: str, code: int) -> None:
    click.echo(f"kratomkg: error: {message}", err=True)
    sys.exit(code)


def handle_errors(func: F) -> F:
    """Turn kratomkg errors (and a few OS ones) into one stderr line and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from kratomkg.errors import KratomKGError

        try:
            return func(*args, **kwargs)
        except KratomKGError as exc:
            _fail(str(exc), exc.exit_code)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(f"{where}{exc.strerror or exc}", 2)
        return None

    return wrapper  # type: ignore[return-value]


def _resolve_engine(engine: str) -> str:
    """Resolve 'auto': the SPARQL engine when pyoxigraph is installed, else pySHACL.

    Both engines give the same results (a differential test holds them to it), so 'auto'
    only trades speed for an optional dependency.
    """
    if engine != "auto":
        return engine
    from importlib.util import find_spec

    return "sparql" if find_spec("pyoxigraph") is not None else "pyshacl"


def _progress(message: str) -> None:
    click.echo(f"kratomkg: {message} ...", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="kratomkg")
def cli() -> None:
    """An evidence-first knowledge graph of kratom (Mitragyna speciosa).

    Every claimed effect in the graph carries the evidence it rests on and the risks that
    come with it; SHACL shapes guarantee it.

    \b
    Examples:
      kratomkg build              # validated release in dist/
      kratomkg validate           # check the shipped graph
      kratomkg validate my.ttl    # check your own file against the ontology
      kratomkg stats              # what the graph holds
    """


@cli.command()
@input_files
@click.option(
    "--format",
    "fmt",
    type=click.Choice(REPORT_FORMAT_NAMES),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINE_NAMES),
    default="auto",
    show_default=True,
    help="pyshacl (the reference engine) or sparql (the shapes compiled to SPARQL on "
    "Oxigraph; same results, much faster; pip install 'kratomkg[fast]'). auto picks sparql "
    "when pyoxigraph is installed, else pyshacl.",
)
@click.option(
    "--endpoint",
    metavar="URL",
    help="Run the SPARQL engine's queries on this SPARQL 1.1 endpoint instead of local files.",
)
@click.option(
    "--shapes",
    "shape_files",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="SHAPES",
    help="Validate FILES against these SHACL shapes only: no kratomkg ontology, shapes or "
    "derived ratings (repeat for several files). With --endpoint, the endpoint's default graph.",
)
@click.option(
    "--only-mine",
    is_flag=True,
    help="Report only results about resources your FILES describe (with --with-kb: not the "
    "shipped graph's own warnings).",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON_NAMES),
    default="violation",
    show_default=True,
    help="Exit 1 when a result of this severity or a worse one is reported.",
)
@handle_errors
def validate(
    files: tuple[Path, ...],
    with_kb: bool,
    fmt: str,
    engine: str,
    endpoint: str | None,
    shape_files: tuple[Path, ...],
    only_mine: bool,
    fail_on: str,
) -> None:
    """Validate RDF data against the kratomkg shapes, or against any SHACL shapes.

    With no FILES, checks the shipped knowledge graph. With FILES (Turtle, N-Triples,
    N-Quads, TriG, JSON-LD, RDF/XML), checks exactly those files against the ontology.
    With --endpoint, checks the default graph of a SPARQL endpoint (data, ontology and
    derived triples, as 'kratomkg build' writes them). Exit code 0 when the data conforms,
    1 when it violates the shapes (with --fail-on warning: also on a warning), 2 on bad
    input. Validated without --with-kb, results that name resources of the shipped graph
    get one hint line on stderr. With --shapes, FILES are checked against those shapes
    alone, as any SHACL processor would (--format turtle writes the sh:ValidationReport).

    \b
    Examples:
      kratomkg validate
      kratomkg validate claims.ttl --with-kb --only-mine
      kratomkg validate claims.ttl --with-kb --format json --fail-on warning
      kratomkg validate big.nt --engine sparql
      kratomkg validate --endpoint http://localhost:7878/query
      kratomkg validate data.ttl --shapes shapes.ttl --format turtle
    """
    from kratomkg.errors import InputError
    from kratomkg.validation import described_in_user_files, fails, only_results_about

    if shape_files:
        if with_kb or only_mine:
            raise click.UsageError(
                "--shapes validates FILES against those shapes alone: no --with-kb or --only-mine"
            )
        report = _validate_with_shapes(files, shape_files, engine, endpoint)
        click.echo(report.render(fmt), nl=False)
        if fmt != "text":
            click.echo(report.summary(), err=True)
        sys.exit(1 if fails(report, fail_on) else 0)

    if only_mine and not files:
        raise InputError(
            "--only-mine", "needs FILES: it keeps the results about what they describe"
        )
    data: Any = None
    if endpoint is not None:
        if files or with_kb or engine == "pyshacl":
            raise click.UsageError(
                "--endpoint validates the endpoint's data: give no FILES, "
                "no --with-kb and no --engine pyshacl"
            )
        from kratomkg.shacl import validate_endpoint

        report = validate_endpoint(endpoint)
    elif _resolve_engine(engine) == "sparql":
        from kratomkg.shacl import validate_store
        from kratomkg.store_loading import load_store

        data = load_store(files, kb=True if with_kb else None)
        report = validate_store(data)
    else:
        from kratomkg.loading import load
        from kratomkg.validation import validate as run_validation

        data = load(files, kb=True if with_kb else None)
        report = run_validation(data)
    hint = None
    if files and not with_kb:
        from kratomkg.validation import with_kb_hint

        hint = with_kb_hint(report)
    if only_mine:
        focus = {r.focus_node for r in report.results}
        mine = only_results_about(report, described_in_user_files(data, focus))
        left_out = len(report.results) - len(mine.results)
        report = mine
    click.echo(report.render(fmt), nl=False)
    if fmt != "text":
        click.echo(report.summary(), err=True)
    if only_mine:
        click.echo(
            f"kratomkg: --only-mine: left out {left_out} result(s) about resources "
            "your files do not describe",
            err=True,
        )
    if hint is not None:
        click.echo(hint, err=True)
    sys.exit(1 if fails(report, fail_on) else 0)


def _validate_with_shapes(
    files: tuple[Path, ...], shape_files: tuple[Path, ...], engine: str, endpoint: str | None
) -> Any:
    """Run ``validate --shapes``: the general SHACL processor, on files or an endpoint."""
    from kratomkg.shacl.general import validate_shapes

    if endpoint is not None:
        if files or engine == "pyshacl":
            raise click.UsageError(
                "--endpoint validates the endpoint's data: give no FILES and no --engine pyshacl"
            )
        from kratomkg.shacl.general import validate_endpoint_with_shapes

        return validate_endpoint_with_shapes(endpoint, shape_files)
    if not files:
        raise click.UsageError("--shapes needs the DATA files to validate")
    resolved = _resolve_engine(engine)
    return validate_shapes(files, shape_files, engine=resolved)


@cli.command()
@click.option(
    "--out",
    "out_dir",
    # The API checks what is at the path, so the CLI gives its one-line error, not click's.
    type=click.Path(path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Folder to write the release into (replaced atomically).",
)
@click.option(
    "--site-url",
    default=None,
    metavar="URL",
    help="Where site/ will be published; its w3id redirect rules point there "
    "[default: https://kratomkg.github.io/kratomkg/].",
)
@handle_errors
def build(out_dir: Path, site_url: str | None) -> None:
    """Build the validated release: RDF files, linked-data site, manifest and report.

    Loads the ontology and knowledge base, validates them (exit 1 and write nothing on any
    violation), derives the ratings, and writes every artefact into OUT, with the static
    linked-data site in OUT/site/. The previous release is replaced only once the new one
    is complete.

    \b
    Example:
      kratomkg build --out dist
      kratomkg build --site-url https://example.org/kratomkg/
    """
    from kratomkg.release import build as run_build

    result = run_build(out_dir, progress=_progress, site_url=site_url)
    site = result.manifest.get("site")
    pages = f" and site/ ({site['files']} files)" if isinstance(site, dict) else ""
    click.echo(f"kratomkg: wrote {len(result.files)} files{pages} to {result.out_dir}/")
    click.echo(result.report.summary())


@cli.command()
@input_files
@click.option(
    "--format",
    "fmt",
    type=click.Choice(STATS_FORMAT_NAMES),
    default="text",
    show_default=True,
    help="Output format.",
)
@handle_errors
def stats(files: tuple[Path, ...], with_kb: bool, fmt: str) -> None:
    """Count resources by class, evidence by design, claims and risks by derived rating.

    With no FILES, counts the shipped knowledge graph; with FILES, those files (--with-kb
    adds the shipped graph). Counted on Oxigraph when pyoxigraph is installed (fast on
    millions of triples), else with rdflib; the counts are the same.

    \b
    Examples:
      kratomkg stats
      kratomkg stats my-claims.ttl --with-kb --format json
    """
    from kratomkg.counts import count_files

    if with_kb and not files:
        click.echo(
            "kratomkg: --with-kb merges the shipped graph with FILES; with no FILES the "
            "shipped graph alone is counted",
            err=True,
        )
    click.echo(count_files(files, kb=True if with_kb else None).render(fmt), nl=False)


def _params(pairs: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"'{pair}' is not NAME=VALUE", param_hint="--param")
        params[name.strip()] = value
    return params


def _password(user: str | None) -> str | None:
    import os

    return os.environ.get(PASSWORD_ENV) if user is not None else None


def _looks_like_sparql(text: str) -> bool:
    import re

    return "{" in text or bool(
        re.match(r"\s*(SELECT|ASK|CONSTRUCT|DESCRIBE|PREFIX|BASE)\b", text, re.I)
    )


def _query_arguments(
    arguments: tuple[str, ...],
    query_file: Path | None,
    named: str | None,
    data_files: tuple[Path, ...],
) -> tuple[str | None, tuple[Path, ...]]:
    """Split ``query [QUERY] [FILES]...`` into the query text and the data files.

    With --file or --named the query is given, so every argument is a data file; without
    them the first argument is the query. An argument that is no file but reads as SPARQL
    next to --file or --named is a second query, refused as such rather than as a missing
    file.
    """
    given = query_file is not None or named is not None
    if query_file is not None and named is not None:
        raise click.UsageError("give exactly one of QUERY, --file FILE or --named NAME")
    if not given and not arguments:
        raise click.UsageError("give exactly one of QUERY, --file FILE or --named NAME")
    sparql = None if given else arguments[0]
    paths = arguments if given else arguments[1:]
    if given and paths and not Path(paths[0]).exists() and _looks_like_sparql(paths[0]):
        raise click.UsageError(
            "give exactly one of QUERY, --file FILE or --named NAME (with --file or --named, "
            f"every argument is a data file, and {paths[0]!r} is none)"
        )
    return sparql, (*(Path(p) for p in paths), *data_files)


def _warn_unknown_iris(
    store: Any, named: str | None, params: dict[str, str], timeout: float
) -> None:
    """Say on stderr which IRIs given with --param the queried graph does not hold.

    A misspelt IRI is not an error (the answer is simply empty) but it looks like one that
    found nothing, so one line names it. Defaults of named queries are not checked.
    """
    from rdflib import URIRef

    from kratomkg.querying.bindings import check_name, parse_value
    from kratomkg.querying.named import named_query
    from kratomkg.querying.results import curie, n3
    from kratomkg.querying.safety import CheckedQuery

    if named is not None:
        bound = named_query(named).bindings(params)
        terms = [bound[check_name(k)] for k in params]
    else:
        terms = [parse_value(v, "any", f"--param {k}") for k, v in params.items()]
    missing = []
    for term in dict.fromkeys(t for t in terms if isinstance(t, URIRef)):
        iri = n3(term)
        text = f"ASK {{ {{ {iri} ?p ?o }} UNION {{ ?s ?p {iri} }} UNION {{ ?s {iri} ?o }} }}"
        if not store.run(CheckedQuery(text, "ASK", "--param"), {}, timeout).boolean:
            missing.append(curie(term))
    if missing:
        click.echo(
            f"kratomkg: warning: --param {', '.join(missing)}: not in the queried graph "
            "(check the spelling; kratomkg queries NAME shows the parameters)",
            err=True,
        )


@cli.command()
@click.argument("arguments", nargs=-1, metavar="[QUERY] [FILES]...")
@click.option(
    "--file",
    "query_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the query from a .rq file.",
)
@click.option("--named", metavar="NAME", help="Run a named query (list them: kratomkg queries).")
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help='Bind a variable: kid:mor, <https://...>, "text"@en, 42; for an IRI parameter of a '
    "named query a bare slug (receptor=mor) means kid:mor. Repeatable.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(QUERY_FORMAT_NAMES),
    default=None,
    help="table|records|csv|tsv|json|xml for SELECT/ASK (default table; records: one "
    "'field: value' block per row, for long text); turtle|jsonld|ntriples for "
    "CONSTRUCT/DESCRIBE (default turtle).",
)
@click.option(
    "--store",
    type=click.Choice(STORE_NAMES),
    default="memory",
    show_default=True,
    help="Local store: rdflib in memory, or Oxigraph (pip install 'kratomkg[fast]').",
)
@click.option(
    "--store-path",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the Oxigraph store on disk here; reused while the inputs are unchanged.",
)
@click.option("--endpoint", metavar="URL", help="Query a SPARQL 1.1 Protocol server instead.")
@click.option("--user", help=f"User for --endpoint (password from ${PASSWORD_ENV}).")
@click.option(
    "--data",
    "data_files",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Same as a FILES argument (kept for scripts); repeatable.",
)
@click.option("--with-kb", is_flag=True, help="Merge the shipped knowledge graph with FILES.")
@click.option(
    "--compare",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="A previous release (e.g. kratomkg.nq) for release-diff and certainty-changes.",
)
@click.option(
    "--timeout",
    type=Seconds(),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="Stop the query after this many seconds.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Show at most N rows (or triples); stderr says when the answer had more.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the answer to this file (atomically) instead of stdout.",
)
@handle_errors
def query(
    arguments: tuple[str, ...],
    query_file: Path | None,
    named: str | None,
    params: tuple[str, ...],
    fmt: str | None,
    store: str,
    store_path: Path | None,
    endpoint: str | None,
    user: str | None,
    data_files: tuple[Path, ...],
    with_kb: bool,
    compare: Path | None,
    timeout: float,
    limit: int | None,
    output: Path | None,
) -> None:
    """Ask the graph a question in SPARQL: inline, from a file, or a named query.

    Without --file or --named, the first argument is the query text and the others are
    RDF FILES to query; with --file or --named, every argument is a data file. With no
    FILES, the shipped knowledge graph is queried (--with-kb merges it with FILES).
    Parameters bind variables (never pasted into the text); a bound IRI that the graph
    does not hold is reported on stderr. SERVICE, LOAD, remote FROM and updates are
    refused: a local query never reaches the network. Exit code 2 on a malformed or
    refused query, with its line and column.

    \b
    Examples:
      kratomkg query --named receptor-ligands --param receptor=kor
      kratomkg query 'SELECT ?c WHERE { ?c a kkg:Compound }' --format csv
      kratomkg query 'SELECT ?c WHERE { ?c a kkg:Compound }' my.ttl --with-kb
      kratomkg query --named article-claims --format records
      kratomkg query --named contested-claims --store oxigraph --format json
      kratomkg query --named release-diff --compare old/kratomkg.nq
      kratomkg query --named claims-by-certainty --endpoint http://localhost:7878/query
    """
    from kratomkg.querying import engine
    from kratomkg.querying.results import write_result

    sparql, files = _query_arguments(arguments, query_file, named, data_files)
    if endpoint is not None and (files or compare or store_path or store != "memory"):
        raise click.UsageError(
            "--endpoint queries the server's data: FILES, --compare, --store and --store-path "
            "do not apply (push the data first: kratomkg push)"
        )
    if store_path is not None and store != "oxigraph":
        raise click.UsageError("--store-path needs --store oxigraph")
    source = "<query>"
    if query_file is not None:
        from kratomkg.errors import InputError

        if not query_file.is_file():
            raise InputError(query_file, "no such file")
        raw = query_file.read_bytes()
        try:
            sparql = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise InputError(
                query_file, f"line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x})"
            ) from None
        source = str(query_file)
    kb = True if with_kb else None
    if endpoint is not None:
        runner = engine.open_store(endpoint=endpoint, user=user, password=_password(user))
    elif store == "oxigraph":
        from kratomkg.querying.stores import OxigraphStore

        stamp = engine.fingerprint(files, kb=kb, compare=compare) if store_path else None
        # Straight into Oxigraph, as validate and stats load: rdflib never sees the files.
        runner = OxigraphStore.from_files(
            files, kb=kb, compare=compare, path=store_path, fingerprint=stamp
        )
    else:
        runner = engine.open_store(dataset=engine.load_for_query(files, kb=kb, compare=compare))
    try:
        result = engine.query(
            sparql if named is None else None,
            named=named,
            params=_params(params),
            store=runner,
            timeout=timeout,
            source=source,
            limit=limit,
        )
        if endpoint is None:
            _warn_unknown_iris(runner, named, _params(params), timeout)
        if result.graph is None and (fmt or "table") in ("table", "records"):
            from kratomkg.querying import table

            text = (table.render_table if fmt != "records" else table.render_records)(
                result,
                labels=table.fetch_labels(runner, result, timeout),
                color=output is None and table.color_wanted(sys.stdout),
            )
        else:
            text = ""  # the other formats are written as they are encoded, below
    finally:
        close = getattr(runner, "close", None)
        if close is not None:
            close()
    if output is not None:
        from kratomkg._io import atomic_text_stream

        with atomic_text_stream(output) as handle:
            if text:
                handle.write(text)
            else:
                write_result(result, fmt, handle)
        click.echo(f"kratomkg: wrote {len(result)} result(s) to {output}", err=True)
    elif text:
        click.echo(text, nl=False)
    else:
        write_result(result, fmt, sys.stdout)
    if result.truncated:
        what = "triples" if result.graph is not None else "rows"
        click.echo(
            f"kratomkg: showing the first {len(result)} {what}; the answer has more "
            "(raise --limit to see more)",
            err=True,
        )


@cli.command()
@click.argument("name", required=False)
@handle_errors
def queries(name: str | None) -> None:
    """List the named competency queries, or print one of them.

    \b
    Examples:
      kratomkg queries
      kratomkg queries receptor-ligands     # its SPARQL text and parameters
    """
    from kratomkg.querying.named import named_queries, named_query

    if name is not None:
        click.echo(named_query(name).text, nl=False)
        return
    found = named_queries()
    width = max(len(n) for n in found)
    for entry in found.values():
        params = " ".join(f"[--param {p.name}={p.default or '...'}]" for p in entry.parameters)
        extra = " [--compare FILE]" if entry.compares_releases else ""
        usage = f" {params}" if params else ""
        click.echo(f"{entry.name.ljust(width)}  {entry.description}{usage}{extra}")


@cli.command()
@files_argument
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="The server's SPARQL 1.1 Graph Store Protocol URL (e.g. Oxigraph's /store).",
)
@click.option(
    "--graph",
    metavar="IRI",
    help="Put everything into this one graph (default: one graph per kratomkg graph).",
)
@click.option(
    "--replace",
    is_flag=True,
    help="PUT: the target graphs then hold exactly this push (default POST merges).",
)
@with_kb_option
@click.option("--user", help=f"User for the server (password from ${PASSWORD_ENV}).")
@click.option(
    "--timeout",
    type=Seconds(),
    default=300.0,
    show_default=True,
    metavar="SECONDS",
    help="Time limit for each upload.",
)
@handle_errors
def push(
    files: tuple[Path, ...],
    endpoint: str,
    graph: str | None,
    replace: bool,
    with_kb: bool,
    user: str | None,
    timeout: float,
) -> None:
    """Load the graph into any SPARQL 1.1 server (Graph Store Protocol).

    Sends the shipped graph (or FILES) with its derived ratings, one named graph per part.
    Pushing twice does not duplicate anything; --replace also drops what an earlier push
    sent to the same graphs and this one no longer has (use it for a new release).

    \b
    Examples:
      kratomkg push --endpoint http://localhost:7878/store --replace
      kratomkg push --endpoint http://localhost:3030/kratom/data --graph urn:kratomkg
    """
    from kratomkg.querying.engine import load_for_query
    from kratomkg.querying.pushing import push as run_push

    dataset = load_for_query(files, kb=True if with_kb else None)
    result = run_push(
        endpoint,
        dataset,
        graph=graph,
        replace=replace,
        user=user,
        password=_password(user),
        timeout=timeout,
    )
    for iri, count in result.graphs.items():
        click.echo(f"kratomkg: {result.method} <{iri}>: {count} triples")
    click.echo(f"kratomkg: pushed {result.triples} triples to {endpoint}")


@cli.command()
@input_files
@click.option(
    "--format", "fmt", type=click.Choice(EXPORT_FORMAT_NAMES), required=True, help="Export format."
)
@click.option(
    "--view",
    type=click.Choice(VIEW_NAMES),
    default=None,
    help="Graph formats only: 'summary' (compounds, receptors, effects, conditions, risks; "
    "claims as edges; the default) or 'full' (every resource and triple).",
)
@output_option
@handle_errors
def export(files: tuple[Path, ...], with_kb: bool, fmt: str, view: str | None, output: str) -> None:
    """Export the graph for triple stores, graph tools or a browser.

    RDF formats (turtle, ntriples, nquads, trig, jsonld, rdfxml) write every triple with
    the derived ratings; graph formats (graphml for yEd, gexf for Gephi, dot for Graphviz, cyjs
    for Cytoscape, csv-nodes/csv-edges for Neo4j) write the --view projection; html is a
    self-contained offline viewer. With no FILES, exports the shipped knowledge graph.

    \b
    Examples:
      kratomkg export --format html -o kratomkg.html
      kratomkg export --format graphml --view full -o kratomkg-full.graphml
      kratomkg export --format turtle -o -
    """
    from kratomkg.derivation import derive
    from kratomkg.export.registry import export_graph
    from kratomkg.loading import load

    dataset = load(files, kb=True if with_kb else None)
    derive(dataset)
    _emit(export_graph(dataset, fmt, view), output, fmt)


@cli.command()
@click.argument("articles", nargs=-1, required=True, metavar="ARTICLE...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json", "claimreview", "html"]),
    default="text",
    show_default=True,
    help="Report format: text (coloured on a terminal), markdown, json (schema "
    "https://w3id.org/kratomkg/check/report/1), claimreview (schema.org JSON-LD) or html.",
)
@output_option
@click.option(
    "--url", metavar="URL", help="Where the article was published (each claim's appearance)."
)
@click.option(
    "--date",
    "date_",
    metavar="YYYY-MM-DD",
    help="Date of this review (ClaimReview datePublished); never read from the clock, so the "
    "same input gives the same output.",
)
@click.option(
    "--fail-below",
    type=click.Choice(["high", "moderate", "low", "very-low"]),
    default=None,
    help="Exit 1 when an affirmed claim's certainty is below this level or the graph has "
    "no evidence for it (for moderation pipelines).",
)
@handle_errors
def check(
    articles: tuple[str, ...],
    fmt: str,
    output: str,
    url: str | None,
    date_: str | None,
    fail_below: str | None,
) -> None:
    """Say what an article claims about kratom and what the evidence says about each claim.

    ARTICLE is a plain-text, Markdown or HTML file, or '-' for standard input. Every claim
    keeps its sentence and character span; a claim the graph has no proposition for is
    reported as having no evidence in the graph, never matched to the nearest claim.

    \b
    Examples:
      kratomkg check post.txt
      kratomkg check page.html --format html -o report.html
      curl -s URL | kratomkg check - --url URL --format claimreview
    Exit codes: 0 report written; 1 with --fail-below, a claim below the level; 2 bad input.
    """
    import datetime

    from kratomkg.checking import check_file
    from kratomkg.checking.render import render
    from kratomkg.errors import InputError

    if date_ is not None:
        try:
            datetime.date.fromisoformat(date_)
        except ValueError:
            raise InputError("--date", f"{date_!r} is not a date in the form YYYY-MM-DD") from None
    if fmt == "html" and len(articles) > 1:
        raise InputError("--format html", "writes one article per page; give one ARTICLE")
    if url is not None and len(articles) > 1:
        raise InputError("--url", "names one article; give one ARTICLE with --url")
    reports = [check_file(a, url=url, date=date_) for a in articles]
    color = output == "-" and fmt == "text" and sys.stdout.isatty()
    _emit(render([r.to_dict() for r in reports], fmt, color=color), output, f"{fmt} report")
    if fail_below is not None:
        weak = [c for r in reports for c in r.weak_claims(fail_below)]
        if weak:
            click.echo(
                f"kratomkg: {len(weak)} claim(s) below {fail_below} certainty"
                " or with no evidence in the graph",
                err=True,
            )
            sys.exit(1)


@cli.command()
@input_files
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--backend",
    metavar="URL",
    help="Answer from this SPARQL 1.1 server (its query URL) instead of the embedded store.",
)
@click.option("--user", help="User for --backend.")
@click.option(
    "--password",
    envvar=PASSWORD_ENV,
    show_envvar=True,
    help="Password for --user (better given in the environment variable).",
)
@click.option(
    "--timeout",
    type=Seconds(),
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="Time limit for each query.",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    metavar="N",
    help="Rows (or triples) an answer may hold; longer ones are cut.",
)
@click.option(
    "--max-request-bytes",
    type=click.IntRange(min=1),
    default=100_000,
    show_default=True,
    metavar="N",
    help="Bytes a request's query string or body may take.",
)
@handle_errors
def serve(
    files: tuple[Path, ...],
    with_kb: bool,
    host: str,
    port: int,
    backend: str | None,
    user: str | None,
    password: str | None,
    timeout: float,
    max_rows: int,
    max_request_bytes: int,
) -> None:
    """Serve the graph as linked data, with a SPARQL 1.1 endpoint at /sparql.

    Loads the shipped graph (or FILES) with its derived ratings, or answers from a SPARQL
    server that holds a pushed release (--backend). Only reads: updates, SERVICE, LOAD and
    remote FROM are refused.

    \b
    Examples:
      kratomkg serve                         # http://127.0.0.1:8000/
      kratomkg serve --backend http://localhost:7878/query
    """
    from kratomkg.serve import Limits
    from kratomkg.serve import serve as run_server

    limits = Limits(timeout=timeout, max_rows=max_rows, max_request_bytes=max_request_bytes)
    run_server(
        files,
        kb=True if with_kb else None,
        host=host,
        port=port,
        backend=backend,
        user=user,
        password=password if user is not None else None,
        limits=limits,
        ready=lambda url: click.echo(f"kratomkg: serving on {url} (Ctrl-C stops)", err=True),
    )


def main() -> None:
    """Entry point of the ``kratomkg`` console script."""
    cli(prog_name="kratomkg")

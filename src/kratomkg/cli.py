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
EXPORT_FORMAT_NAMES = (
    *("turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"),
    *("graphml", "gexf", "dot", "cyjs", "csv-nodes", "csv-edges", "html"),
)
VIEW_NAMES = ("summary", "full")


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
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--with-kb", is_flag=True, help="Merge the shipped knowledge graph with FILES first.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(REPORT_FORMAT_NAMES),
    default="text",
    show_default=True,
    help="Report format.",
)
@handle_errors
def validate(files: tuple[Path, ...], with_kb: bool, fmt: str) -> None:
    """Validate RDF data against the kratomkg shapes.

    With no FILES, checks the shipped knowledge graph. With FILES (Turtle, N-Triples,
    N-Quads, TriG, JSON-LD, RDF/XML), checks exactly those files against the ontology.
    Exit code 0 when the data conforms, 1 when it violates the shapes, 2 on bad input.

    \b
    Examples:
      kratomkg validate
      kratomkg validate claims.ttl --with-kb --format json
    """
    from kratomkg.loading import load
    from kratomkg.validation import validate as run_validation

    dataset = load(files, kb=with_kb or None if files else None)
    report = run_validation(dataset)
    click.echo(report.render(fmt), nl=False)
    if fmt != "text":
        click.echo(report.summary(), err=True)
    sys.exit(0 if report.conforms else 1)


@cli.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Folder to write the release into (replaced atomically).",
)
@handle_errors
def build(out_dir: Path) -> None:
    """Build the validated release: RDF files, manifest and report.

    Loads the ontology and knowledge base, validates them (exit 1 and write nothing on any
    violation), derives grades, and writes every artefact into OUT. The previous release
    is replaced only once the new one is complete.

    \b
    Example:
      kratomkg build --out dist
    """
    from kratomkg.release import build as run_build

    result = run_build(out_dir, progress=_progress)
    click.echo(f"kratomkg: wrote {len(result.files)} files to {result.out_dir}/")
    click.echo(result.report.summary())


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--with-kb", is_flag=True, help="Merge the shipped knowledge graph with FILES first.")
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
    """Count resources by class, evidence by level and claims by grade.

    \b
    Examples:
      kratomkg stats
      kratomkg stats --format json
    """
    from kratomkg.counts import stats as run_stats
    from kratomkg.loading import load

    dataset = load(files, kb=with_kb or None if files else None)
    click.echo(run_stats(dataset).render(fmt), nl=False)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--with-kb", is_flag=True, help="Merge the shipped knowledge graph with FILES first.")
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
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    metavar="FILE",
    help="File to write (replaced atomically); '-' writes to stdout.",
)
@handle_errors
def export(files: tuple[Path, ...], with_kb: bool, fmt: str, view: str | None, output: str) -> None:
    """Export the graph for triple stores, graph tools or a browser.

    RDF formats (turtle, ntriples, nquads, trig, jsonld, rdfxml) write every triple with
    derived grades; graph formats (graphml for yEd, gexf for Gephi, dot for Graphviz, cyjs
    for Cytoscape, csv-nodes/csv-edges for Neo4j) write the --view projection; html is a
    self-contained offline viewer. With no FILES, exports the shipped knowledge graph.

    \b
    Examples:
      kratomkg export --format html -o kratomkg.html
      kratomkg export --format graphml --view full -o kratomkg-full.graphml
      kratomkg export --format turtle -o -
    """
    from kratomkg._io import atomic_write_text
    from kratomkg.derivation import derive
    from kratomkg.export.registry import export_graph
    from kratomkg.loading import load

    dataset = load(files, kb=True if with_kb else None)
    derive(dataset)
    text = export_graph(dataset, fmt, view)
    if output == "-":
        click.echo(text, nl=False)
    else:
        atomic_write_text(Path(output), text)
        click.echo(f"kratomkg: wrote {fmt} to {output}", err=True)


def main() -> None:
    """Entry point of the ``kratomkg`` console script."""
    cli(prog_name="kratomkg")

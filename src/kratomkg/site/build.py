"""Write the static linked-data site: one page and two RDF documents per resource.

The site is plain files with relative links only, so the same folder works opened from
disk, published at a host's root or below a sub-path, and behind the w3id redirects (only
``404.html``, which the host shows at any missing address, links from the site's URL path
instead). Every
file is a function of the data alone (deterministic serializers, no dates), so two builds of
the same sources give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import threading
from collections.abc import Callable, Mapping, Sequence
from importlib.resources import files as package_files
from pathlib import Path
from typing import Final

from rdflib import Dataset, Graph, URIRef

from kratomkg.export._jsonld import has_odd_types, jsonld_nodes
from kratomkg.export._turtle import write_turtle
from kratomkg.export.rdf import JSONLD_CONTEXT, _namespaces, _normalise_jsonld, _stable
from kratomkg.export.registry import export_graph
from kratomkg.loading import union_graph
from kratomkg.namespaces import ONTOLOGY_IRI
from kratomkg.querying.stores import FORKS, _die_with_parent
from kratomkg.site.describe import describe
from kratomkg.site.htaccess import site_htaccess, site_root_path, w3id_htaccess
from kratomkg.site.ontology_docs import ontology_graph, ontology_html
from kratomkg.site.pages import (
    context_for,
    render_index,
    render_not_found,
    render_resource,
    render_search,
    resources,
    search_index,
)
from kratomkg.site.paths import SITE_BASE, check_site_url, document_path, relative_root
from kratomkg.site.void import void_graph

__all__ = ["HOSTED_SITE_URL", "MANIFEST_COPY", "site_digest", "write_site"]

# Where the published site lives; the w3id redirects (w3id.htaccess) point there.
HOSTED_SITE_URL: Final = "https://kratomkg.github.io/kratomkg/"

# The release manifest, copied into the site's downloads. It names the site's digest, so it
# is the one site file the digest leaves out.
MANIFEST_COPY: Final = "downloads/manifest.json"

_DIGEST_PLACEHOLDER: Final = "0" * 64

ManifestWriter = Callable[[Mapping[str, object]], str]


class _Serializers:
    """The release's deterministic Turtle and JSON-LD writers, set up once for many graphs.

    Going through :func:`kratomkg.export.rdf.serialize` would copy every small description
    into a Dataset and back and rebuild the prefix map each time, which costs more than the
    writing. One prefix map, made from the whole graph, serves every description, so a
    namespace has the same prefix in every file of the site.
    """

    def __init__(self, graph: Graph) -> None:
        self.namespaces = _namespaces([graph])

    def turtle(self, graph: Graph) -> str:
        stable = _stable(graph)
        stable.namespace_manager = self.namespaces
        return write_turtle(stable)

    def jsonld(self, graph: Graph) -> str:
        stable = _stable(graph)
        nodes = jsonld_nodes(stable, JSONLD_CONTEXT, use_rdf_type=has_odd_types(stable))
        ordered = sorted(
            (_normalise_jsonld(node) for node in nodes), key=lambda node: str(node.get("@id", ""))
        )
        document = {"@context": JSONLD_CONTEXT, "@graph": ordered}
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def site_digest(site: Path, exclude: frozenset[str] = frozenset({MANIFEST_COPY})) -> str:
    """Return the SHA-256 of the site's ``sha256sum`` listing, as the manifest records it.

    The listing has one ``<sha256>  <path>`` line per file (paths relative to ``site``,
    sorted), the format ``sha256sum --check`` reads, so the digest can be checked with
    standard tools.
    """
    lines = [
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.relative_to(site).as_posix()}\n"
        for path in sorted(site.rglob("*"), key=lambda p: p.relative_to(site).as_posix())
        if path.is_file() and path.relative_to(site).as_posix() not in exclude
    ]
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


class _Writer:
    """Writes files below the site folder and remembers their relative paths.

    The folder is a staging folder that is swapped into place whole, so each file is
    written directly: a per-file atomic rename (and its fsync) would cost seconds over
    the site's thousands of files and protect nothing.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.paths: list[str] = []

    def data(self, path: str, data: bytes) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.paths.append(path)

    def text(self, path: str, text: str) -> None:
        self.data(path, text.encode("utf-8"))


# What forked workers write: set just before they fork, so they inherit it, never pickle it.
_JOB: tuple[Graph, _Serializers, Path, list[URIRef]] | None = None


def _write_some(indexes: Sequence[int]) -> list[str]:
    """Write the page, Turtle and JSON-LD of the resources at ``indexes`` of the job."""
    if _JOB is None:
        raise RuntimeError("no site job: _write_some runs only inside _write_resources")
    graph, rdf, out, iris = _JOB
    write = _Writer(out)
    for index in indexes:
        iri = iris[index]
        page = document_path(iri, "html")
        html = render_resource(graph, iri, root=relative_root(page)) if page else None
        if page is None or html is None:
            continue
        write.text(page, html)
        description = describe(graph, URIRef(iri))
        write.text(f"{page[: -len('.html')]}.ttl", rdf.turtle(description))
        write.text(f"{page[: -len('.html')]}.jsonld", rdf.jsonld(description))
    return write.paths


def _prepare_pages(graph: Graph, iris: Sequence[URIRef]) -> None:
    """Compute, before the fork, what every resource page reads from the page context.

    :class:`~kratomkg.site.pages.SiteContext` builds its claim and risk details (one pass
    over every claim and risk, with their appraisals) and the kind of each node on first
    use; done here, every worker inherits them instead of recomputing them for itself.
    """
    context = context_for(graph)
    context.claims  # noqa: B018 - a lazy property: reading it computes it
    context.risks  # noqa: B018
    for iri in iris:
        context.kind(iri)


def _write_resources(graph: Graph, rdf: _Serializers, out: Path, iris: list[URIRef]) -> list[str]:
    """Write every resource's documents, on every core where the system can fork.

    The writing is pure CPU over a graph that does not change (the site's thousands of
    files cost more than the rest of the build), and each file is its own, so forked
    workers split the resources and the files are the same bytes whatever the split. A
    worker dies with the build (PR_SET_PDEATHSIG), so a killed build leaves none behind. A
    process with other threads writes them itself.
    """
    global _JOB
    workers = min(os.cpu_count() or 1, 8, max(1, len(iris) // 50))
    _JOB = (graph, rdf, out, iris)
    try:
        # A fork copies only the forking thread: with other threads alive, a lock one of
        # them holds (logging's, say) would stay locked in the copy forever.
        if workers < 2 or not FORKS or threading.active_count() > 1:
            return _write_some(range(len(iris)))
        _prepare_pages(graph, iris)
        shares = [range(k, len(iris), workers) for k in range(workers)]
        forking = multiprocessing.get_context("fork")
        with forking.Pool(workers, initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
            return sorted(path for done in pool.map(_write_some, shares) for path in done)
    finally:
        _JOB = None


def _release_files(release_dir: Path | None) -> list[Path]:
    if release_dir is None:
        return []
    return sorted(p for p in release_dir.iterdir() if p.is_file() and not p.name.startswith("."))


def write_site(
    dataset: Dataset,
    out_dir: Path,
    *,
    release_dir: Path | None = None,
    site_url: str = HOSTED_SITE_URL,
    manifest: ManifestWriter | None = None,
) -> list[str]:
    """Write the site for ``dataset`` (validated, so derived triples are in) into ``out_dir``.

    ``release_dir`` holds the release files, copied into ``downloads/`` and described in
    ``void.ttl``. ``manifest``, given the site's entry (file count and digest, see
    :func:`site_digest`), returns the release manifest's text, which is written as
    ``downloads/manifest.json``; the caller writes the same text beside the release.
    ``site_url`` is where the site is published (the w3id redirects and the not-found
    page use it). Returns the written paths, relative to ``out_dir``, sorted.
    """
    site_url = check_site_url(site_url)
    out = Path(out_dir)
    write = _Writer(out)
    graph = union_graph(dataset)
    rdf = _Serializers(graph)

    # Its documents are the ontology's documentation, below.
    iris = [iri for iri in resources(graph) if iri != ONTOLOGY_IRI]
    write.paths += _write_resources(graph, rdf, out, iris)

    ontology = ontology_graph(dataset)
    write.text("ontology/index.html", ontology_html(dataset))
    write.text("ontology/kratomkg.ttl", rdf.turtle(ontology))
    write.text("ontology/kratomkg.jsonld", rdf.jsonld(ontology))

    downloads = _release_files(release_dir)
    names = [p.name for p in downloads]
    if manifest is not None and "manifest.json" not in names:
        names = sorted([*names, "manifest.json"])
    write.text("index.html", render_index(graph, root="", downloads=names))
    # The host serves 404.html at the missing address (``id/x/y``, at any depth), so its
    # links start from the site's URL path, and it names no path: it cannot know which.
    write.text("404.html", render_not_found("", root=site_root_path(site_url)))
    # The search page: its script searches search.json; without it, the page says so.
    write.text("search.html", render_search(graph, "", root=""))
    css = package_files("kratomkg.site") / "static" / "site.css"
    write.data("site.css", css.read_bytes())
    index = json.dumps(search_index(graph), indent=1, ensure_ascii=False, sort_keys=True)
    write.text("search.json", index + "\n")
    # The viewer links every node to its page here (pages=""); inside a build, the
    # release's viewer has already made the graph projection, and it is reused.
    write.text("viewer.html", export_graph(dataset, "html", pages=""))
    write.text(".htaccess", site_htaccess(site_url))
    write.text("w3id.htaccess", w3id_htaccess(site_url))
    for path in downloads:
        (out / "downloads").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, out / "downloads" / path.name)
        write.paths.append(f"downloads/{path.name}")

    sizes = {p.name: p.stat().st_size for p in downloads}
    count = len(write.paths) + 1  # and void.ttl
    if manifest is not None:
        count += 1  # and its own copy
        placeholder = manifest({"files": count, "sha256": _DIGEST_PLACEHOLDER})
        # The digest has a fixed length, so the manifest's size is known before it is.
        sizes["manifest.json"] = len(placeholder.encode("utf-8"))
    # The description names the persistent w3id addresses, whatever host serves the files.
    write.text("void.ttl", write_turtle(void_graph(dataset, sizes, base=SITE_BASE)))
    if manifest is not None:
        text = manifest({"files": count, "sha256": site_digest(out)})
        if len(text.encode("utf-8")) != sizes["manifest.json"]:
            raise RuntimeError("the manifest's size changed with the site digest")
        write.text(MANIFEST_COPY, text)
    return sorted(write.paths)

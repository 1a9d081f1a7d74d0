"""Build a release: load, validate, derive, export everything into one folder.

The release is written into a staging folder next to the target and swapped into place
only when every file is complete, so a failed build (invalid data, a full disk, Ctrl-C)
leaves the previous release untouched. Nothing in a release depends on the time or the
machine, so two builds of the same sources are byte-identical.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset

from kratomkg._io import atomic_write_text, release_lock, replace_directory, staging_directory
from kratomkg._version import __version__
from kratomkg.counts import ClaimRating, Stats, claim_ratings, stats
from kratomkg.errors import InputError, ValidationFailedError
from kratomkg.export.rdf import RDF_FORMATS, jsonld_context_document, serialize
from kratomkg.export.registry import release_files, shared_projections
from kratomkg.loading import load, version_iri
from kratomkg.report import ValidationReport, curie
from kratomkg.resources import shape_files
from kratomkg.site.paths import check_site_url
from kratomkg.validation import validate

__all__ = ["ARTEFACTS", "BuildContext", "BuildResult", "build"]

Progress = Callable[[str], None]


@dataclass
class BuildContext:
    """What every artefact writer may use: the loaded data, its report and its counts."""

    dataset: Dataset
    report: ValidationReport
    stats: Stats
    claims: list[ClaimRating] = field(default_factory=list)


@dataclass(frozen=True)
class BuildResult:
    """Where the release went and what it holds."""

    out_dir: Path
    files: tuple[str, ...]
    report: ValidationReport
    manifest: dict[str, object] = field(default_factory=dict)


def _report_markdown(ctx: BuildContext) -> str:
    s = ctx.stats
    lines = [
        f"# kratomkg {__version__} release report",
        "",
        "## Contents",
        "",
        "| class | count |",
        "|---|---:|",
        *(f"| {name} | {count} |" for name, count in s.classes.items()),
        "",
        "## Evidence by study design",
        "",
        "| design | evidence |",
        "|---|---:|",
        *(f"| {name} | {count} |" for name, count in s.evidence_designs.items()),
        "",
        "## Claims by derived certainty",
        "",
        "Certainty of the human evidence, GRADE-style (derived by the rules, never typed).",
        "",
        "| certainty | claims |",
        "|---|---:|",
        *(f"| {name} | {count} |" for name, count in s.claim_certainty.items()),
        "",
        "## Claims by derived status",
        "",
        "| status | claims |",
        "|---|---:|",
        *(f"| {name} | {count} |" for name, count in s.claim_status.items()),
        "",
        "## Risks by derived certainty",
        "",
        "| certainty | risks |",
        "|---|---:|",
        *(f"| {name} | {count} |" for name, count in s.risk_certainty.items()),
        "",
        "## Every claim",
        "",
        "| claim | certainty | status | preclinical support |",
        "|---|---|---|---|",
        *(
            f"| `{c.claim}` | {c.certainty} | {c.status} | {c.preclinical_support} |"
            for c in ctx.claims
        ),
        "",
        "## Validation",
        "",
        f"{ctx.report.summary()}.",
        "",
    ]
    warnings = [r for r in ctx.report.results if r.severity == "Warning"]
    if warnings:
        lines += ["Warnings (honest but weak evidence):", ""]
        lines += [f"- `{curie(r.focus_node)}`: {r.message}" for r in warnings]
        lines.append("")
    return "\n".join(lines)


def _rdf_writer(fmt: str) -> Callable[[BuildContext], str]:
    return lambda ctx: serialize(ctx.dataset, fmt)


def _on_dataset(write: Callable[[Dataset], str]) -> Callable[[BuildContext], str]:
    return lambda ctx: write(ctx.dataset)


# Release file name -> writer. Later features (graph exports, viewer, queries) add entries.
ARTEFACTS: dict[str, Callable[[BuildContext], str]] = {
    **{f"kratomkg{spec.extension}": _rdf_writer(name) for name, spec in RDF_FORMATS.items()},
    "context.jsonld": lambda ctx: jsonld_context_document(),
    "report.md": _report_markdown,
    # Graph-tool exports (both views) and the offline viewer, from the export registry.
    **{name: _on_dataset(write) for name, write in release_files().items()},
}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(
    out_dir: str | Path = "dist",
    *,
    dataset: Dataset | None = None,
    progress: Progress | None = None,
    site_url: str | None = None,
) -> BuildResult:
    """Build the validated release into ``out_dir``; raise if the data violates the shapes.

    ``site_url`` is where ``site/`` will be published: the w3id redirect rules in the site
    (``w3id.htaccess``) point there. The default is
    :data:`kratomkg.site.build.HOSTED_SITE_URL`.
    """
    say: Progress = progress or (lambda _message: None)
    if site_url is not None:
        site_url = check_site_url(site_url)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        # Never move a user's file aside: the release is a folder, and only a folder is
        # replaced.
        raise InputError(out, "exists and is not a folder; give a folder for the release")
    if dataset is None:
        say("loading ontology and knowledge base")
        dataset = load()
    say("deriving ratings and validating against the shapes")
    report = validate(dataset)
    if not report.conforms:
        raise ValidationFailedError(report)
    ctx = BuildContext(
        dataset=dataset, report=report, stats=stats(dataset), claims=claim_ratings(dataset)
    )

    with release_lock(out), staging_directory(out) as stage, shared_projections():
        for name, writer in ARTEFACTS.items():
            say(f"writing {name}")
            atomic_write_text(stage / name, writer(ctx))
        for shape in shape_files():
            atomic_write_text(stage / shape.name, shape.read_text(encoding="utf-8"))
        files = sorted(p.name for p in stage.iterdir() if p.is_file())
        manifest: dict[str, object] = {
            "name": "kratomkg",
            "version": __version__,
            "ontology_version_iri": str(version_iri()),
            "triples": {
                str(g.identifier): len(g)
                for g in sorted(dataset.graphs(), key=lambda g: str(g.identifier))
                if len(g)
            },
            "validation": {
                "conforms": report.conforms,
                "engine": report.engine,
                "violations": report.violation_count,
                "warnings": report.warning_count,
            },
            "counts": ctx.stats.classes,
            "files": {
                name: {"bytes": (stage / name).stat().st_size, "sha256": _sha256(stage / name)}
                for name in files
            },
        }
        # The linked-data site goes in as site/, its downloads a copy of the files above.
        # The manifest's "site" entry gives its file count and the digest of its sha256sum
        # listing (every site file but the manifest's own copy, see site_digest).
        from kratomkg.site.build import HOSTED_SITE_URL, MANIFEST_COPY, write_site

        def manifest_text(site: Mapping[str, object]) -> str:
            return json.dumps({**manifest, "site": dict(site)}, indent=2) + "\n"

        say("writing site/ (a page and RDF documents per resource)")
        write_site(
            dataset,
            stage / "site",
            release_dir=stage,
            site_url=site_url or HOSTED_SITE_URL,
            manifest=manifest_text,
        )
        text = (stage / "site" / MANIFEST_COPY).read_text(encoding="utf-8")
        manifest = json.loads(text)
        atomic_write_text(stage / "manifest.json", text)
        say(f"publishing release to {out}")
        replace_directory(stage, out)
    return BuildResult(
        out_dir=out, files=(*files, "manifest.json"), report=report, manifest=manifest
    )

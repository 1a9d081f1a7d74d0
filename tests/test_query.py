"""Named competency queries: their real answers on the shipped graph, checked independently.

Expected answers are computed with rdflib's triple API (not SPARQL) or rest on facts that are
certainly in the graph, so the tests hold while curators keep adding to it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

import kratomkg
from kratomkg.errors import QueryError
from kratomkg.namespaces import GRAPH_DERIVED, KID, KKG
from kratomkg.querying.engine import load_for_query, open_store
from kratomkg.querying.named import named_queries, named_query
from kratomkg.querying.results import QueryResult, render
from kratomkg.querying.stores import MemoryStore, OxigraphStore

from .query_support import answer

GONE = KID["claim-kratom-leaf-analgesia-chronic-pain"]
FAKE = (KID["retired-resource"], RDFS.label, Literal("only in the previous release"))


@pytest.fixture(scope="session")
def derived() -> Dataset:
    """The shipped graph with its derived ratings (shared: do not modify)."""
    return load_for_query()


@pytest.fixture(scope="session")
def memory(derived: Dataset) -> MemoryStore:
    return MemoryStore(derived)


@pytest.fixture(scope="session")
def oxigraph(derived: Dataset) -> OxigraphStore:
    return OxigraphStore.from_dataset(lambda: derived)


def regraded_claim(dataset: Dataset) -> URIRef:
    claims = sorted(
        (c for c in dataset.subjects(RDF.type, KKG.Claim) if c != GONE and _rated(dataset, c)),
        key=str,
    )
    return claims[0]  # type: ignore[return-value]


def _rated(dataset: Dataset, node: Node) -> bool:
    return dataset.value(node, KKG.certainty) is not None


def write_previous_release(dataset: Dataset, path: Path) -> URIRef:
    """Write a plausible previous release: one claim absent, one re-rated, one extra triple."""
    regraded = regraded_claim(dataset)
    old = dataset.value(regraded, KKG.certainty)
    new = KKG.HighCertainty if old != KKG.HighCertainty else KKG.LowCertainty
    previous = Graph()
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        if s == GONE or (s == regraded and p == KKG.certainty):
            continue
        previous.add((s, p, o))
    previous.add((regraded, KKG.certainty, new))
    previous.add(FAKE)
    previous.serialize(path, format="nt", encoding="utf-8")
    return regraded


def appraisal_of(dataset: Dataset, rated: Node, evidence: Node) -> Node | None:
    """The derived appraisal of ``evidence`` for ``rated``, found with the triple API."""
    found = set(dataset.subjects(KKG.appraisedFor, rated)) & set(
        dataset.subjects(KKG.appraises, evidence)
    )
    assert len(found) <= 1, (rated, evidence, found)
    return next(iter(found), None)


def rated_claims(dataset: Dataset, predicate: URIRef, *values: URIRef) -> set[Node]:
    return {
        c for c in dataset.subjects(RDF.type, KKG.Claim) if dataset.value(c, predicate) in values
    }


@pytest.fixture(scope="session")
def compared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Dataset, URIRef]:
    """The shipped graph plus a synthetic previous release in the 'previous' graph."""
    folder = tmp_path_factory.mktemp("previous")
    regraded = write_previous_release(load_for_query(), folder / "previous.nt")
    return load_for_query(compare=folder / "previous.nt"), regraded


def run(store: MemoryStore | OxigraphStore, name: str, **params: str) -> QueryResult:
    return kratomkg.query(named=name, params=params, store=store)


def column(result: QueryResult, name: str) -> set[object]:
    return {t for t in result.column(name) if t is not None}


# --- the catalogue --------------------------------------------------------------------------


def test_at_least_twelve_named_queries_with_documented_headers() -> None:
    queries = named_queries()
    assert len(queries) >= 12
    for query in queries.values():
        assert query.title, query.name
        assert query.description, query.name
        for param in query.parameters:
            assert param.default, f"{query.name}: parameter {param.name} has no default"
            assert param.description


def test_every_named_query_has_a_real_answer_test() -> None:
    tested = {
        name.removeprefix("test_named_").replace("_", "-")
        for name in globals()
        if name.startswith("test_named_")
    }
    assert set(named_queries()) <= tested


# --- one test per named query ----------------------------------------------------------------


@pytest.mark.parametrize("store_name", ["memory", "oxigraph"])
def test_named_receptor_ligands(
    store_name: str, memory: MemoryStore, oxigraph: OxigraphStore, derived: Dataset
) -> None:
    store = memory if store_name == "memory" else oxigraph
    result = run(store, "receptor-ligands")
    compounds = column(result, "compound")
    assert {KID.mitragynine, KID["7-hydroxymitragynine"]} <= compounds
    expected = {
        derived.value(ri, KKG.ligand)
        for ri in derived.subjects(KKG.target, KID.mor)
        if (ri, RDF.type, KKG.ReceptorInteraction) in derived
    }
    assert compounds == expected
    # every number comes with its measure type and its source
    for row in result.records():
        if "value" in row:
            assert "measure" in row
            assert "source" in row
    kor = run(store, "receptor-ligands", receptor="kid:kor")
    assert KID.mitragynine in column(kor, "compound")


def test_named_condition_claims(memory: MemoryStore, derived: Dataset) -> None:
    result = run(memory, "condition-claims", condition="kid:condition-chronic-pain")
    claims = column(result, "claim")
    assert claims == set(derived.subjects(KKG.forCondition, KID["condition-chronic-pain"]))
    assert GONE in claims
    for row in result.records():
        assert row["certainty"] == derived.value(row["claim"], KKG.certainty), row
        assert row["status"] == derived.value(row["claim"], KKG.status), row
        assert (row["claim"], KKG.hasRisk, row["risk"]) in derived
        # each risk carries its own certainty, rated by the same rules
        assert row["riskCertainty"] == derived.value(row["risk"], KKG.certainty), row
        assert row.get("severity") == derived.value(row["risk"], KKG.severity)


def test_named_no_human_evidence_claims(memory: MemoryStore, derived: Dataset) -> None:
    result = run(memory, "no-human-evidence-claims")
    expected = rated_claims(derived, KKG.certainty, KKG.NoHumanEvidence)
    assert expected, "the shipped graph has claims no study in people bears on"
    assert column(result, "claim") == expected
    for row in result.records():
        claim = row["claim"]
        assert row.get("preclinicalSupport") == derived.value(claim, KKG.preclinicalSupport)
        assert int(str(row["evidenceLines"])) == len(set(derived.objects(claim, KKG.hasEvidence)))
    # no line in people points either way: any appraised human line is inconclusive
    for claim in expected:
        for appraisal in derived.subjects(KKG.appraisedFor, claim):
            evidence = derived.value(appraisal, KKG.appraises)
            assert derived.value(evidence, KKG.direction) == KKG.Inconclusive, (claim, evidence)


def test_named_contested_claims(memory: MemoryStore, derived: Dataset) -> None:
    result = run(memory, "contested-claims")
    disputed = rated_claims(derived, KKG.status, KKG.Contested, KKG.Refuted)
    assert disputed, "the shipped graph has contested or refuted claims"
    assert column(result, "claim") == disputed
    for row in result.records():
        claim, evidence = row["claim"], row["evidence"]
        appraisal = appraisal_of(derived, claim, evidence)
        assert appraisal is not None, "only appraised (human) lines are listed"
        assert row["lineCertainty"] == derived.value(appraisal, KKG.lineCertainty)
        assert row["direction"] == derived.value(evidence, KKG.direction)
        assert row.get("design") == derived.value(evidence, KKG.design)
        assert row["status"] == derived.value(claim, KKG.status)
    against = {KKG.Disputes, KKG.Null}
    for claim in disputed:
        directions = {r["direction"] for r in result.records() if r["claim"] == claim}
        assert directions & against, claim
        if derived.value(claim, KKG.status) == KKG.Contested:
            assert KKG.Supports in directions, claim


def test_named_risks_by_severity(memory: MemoryStore, derived: Dataset) -> None:
    result = run(memory, "risks-by-severity")
    assert column(result, "risk") == set(derived.subjects(RDF.type, KKG.Risk))
    ranks = [
        int(str(derived.value(s, KKG.rank))) for s in result.column("severity") if s is not None
    ]
    assert ranks == sorted(ranks, reverse=True)
    assert (KID["risk-dependence"], KKG.severity, KKG.Moderate) in derived
    assert KID["risk-dependence"] in column(result, "risk")
    for row in result.records():
        assert row["certainty"] == derived.value(row["risk"], KKG.certainty), row
        if "evidence" in row:
            assert row.get("design") == derived.value(row["evidence"], KKG.design)


def test_named_mechanism_paths(memory: MemoryStore, derived: Dataset) -> None:
    result = run(memory, "mechanism-paths")
    expected = {
        (derived.value(c, KKG.claimSubject), derived.value(ri, KKG.target))
        for c, ri in derived.subject_objects(KKG.viaInteraction)
    }
    assert {(r["compound"], r["receptor"]) for r in result.records()} == expected
    assert (KID.mitragynine, KID.mor, KID["effect-analgesia"]) in {
        (r["compound"], r["receptor"], r["effect"]) for r in result.records()
    }
    for row in result.records():
        assert row["certainty"] == derived.value(row["claim"], KKG.certainty)


def test_named_article_claims(memory: MemoryStore, derived: Dataset) -> None:
    result = run(memory, "article-claims")
    appearances = {
        a
        for a in derived.subjects(KKG.appearsIn, KID["src-seed-article"])
        if (a, RDF.type, KKG.ClaimAppearance) in derived
    }
    assert appearances, "the seed article has claim appearances"
    claims = column(result, "claim")
    assert claims == {derived.value(a, KKG.asserts) for a in appearances}
    # one row per quoted sentence (an appearance may quote more than one)
    quotes = [
        (derived.value(a, KKG.asserts), q)
        for a in appearances
        for q in derived.objects(a, KKG.quote)
    ]
    assert sorted((r["claim"], r["quote"]) for r in result.records()) == sorted(quotes)
    for row in result.records():
        assert row["certainty"] == derived.value(row["claim"], KKG.certainty)
        assert row["status"] == derived.value(row["claim"], KKG.status)
    # where a claim appears is never evidence for it
    for claim in claims:
        cited = set(derived.objects(claim, KKG.hasEvidence / KKG.citation))  # type: ignore[arg-type]
        assert KID["src-seed-article"] not in cited, claim


def test_named_claim_sources(memory: MemoryStore, derived: Dataset) -> None:
    claim = KID["claim-mitragynine-analgesia"]
    result = run(memory, "claim-sources", claim="kid:claim-mitragynine-analgesia")
    assert column(result, "evidence") == set(derived.objects(claim, KKG.hasEvidence))
    for row in result.records():
        assert {"doi", "pmid", "url"} & set(row) or derived.value(row["source"], KKG.contentHash)
        if derived.value(row["source"], KKG.pmid) is not None:
            assert row["pmid"] == derived.value(row["source"], KKG.pmid)
        assert row.get("design") == derived.value(row["evidence"], KKG.design)
        appraisal = appraisal_of(derived, claim, row["evidence"])
        expected = None if appraisal is None else derived.value(appraisal, KKG.lineCertainty)
        assert row.get("lineCertainty") == expected, row


def test_named_metabolites(memory: MemoryStore) -> None:
    rows = {
        (r["metabolite"], r["parent"], int(str(r["steps"])))
        for r in run(memory, "metabolites").records()
    }
    assert (KID["7-hydroxymitragynine"], KID.mitragynine, 1) in rows
    assert (KID["mitragynine-pseudoindoxyl"], KID.mitragynine, 2) in rows


def test_named_compound_effects(memory: MemoryStore, derived: Dataset) -> None:
    result = run(memory, "compound-effects")
    assert column(result, "claim") == set(derived.subjects(KKG.claimSubject, KID.mitragynine))
    assert KID["effect-analgesia"] in column(result, "effect")
    for row in result.records():
        assert row["certainty"] == derived.value(row["claim"], KKG.certainty)
        assert row["status"] == derived.value(row["claim"], KKG.status)
    leaf = run(memory, "compound-effects", subject="kratom-leaf")  # a bare slug is a kid: IRI
    assert GONE in column(leaf, "claim")


def test_named_claims_by_certainty(memory: MemoryStore, derived: Dataset) -> None:
    result = run(memory, "claims-by-certainty")
    counts = {(r["certainty"], r.get("status")): int(str(r["claims"])) for r in result.records()}
    claims = set(derived.subjects(RDF.type, KKG.Claim))
    expected = Counter(
        (derived.value(c, KKG.certainty), derived.value(c, KKG.status))
        for c in claims
        if derived.value(c, KKG.certainty) is not None
    )
    assert counts == dict(expected)
    assert sum(counts.values()) == len(claims), "every claim is rated once"
    ranks = [int(str(derived.value(c, KKG.rank))) for c in result.column("certainty")]
    assert ranks == sorted(ranks, reverse=True), "from high certainty down"
    assert set(ranks) <= {0, 1, 2, 3, 4}


def test_named_claim_graph(memory: MemoryStore, derived: Dataset) -> None:
    claim = KID["claim-mitragynine-analgesia"]
    result = run(memory, "claim-graph", claim="kid:claim-mitragynine-analgesia")
    assert result.graph is not None
    assert (claim, KKG.claimSubject, KID.mitragynine) in result.graph
    for predicate in (KKG.certainty, KKG.status, KKG.preclinicalSupport, KKG.explanation):
        assert (claim, predicate, derived.value(claim, predicate)) in result.graph
    for evidence in derived.objects(claim, KKG.hasEvidence):
        assert (evidence, KKG.design, derived.value(evidence, KKG.design)) in result.graph
        appraisal = appraisal_of(derived, claim, evidence)
        if appraisal is not None:
            text = derived.value(appraisal, KKG.appraisalText)
            assert (appraisal, KKG.appraisalText, text) in result.graph
    for risk in derived.objects(claim, KKG.hasRisk):
        assert (risk, KKG.certainty, derived.value(risk, KKG.certainty)) in result.graph
    turtle = render(result, "turtle")
    assert len(Graph().parse(data=turtle, format="turtle")) == len(result.graph)


@pytest.mark.parametrize("target", ["claim-kratom-leaf-anxiolysis-anxiety", "risk-dependence"])
def test_named_claim_rating(memory: MemoryStore, derived: Dataset, target: str) -> None:
    rated = KID[target]
    result = run(memory, "claim-rating", claim=f"kid:{target}")
    rows = result.records()
    for row in rows:
        assert row["certainty"] == derived.value(rated, KKG.certainty)
        assert row["status"] == derived.value(rated, KKG.status)
        assert row["preclinical"] == derived.value(rated, KKG.preclinicalSupport)
    # first the explanation, then one row per appraised line of human evidence
    assert "line" not in rows[0]
    assert rows[0]["why"] == derived.value(rated, KKG.explanation)
    appraisals = set(derived.subjects(KKG.appraisedFor, rated))
    assert {(r["evidence"], r["why"]) for r in rows[1:]} == {
        (derived.value(a, KKG.appraises), derived.value(a, KKG.appraisalText)) for a in appraisals
    }
    ranks = [int(str(derived.value(r["line"], KKG.rank))) for r in rows[1:]]
    assert ranks == sorted(ranks, reverse=True), "most certain line first"


def test_named_release_diff(compared: tuple[Dataset, URIRef]) -> None:
    dataset, regraded = compared
    result = kratomkg.query(named="release-diff", store=MemoryStore(dataset))
    changes = {
        (str(r["change"]), r["subject"], r["predicate"], r["object"]) for r in result.records()
    }
    assert ("removed", *FAKE) in changes
    assert ("added", GONE, RDF.type, KKG.Claim) in changes
    current = dataset.graph(GRAPH_DERIVED).value(regraded, KKG.certainty)
    assert ("added", regraded, KKG.certainty, current) in changes
    assert {c[:3] for c in changes if c[1] == regraded} == {
        ("added", regraded, KKG.certainty),
        ("removed", regraded, KKG.certainty),
    }
    # nothing else changed
    assert {c[1] for c in changes} == {GONE, regraded, FAKE[0]}


def test_named_certainty_changes(compared: tuple[Dataset, URIRef], derived: Dataset) -> None:
    dataset, regraded = compared
    result = kratomkg.query(named="certainty-changes", store=MemoryStore(dataset))
    rows = {
        r["claim"]: (r.get("before"), r.get("after"), r.get("statusBefore"), r.get("statusAfter"))
        for r in result.records()
    }
    assert set(rows) == {GONE, regraded}
    assert rows[GONE] == (
        None,
        derived.value(GONE, KKG.certainty),
        None,
        derived.value(GONE, KKG.status),
    )
    before, after, status_before, status_after = rows[regraded]
    assert before != after
    assert after == derived.value(regraded, KKG.certainty)
    assert status_before == status_after == derived.value(regraded, KKG.status)


def test_certainty_changes_sees_a_status_change_at_equal_certainty(tmp_path: Path) -> None:
    dataset = load_for_query()
    claim = regraded_claim(dataset)
    status = dataset.value(claim, KKG.status)
    other = KKG.Contested if status != KKG.Contested else KKG.Supported
    previous = Graph()
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        if not (s == claim and p == KKG.status):
            previous.add((s, p, o))
    previous.add((claim, KKG.status, other))
    previous.serialize(tmp_path / "previous.nt", format="nt", encoding="utf-8")
    compared = load_for_query(compare=tmp_path / "previous.nt")
    result = kratomkg.query(named="certainty-changes", store=MemoryStore(compared))
    assert [(r["claim"], r["statusBefore"], r["statusAfter"]) for r in result.records()] == [
        (claim, other, status)
    ]
    assert result.records()[0]["before"] == result.records()[0]["after"]


def test_release_comparison_needs_a_previous_release(memory: MemoryStore) -> None:
    with pytest.raises(QueryError, match="--compare"):
        run(memory, "release-diff")


# --- all stores agree -----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_memory_and_oxigraph_agree(
    name: str, derived: Dataset, compared: tuple[Dataset, URIRef]
) -> None:
    # The comparison queries read the previous release; the others run without it.
    dataset = compared[0] if named_query(name).compares_releases else derived
    memory_answer = kratomkg.query(named=name, store=MemoryStore(dataset))
    oxigraph_answer = kratomkg.query(named=name, store=OxigraphStore.from_dataset(lambda: dataset))
    assert answer(memory_answer) == answer(oxigraph_answer)


def test_open_store_rejects_unknown_names() -> None:
    with pytest.raises(QueryError, match="unknown store"):
        open_store("sqlite", dataset=Dataset())


def test_named_query_errors_list_what_exists() -> None:
    with pytest.raises(QueryError, match="receptor-ligands"):
        named_query("no-such-query")
    with pytest.raises(QueryError, match="parameters: receptor"):
        named_query("receptor-ligands").bindings({"compound": "kid:x"})

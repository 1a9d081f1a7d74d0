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

import kratomkg
from kratomkg.errors import QueryError
from kratomkg.namespaces import KID, KKG
from kratomkg.querying.engine import load_for_query, open_store
from kratomkg.querying.named import named_queries, named_query
from kratomkg.querying.results import QueryResult, render
from kratomkg.querying.stores import MemoryStore, OxigraphStore

from .query_support import answer

GONE = KID["claim-kratom-leaf-analgesia-chronic-pain"]
FAKE = (KID["retired-resource"], RDFS.label, Literal("only in the previous release"))


@pytest.fixture(scope="session")
def derived() -> Dataset:
    """The shipped graph with its derived grades (shared: do not modify)."""
    return load_for_query()


@pytest.fixture(scope="session")
def memory(derived: Dataset) -> MemoryStore:
    return MemoryStore(derived)


@pytest.fixture(scope="session")
def oxigraph(derived: Dataset) -> OxigraphStore:
    return OxigraphStore.from_dataset(lambda: derived)


def regraded_claim(dataset: Dataset) -> URIRef:
    claims = sorted((c for c in dataset.subjects(KKG.evidenceGrade, None) if c != GONE), key=str)
    return claims[0]  # type: ignore[return-value]


def write_previous_release(dataset: Dataset, path: Path) -> URIRef:
    """Write a plausible previous release: one claim absent, one regraded, one extra triple."""
    regraded = regraded_claim(dataset)
    old_grade = dataset.value(regraded, KKG.evidenceGrade)
    new_grade = KKG.Unsupported if old_grade != KKG.Unsupported else KKG.Anecdote
    previous = Graph()
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        if s == GONE or (s == regraded and p == KKG.evidenceGrade):
            continue
        previous.add((s, p, o))
    previous.add((regraded, KKG.evidenceGrade, new_grade))
    previous.add(FAKE)
    previous.serialize(path, format="nt", encoding="utf-8")
    return regraded


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
        assert "grade" in row, row
        assert (row["claim"], KKG.hasRisk, row["risk"]) in derived


def _anecdote_only(derived: Dataset) -> set[object]:
    found: set[object] = set()
    for claim in derived.subjects(RDF.type, KKG.Claim):
        support = [
            derived.value(ev, KKG.evidenceLevel)
            for ev in derived.objects(claim, KKG.hasEvidence)
            if derived.value(ev, KKG.direction) == KKG.Supports
        ]
        if support and all(level == KKG.Anecdote for level in support):
            found.add(claim)
    return found


def test_named_anecdote_only_claims(memory: MemoryStore, derived: Dataset) -> None:
    result = run(memory, "anecdote-only-claims")
    assert column(result, "claim") == _anecdote_only(derived)
    assert result.rows
    for row in result.records():
        assert int(str(row["anecdotes"])) >= 1
        assert row["grade"] in (KKG.Anecdote, KKG.Contested)


def test_named_contested_claims(memory: MemoryStore, derived: Dataset) -> None:
    result = run(memory, "contested-claims")
    contested = set(derived.subjects(KKG.evidenceGrade, KKG.Contested))
    assert contested, "the shipped graph has contested claims"
    assert column(result, "claim") == contested
    for claim in contested:
        directions = {r["direction"] for r in result.records() if r["claim"] == claim}
        assert directions == {KKG.Supports, KKG.Disputes}, claim


def test_named_risks_by_severity(memory: MemoryStore, derived: Dataset) -> None:
    result = run(memory, "risks-by-severity")
    assert column(result, "risk") == set(derived.subjects(RDF.type, KKG.Risk))
    ranks = [
        int(str(derived.value(s, KKG.rank))) for s in result.column("severity") if s is not None
    ]
    assert ranks == sorted(ranks, reverse=True)
    assert (KID["risk-dependence"], KKG.severity, KKG.Moderate) in derived
    assert KID["risk-dependence"] in column(result, "risk")


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


def test_named_article_claims(memory: MemoryStore, derived: Dataset) -> None:
    result = run(memory, "article-claims")
    claims = column(result, "claim")
    assert claims, "the seed article has claims"
    assert claims == set(derived.subjects(KKG.appearsIn, KID["src-seed-article"]))
    assert all("grade" in row for row in result.records())


def test_named_claim_sources(memory: MemoryStore, derived: Dataset) -> None:
    claim = KID["claim-mitragynine-analgesia"]
    result = run(memory, "claim-sources", claim="kid:claim-mitragynine-analgesia")
    assert column(result, "evidence") == set(derived.objects(claim, KKG.hasEvidence))
    for row in result.records():
        assert {"doi", "pmid", "url"} & set(row) or derived.value(row["source"], KKG.contentHash)
        if derived.value(row["source"], KKG.pmid) is not None:
            assert row["pmid"] == derived.value(row["source"], KKG.pmid)


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
    leaf = run(memory, "compound-effects", subject="kratom-leaf")  # a bare slug is a kid: IRI
    assert GONE in column(leaf, "claim")


def test_named_claims_by_grade(memory: MemoryStore, derived: Dataset) -> None:
    result = run(memory, "claims-by-grade")
    counts = {r["grade"]: int(str(r["claims"])) for r in result.records()}
    assert counts == dict(Counter(derived.objects(None, KKG.evidenceGrade)))
    assert counts[KKG.Contested] >= 1
    assert result.column("grade")[0] == KKG.SystematicReview or KKG.SystematicReview not in counts


def test_named_claim_graph(memory: MemoryStore, derived: Dataset) -> None:
    claim = KID["claim-mitragynine-analgesia"]
    result = run(memory, "claim-graph", claim="kid:claim-mitragynine-analgesia")
    assert result.graph is not None
    assert (claim, KKG.claimSubject, KID.mitragynine) in result.graph
    for evidence in derived.objects(claim, KKG.hasEvidence):
        assert (
            evidence,
            KKG.evidenceLevel,
            derived.value(evidence, KKG.evidenceLevel),
        ) in result.graph
    turtle = render(result, "turtle")
    assert len(Graph().parse(data=turtle, format="turtle")) == len(result.graph)


def test_named_release_diff(compared: tuple[Dataset, URIRef]) -> None:
    dataset, regraded = compared
    result = kratomkg.query(named="release-diff", store=MemoryStore(dataset))
    changes = {
        (str(r["change"]), r["subject"], r["predicate"], r["object"]) for r in result.records()
    }
    assert ("removed", *FAKE) in changes
    assert ("added", GONE, RDF.type, KKG.Claim) in changes
    assert (
        "added",
        regraded,
        KKG.evidenceGrade,
        dataset.value(regraded, KKG.evidenceGrade, any=True),
    ) in changes or any(
        c[0] == "added" and c[1] == regraded and c[2] == KKG.evidenceGrade for c in changes
    )
    # nothing else changed
    assert {c[1] for c in changes} == {GONE, regraded, FAKE[0]}


def test_named_grade_changes(compared: tuple[Dataset, URIRef], derived: Dataset) -> None:
    dataset, regraded = compared
    result = kratomkg.query(named="grade-changes", store=MemoryStore(dataset))
    rows = {r["claim"]: (r.get("before"), r.get("after")) for r in result.records()}
    assert set(rows) == {GONE, regraded}
    assert rows[GONE] == (None, derived.value(GONE, KKG.evidenceGrade))
    before, after = rows[regraded]
    assert before != after
    assert after == derived.value(regraded, KKG.evidenceGrade)


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

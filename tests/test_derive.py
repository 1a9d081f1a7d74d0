"""The GRADE-style rules, driven one fact at a time on small fixture graphs.

Each test starts from ``valid/minimal.ttl`` (a claim about a test alkaloid for test pain,
with an inconclusive survey and supporting animal evidence) and changes the facts a curator
records, then checks the certainty, status and explanation the rules derive.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kratomkg import derive, load
from kratomkg.namespaces import GRAPH_DERIVED, GRAPH_USER, KKG

from .conftest import MINIMAL

EX = "https://example.org/test/"
CLAIM = URIRef(EX + "claim")
RISK = URIRef(EX + "dependence")
ANIMAL = URIRef(EX + "evidence-animal")
SURVEY = URIRef(EX + "evidence-survey")
ALKALOID = URIRef(EX + "alkaloid")
LEAF = URIRef(EX + "leaf")
PAIN = URIRef(EX + "pain")
PAPER = URIRef(EX + "paper")


def _dataset() -> Dataset:
    return load([MINIMAL])


def _rating(dataset: Dataset, target: URIRef = CLAIM) -> tuple[URIRef, URIRef, str]:
    derived = derive(dataset)
    certainty = derived.value(target, KKG.certainty)
    status = derived.value(target, KKG.status)
    explanation = derived.value(target, KKG.explanation)
    assert isinstance(certainty, URIRef)
    assert isinstance(status, URIRef)
    assert isinstance(explanation, Literal)
    return certainty, status, str(explanation)


def _add_human_evidence(
    dataset: Dataset,
    name: str,
    *,
    design: URIRef,
    direction: URIRef = KKG.Supports,
    material: URIRef = ALKALOID,
    outcome: URIRef = KKG.ClinicalOutcome,
    size: int | None = 1000,
    condition: URIRef | None = PAIN,
    facts: dict[URIRef, object] | None = None,
    target: URIRef = CLAIM,
) -> URIRef:
    """Attach a line of human evidence with the given facts to ``target``."""
    evidence = URIRef(EX + name)
    user = dataset.graph(GRAPH_USER)
    source = URIRef(EX + name + "-paper")
    user.add((source, RDF.type, KKG.ScholarlyArticle))
    user.add((source, RDFS.label, Literal(f"{name.title()} 2024", lang="en")))
    user.add((source, KKG.doi, Literal(f"10.1234/{name}")))
    user.add((evidence, RDF.type, KKG.Evidence))
    user.add((evidence, RDFS.label, Literal(name, lang="en")))
    user.add((evidence, KKG.design, design))
    user.add((evidence, KKG.studiedIn, KKG.HumanParticipants))
    user.add((evidence, KKG.materialStudied, material))
    user.add((evidence, KKG.route, KKG.OralRoute))
    user.add((evidence, KKG.outcomeKind, outcome))
    user.add((evidence, KKG.direction, direction))
    user.add((evidence, KKG.finding, Literal("A finding.", lang="en")))
    user.add((evidence, KKG.citation, source))
    if size is not None:
        user.add((evidence, KKG.sampleSize, Literal(size)))
    if condition is not None:
        user.add((evidence, KKG.conditionStudied, condition))
    for predicate, value in (facts or {}).items():
        user.add((evidence, predicate, value if isinstance(value, URIRef) else Literal(value)))
    user.add((target, KKG.hasEvidence, evidence))
    return evidence


def _clean_rct(
    dataset: Dataset,
    name: str = "trial",
    *,
    direction: URIRef = KKG.Supports,
    material: URIRef = ALKALOID,
    outcome: URIRef = KKG.ClinicalOutcome,
    size: int | None = 1000,
    condition: URIRef | None = PAIN,
    target: URIRef = CLAIM,
) -> URIRef:
    """A large, randomised, double-blind, controlled trial: nothing to downgrade."""
    return _add_human_evidence(
        dataset,
        name,
        design=KKG.RandomisedControlledTrial,
        direction=direction,
        material=material,
        outcome=outcome,
        size=size,
        condition=condition,
        facts={KKG.randomised: True, KKG.blinded: True, KKG.controlled: True},
        target=target,
    )


def _appraisal_of(dataset: Dataset, evidence: URIRef, target: URIRef = CLAIM) -> URIRef:
    derived = dataset.graph(GRAPH_DERIVED)
    for appraisal in derived.subjects(KKG.appraises, evidence):
        if (appraisal, KKG.appraisedFor, target) in derived:
            assert isinstance(appraisal, URIRef)
            return appraisal
    raise AssertionError(f"no appraisal of {evidence} for {target}")


# --- starting points ---------------------------------------------------------------------


def test_animal_evidence_alone_gives_no_human_evidence_and_preclinical_support() -> None:
    dataset = _dataset()
    certainty, status, why = _rating(dataset)
    assert (certainty, status) == (KKG.NoHumanEvidence, KKG.NoEvidence)
    derived = dataset.graph(GRAPH_DERIVED)
    assert derived.value(CLAIM, KKG.preclinicalSupport) == KKG.PreclinicalSupports
    assert "Preclinical: supports" in why
    assert "animal study" in why


def test_clean_randomised_trial_starts_and_stays_high() -> None:
    dataset = _dataset()
    _clean_rct(dataset)
    certainty, status, why = _rating(dataset)
    assert (certainty, status) == (KKG.HighCertainty, KKG.Supported)
    assert "starts high → high" in why


def test_survey_starts_low() -> None:
    dataset = _dataset()
    _add_human_evidence(
        dataset, "survey", design=KKG.CrossSectionalSurvey, facts={KKG.selfSelectedSample: False}
    )
    assert _rating(dataset)[:2] == (KKG.LowCertainty, KKG.Supported)


def test_testimony_starts_very_low() -> None:
    dataset = _dataset()
    _add_human_evidence(dataset, "posts", design=KKG.Testimony)
    assert _rating(dataset)[0] == KKG.VeryLowCertainty


# --- one test per downgrade ----------------------------------------------------------------


def test_risk_of_bias_not_blinded() -> None:
    dataset = _dataset()
    trial = _clean_rct(dataset)
    dataset.graph(GRAPH_USER).set((trial, KKG.blinded, Literal(False)))
    certainty, _, why = _rating(dataset)
    assert certainty == KKG.ModerateCertainty
    assert "−1 risk of bias (not double-blind)" in why


def test_risk_of_bias_self_selected_and_self_reported_is_capped_at_two() -> None:
    dataset = _dataset()
    trial = _clean_rct(dataset)
    user = dataset.graph(GRAPH_USER)
    user.set((trial, KKG.blinded, Literal(False)))
    user.set((trial, KKG.controlled, Literal(False)))
    user.set((trial, KKG.outcomeKind, KKG.SelfReportedOutcome))
    certainty, _, why = _rating(dataset)
    assert certainty == KKG.LowCertainty  # high − 2, not − 3
    assert "−2 risk of bias (not double-blind; no control group; self-reported outcome)" in why


def test_imprecision_small_sample() -> None:
    dataset = _dataset()
    trial = _clean_rct(dataset)
    dataset.graph(GRAPH_USER).set((trial, KKG.sampleSize, Literal(15)))
    certainty, _, why = _rating(dataset)
    assert certainty == KKG.ModerateCertainty
    assert "−1 imprecision (n = 15, under 400)" in why


def test_imprecision_unreported_sample_size() -> None:
    dataset = _dataset()
    _clean_rct(dataset, size=None)
    certainty, _, why = _rating(dataset)
    assert certainty == KKG.ModerateCertainty
    assert "sample size not reported" in why


def test_indirectness_from_a_mismatched_material() -> None:
    dataset = _dataset()
    _clean_rct(dataset, material=LEAF)  # the claim is about the isolated alkaloid
    certainty, _, why = _rating(dataset)
    assert certainty == KKG.ModerateCertainty
    assert "−1 indirectness (studied test leaf)" in why


def test_indirectness_from_a_mismatched_condition() -> None:
    dataset = _dataset()
    _clean_rct(dataset, condition=None)  # healthy volunteers; the claim is for test pain
    certainty, _, why = _rating(dataset)
    assert certainty == KKG.ModerateCertainty
    assert "participants did not have test pain" in why


def test_indirectness_from_a_surrogate_outcome_and_route() -> None:
    dataset = _dataset()
    trial = _clean_rct(dataset, outcome=KKG.SurrogateOutcome)
    dataset.graph(GRAPH_USER).set((trial, KKG.route, KKG.IntravenousRoute))
    certainty, _, why = _rating(dataset)
    assert certainty == KKG.LowCertainty
    assert "−2 indirectness (route intravenous; surrogate outcome)" in why


def test_a_prepared_form_of_the_subject_is_direct() -> None:
    dataset = _dataset()
    user = dataset.graph(GRAPH_USER)
    tea = URIRef(EX + "tea")
    user.add((tea, RDF.type, KKG.PlantProduct))
    user.add((tea, RDFS.label, Literal("test tea", lang="en")))
    user.add((tea, KKG.productOf, URIRef(EX + "plant")))
    user.add((tea, KKG.preparedFrom, LEAF))
    _clean_rct(dataset, material=tea, condition=None, target=RISK)  # the risk is of the leaf
    assert _rating(dataset, RISK)[0] == KKG.HighCertainty


def test_upgrade_for_dose_response_only_without_downgrades() -> None:
    dataset = _dataset()
    cohort = _add_human_evidence(
        dataset,
        "cohort",
        design=KKG.CohortStudy,
        facts={KKG.selfSelectedSample: False, KKG.doseResponse: True},
    )
    certainty, _, why = _rating(dataset)
    assert certainty == KKG.ModerateCertainty
    assert "+1 dose-response gradient" in why
    dataset.graph(GRAPH_USER).set((cohort, KKG.selfSelectedSample, Literal(True)))
    assert _rating(dataset)[0] == KKG.VeryLowCertainty  # −1 bias, and no upgrade any more


# --- reviews ---------------------------------------------------------------------------------


def test_review_inherits_the_lowest_pooled_design_never_more() -> None:
    dataset = _dataset()
    review = _add_human_evidence(
        dataset,
        "review",
        design=KKG.SystematicReview,
        facts={KKG.selfSelectedSample: False, KKG.poolsDesign: KKG.CrossSectionalSurvey},
    )
    certainty, _, why = _rating(dataset)
    assert certainty == KKG.LowCertainty  # a review of surveys is as strong as a survey
    assert "systematic review, supports): starts low" in why
    user = dataset.graph(GRAPH_USER)
    user.set((review, KKG.poolsDesign, KKG.RandomisedControlledTrial))
    assert _rating(dataset)[0] == KKG.HighCertainty
    user.add((review, KKG.poolsDesign, KKG.CaseReport))  # one weaker design pulls it down
    assert _rating(dataset)[0] == KKG.VeryLowCertainty


def test_review_of_animal_studies_is_preclinical() -> None:
    dataset = _dataset()
    review = _add_human_evidence(
        dataset, "review", design=KKG.SystematicReview, facts={KKG.poolsDesign: KKG.AnimalStudy}
    )
    dataset.graph(GRAPH_USER).set((review, KKG.studiedIn, KKG.AnimalModel))
    assert _rating(dataset)[0] == KKG.NoHumanEvidence


# --- inconsistency, refutation, null ---------------------------------------------------------


def test_null_at_the_same_certainty_lowers_the_rating_and_contests() -> None:
    dataset = _dataset()
    _clean_rct(dataset, "trial-for")
    _clean_rct(dataset, "trial-null", direction=KKG.Null)
    certainty, status, why = _rating(dataset)
    assert (certainty, status) == (KKG.ModerateCertainty, KKG.Contested)
    assert "−1 inconsistency (Trial-Null 2024 (randomised controlled trial, no effect found" in why


def test_weaker_contrary_evidence_does_not_contest() -> None:
    dataset = _dataset()
    _clean_rct(dataset)
    _add_human_evidence(dataset, "posts", design=KKG.Testimony, direction=KKG.Disputes)
    certainty, status, why = _rating(dataset)
    assert (certainty, status) == (KKG.HighCertainty, KKG.Supported)
    assert "Less certain evidence against: Posts 2024" in why


def test_refuted_when_the_evidence_against_is_more_certain() -> None:
    dataset = _dataset()
    _add_human_evidence(dataset, "posts", design=KKG.Testimony)
    _clean_rct(dataset, direction=KKG.Disputes)
    certainty, status, why = _rating(dataset)
    assert (certainty, status) == (KKG.HighCertainty, KKG.Refuted)
    assert why.startswith("Refuted, high certainty. Strongest human evidence against: Trial 2024")


def test_inconclusive_human_evidence_is_named_but_not_rated() -> None:
    dataset = _dataset()  # the minimal survey is inconclusive
    _, _, why = _rating(dataset)
    assert "inconclusive: Test 2020 (cross-sectional survey, inconclusive" in why


# --- one fact changes, the rating and its explanation follow ---------------------------------


def test_changing_one_evidence_fact_changes_rating_and_explanation() -> None:
    dataset = _dataset()
    trial = _clean_rct(dataset)
    before = _rating(dataset)
    dataset.graph(GRAPH_USER).set((trial, KKG.sampleSize, Literal(40)))
    after = _rating(dataset)
    assert before[0] == KKG.HighCertainty
    assert after[0] == KKG.ModerateCertainty
    assert before[2] != after[2]
    assert "n = 40" in after[2]
    assert "n = 40" not in before[2]


def test_appraisal_records_each_step() -> None:
    dataset = _dataset()
    trial = _clean_rct(dataset, material=LEAF, size=20)
    derive(dataset)
    derived = dataset.graph(GRAPH_DERIVED)
    appraisal = _appraisal_of(dataset, trial)
    assert derived.value(appraisal, KKG.startCertainty) == KKG.HighCertainty
    assert derived.value(appraisal, KKG.indirectness) == Literal(1, datatype=XSD.integer)
    assert derived.value(appraisal, KKG.imprecision) == Literal(1, datatype=XSD.integer)
    assert derived.value(appraisal, KKG.riskOfBias) == Literal(0, datatype=XSD.integer)
    assert derived.value(appraisal, KKG.lineCertainty) == KKG.LowCertainty


# --- risks are graded by the same rules ---------------------------------------------------


def test_risks_are_rated_by_the_same_rules() -> None:
    dataset = _dataset()
    certainty, status, why = _rating(dataset, RISK)  # one case report
    assert (certainty, status) == (KKG.VeryLowCertainty, KKG.Supported)
    assert "case report or case series, supports): starts very low" in why
    _clean_rct(dataset, material=LEAF, condition=None, target=RISK)
    assert _rating(dataset, RISK)[0] == KKG.HighCertainty


def test_authority_statements_are_reported_but_never_rated() -> None:
    dataset = _dataset()
    user = dataset.graph(GRAPH_USER)
    statement = URIRef(EX + "statement")
    for triple in (
        (statement, RDF.type, KKG.Evidence),
        (statement, KKG.design, KKG.AuthorityStatement),
        (statement, KKG.studiedIn, KKG.NoLivingSubject),
        (statement, KKG.materialStudied, ALKALOID),
        (statement, KKG.outcomeKind, KKG.SurrogateOutcome),
        (statement, KKG.direction, KKG.Disputes),
        (statement, KKG.citation, PAPER),
        (CLAIM, KKG.hasEvidence, statement),
    ):
        user.add(triple)
    certainty, _, why = _rating(dataset)
    assert certainty == KKG.NoHumanEvidence
    assert "Authority statements (not rated): Test 2020 (disputes)" in why


# --- the derived graph ---------------------------------------------------------------------


def test_derive_emits_direct_edges_and_is_idempotent() -> None:
    dataset = _dataset()
    first = set(derive(dataset))
    second = set(derive(dataset))
    assert first == second
    assert (ALKALOID, KKG.hasClaimedEffect, URIRef(EX + "analgesia")) in first
    assert not any(isinstance(term, BNode) for triple in first for term in triple)


def test_derived_ratings_are_the_same_on_oxigraph(tmp_path: Path) -> None:
    from kratomkg.store_loading import load_store

    dataset = _dataset()
    _clean_rct(dataset, "trial-for", size=50)
    _add_human_evidence(dataset, "survey-null", design=KKG.CrossSectionalSurvey, direction=KKG.Null)
    reference = set(derive(dataset))
    path = tmp_path / "user.ttl"
    dataset.graph(GRAPH_USER).serialize(path, format="turtle")
    store = load_store([MINIMAL, path])
    import pyoxigraph as ox

    derived = ox.NamedNode(str(GRAPH_DERIVED))
    quads = list(store.quads_for_pattern(None, None, None, derived))
    explanations = {
        str(q.subject): str(q.object) for q in quads if str(q.predicate) == f"<{KKG.explanation}>"
    }
    expected = {s.n3(): o.n3() for s, p, o in reference if p == KKG.explanation}
    assert explanations == expected
    assert len(quads) == len(reference)

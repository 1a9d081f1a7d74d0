"""Grades are derived from evidence, and follow it when it changes."""

from __future__ import annotations

from rdflib import Dataset, URIRef
from rdflib.term import Node

from kratomkg import derive, load
from kratomkg.namespaces import GRAPH_DERIVED, GRAPH_USER, KKG

from .conftest import MINIMAL

EX = "https://example.org/test/"
CLAIM = URIRef(EX + "claim")
ANIMAL = URIRef(EX + "evidence-animal")
SURVEY = URIRef(EX + "evidence-survey")


def _grade(dataset: Dataset) -> Node:
    derive(dataset)
    grades = list(dataset.graph(GRAPH_DERIVED).objects(CLAIM, KKG.evidenceGrade))
    assert len(grades) == 1
    return grades[0]


def test_grade_is_best_supporting_level() -> None:
    dataset = load([MINIMAL])
    assert _grade(dataset) == KKG.AnimalStudy


def test_grade_follows_a_changed_evidence() -> None:
    dataset = load([MINIMAL])
    user = dataset.graph(GRAPH_USER)
    # The inconclusive survey now supports the claim: the grade rises to its level.
    user.set((SURVEY, KKG.direction, KKG.Supports))
    assert _grade(dataset) == KKG.ObservationalStudy
    # The survey disputes it at a higher level than the animal study: contested.
    user.set((SURVEY, KKG.direction, KKG.Disputes))
    assert _grade(dataset) == KKG.Contested
    # A dispute below the best support does not contest it.
    user.set((SURVEY, KKG.evidenceLevel, KKG.InVitro))
    assert _grade(dataset) == KKG.AnimalStudy
    # No support left at all: unsupported.
    user.set((ANIMAL, KKG.direction, KKG.Inconclusive))
    assert _grade(dataset) == KKG.Unsupported


def test_dispute_at_same_level_contests() -> None:
    dataset = load([MINIMAL])
    user = dataset.graph(GRAPH_USER)
    user.set((SURVEY, KKG.evidenceLevel, KKG.AnimalStudy))
    user.set((SURVEY, KKG.direction, KKG.Disputes))
    assert _grade(dataset) == KKG.Contested


def test_derive_emits_direct_edges_and_is_idempotent() -> None:
    dataset = load([MINIMAL])
    first = set(derive(dataset))
    second = set(derive(dataset))
    assert first == second
    assert (URIRef(EX + "alkaloid"), KKG.hasClaimedEffect, URIRef(EX + "analgesia")) in first

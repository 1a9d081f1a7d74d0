"""Graph exports: the networkx projection and the files graph tools read back."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kratomkg import to_networkx
from kratomkg.export.csv import write_edges_csv, write_nodes_csv
from kratomkg.export.cyjs import write_cyjs
from kratomkg.export.dot import write_dot
from kratomkg.export.gexf import write_gexf
from kratomkg.export.graphml import write_graphml
from kratomkg.export.projection import CERTAINTY_COLORS, TYPE_COLORS, node_key, source_graph
from kratomkg.namespaces import KID, KKG

from .conftest import MINIMAL

REQUIRE_REAL_PARTS = os.environ.get("KRATOMKG_REQUIRE_REAL_PARTS") == "1"
HEX = re.compile(r"^#[0-9A-F]{6}$")


@pytest.fixture(scope="module")
def summary(shipped: Dataset) -> nx.MultiDiGraph[str]:
    return to_networkx(shipped, "summary")


@pytest.fixture(scope="module")
def full(shipped: Dataset) -> nx.MultiDiGraph[str]:
    return to_networkx(shipped, "full")


def test_every_node_has_label_type_iri_color_and_only_scalars(
    summary: nx.MultiDiGraph[str], full: nx.MultiDiGraph[str]
) -> None:
    for graph in (summary, full):
        for node, attrs in graph.nodes(data=True):
            assert {"label", "type", "iri", "color", "x", "y"} <= set(attrs), node
            assert HEX.match(str(attrs["color"])), (node, attrs["color"])
        rows = [a for _, a in graph.nodes(data=True)] + [a for *_, a in graph.edges(data=True)]
        for attrs in rows:
            for name, value in attrs.items():
                assert isinstance(value, (str, int, float, bool)), (name, value)
                assert value != "", name


def test_summary_shows_receptor_actions_and_one_edge_per_claim(
    shipped: Dataset, summary: nx.MultiDiGraph[str]
) -> None:
    graph = source_graph(shipped)
    # mitragynine acts on the mu-opioid receptor in the curated interactions.
    actions = summary.get_edge_data("kid:mitragynine", "kid:mor")
    assert actions, "no mitragynine -> mor edge"
    assert all(a["kind"] == "interaction" for a in actions.values())
    assert any("agonist" in str(a["action"]) for a in actions.values())

    # Computed independently: one claim edge per Claim, carrying the claim's derived rating.
    claims = set(graph.subjects(RDF.type, KKG.Claim))
    claim_edges = {
        key: attrs
        for _, _, key, attrs in summary.edges(keys=True, data=True)
        if attrs["kind"] == "claim"
    }
    assert set(claim_edges) == {node_key(c) for c in claims}
    for claim in claims:
        attrs = claim_edges[node_key(claim)]
        certainty = graph.value(claim, KKG.certainty)
        assert attrs["certainty_key"] == str(certainty).rsplit("/", 1)[-1]
        assert attrs["certainty"] == str(graph.value(certainty, RDFS.label))
        assert attrs["certainty_rank"] == int(str(graph.value(certainty, KKG.rank)))
        assert attrs["color"] == CERTAINTY_COLORS[str(attrs["certainty_key"])]
        assert attrs["status_key"] == str(graph.value(claim, KKG.status)).rsplit("/", 1)[-1]
        preclinical = graph.value(claim, KKG.preclinicalSupport)
        assert attrs["preclinical_support"] == str(graph.value(preclinical, RDFS.label))
        assert attrs["explanation"] == " ".join(str(graph.value(claim, KKG.explanation)).split())
        assert attrs["evidence_count"] == len(set(graph.objects(claim, KKG.hasEvidence)))
        assert attrs["human_evidence"] == len(set(graph.subjects(KKG.appraisedFor, claim)))
        # where the claim appeared, through its kkg:ClaimAppearance nodes
        sources = {
            str(graph.value(s, RDFS.label))
            for a in graph.subjects(KKG.asserts, claim)
            for s in graph.objects(a, KKG.appearsIn)
        }
        assert set(str(attrs.get("appears_in", "")).split("; ")) - {""} == sources
    # the seed article's claims say so on their edges
    assert any("appears_in" in a for a in claim_edges.values())


def test_certainty_colours_are_a_sequential_scale_with_grey_for_no_evidence() -> None:
    def luminance(color: str) -> float:
        r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    ladder = ["HighCertainty", "ModerateCertainty", "LowCertainty", "VeryLowCertainty"]
    steps = [luminance(CERTAINTY_COLORS[k]) for k in ladder]
    assert steps == sorted(steps), "darker means more certain"
    grey = CERTAINTY_COLORS["NoHumanEvidence"]
    assert grey[1:3] == grey[3:5] == grey[5:7], "no human evidence is a neutral grey"
    assert len(set(CERTAINTY_COLORS.values())) == len(CERTAINTY_COLORS)


def test_risk_nodes_carry_their_own_rating(shipped: Dataset, summary: nx.MultiDiGraph[str]) -> None:
    graph = source_graph(shipped)
    risks = set(graph.subjects(RDF.type, KKG.Risk))
    assert risks
    for risk in risks:
        attrs = summary.nodes[node_key(risk)]
        certainty = graph.value(risk, KKG.certainty)
        assert attrs["certainty_key"] == str(certainty).rsplit("/", 1)[-1]
        assert attrs["status_key"] == str(graph.value(risk, KKG.status)).rsplit("/", 1)[-1]
        assert attrs["explanation"] == " ".join(str(graph.value(risk, KKG.explanation)).split())


def test_projection_derives_the_ratings_when_the_data_has_none() -> None:
    from kratomkg import load

    dataset = load([MINIMAL])
    assert (None, KKG.certainty, None) not in dataset
    graph = source_graph(dataset)
    claim = URIRef("https://example.org/test/claim")
    assert graph.value(claim, KKG.certainty) is not None
    assert (None, KKG.certainty, None) not in dataset, "the input is not modified"
    attrs = to_networkx(dataset).get_edge_data(
        "<https://example.org/test/alkaloid>", "<https://example.org/test/analgesia>"
    )
    (edge,) = attrs.values()
    assert edge["certainty_key"] == str(graph.value(claim, KKG.certainty)).rsplit("/", 1)[-1]
    assert edge["appears_in"] == "a post"


def test_summary_nodes_are_the_domain_types(summary: nx.MultiDiGraph[str]) -> None:
    types = {attrs["type"] for _, attrs in summary.nodes(data=True)}
    assert types <= {"Compound", "Plant", "PlantProduct", "Receptor", "Effect", "Condition", "Risk"}
    assert summary.nodes["kid:mitragynine"]["type"] == "Compound"
    assert summary.nodes["kid:mor"]["type"] == "Receptor"
    for _, attrs in summary.nodes(data=True):
        assert attrs["color"] == TYPE_COLORS[str(attrs["type"])]
    kinds = {attrs["kind"] for *_, attrs in summary.edges(data=True)}
    assert {"claim", "interaction", "for_condition", "risk"} <= kinds


def test_full_view_has_every_resource_and_every_resource_triple(
    shipped: Dataset, full: nx.MultiDiGraph[str]
) -> None:
    graph = source_graph(shipped)
    resources = {t for s, _, o in graph for t in (s, o) if not isinstance(t, Literal)}
    assert full.number_of_nodes() == len(resources)
    assert full.number_of_edges() == sum(1 for _, _, o in graph if not isinstance(o, Literal))
    assert full.has_edge("kid:mitragynine", "kkg:Compound", key="rdf:type")


def test_projection_does_not_modify_its_input() -> None:
    from kratomkg import load

    dataset = load()
    before = len(dataset)
    to_networkx(dataset)
    assert len(dataset) == before


def test_graphml_reads_back_in_networkx_with_labels(
    summary: nx.MultiDiGraph[str], tmp_path: Path
) -> None:
    path = tmp_path / "k.graphml"
    path.write_text(write_graphml(summary), encoding="utf-8")
    back = nx.read_graphml(path, force_multigraph=True)
    assert back.number_of_nodes() == summary.number_of_nodes()
    assert back.number_of_edges() == summary.number_of_edges()
    for node, attrs in summary.nodes(data=True):
        assert back.nodes[node]["label"] == attrs["label"]
        assert back.nodes[node]["type"] == attrs["type"]
    assert back.nodes["kid:mitragynine"]["shape_type"] == "roundrectangle"  # yFiles ShapeNode
    ranks = {a.get("certainty_rank") for *_, a in back.edges(data=True)} - {None}
    assert ranks
    assert all(isinstance(r, int) for r in ranks)


def test_gexf_reads_back_in_networkx_with_labels_and_colors(
    summary: nx.MultiDiGraph[str], tmp_path: Path
) -> None:
    path = tmp_path / "k.gexf"
    path.write_text(write_gexf(summary), encoding="utf-8")
    back = nx.read_gexf(path, version="1.3")
    assert back.number_of_nodes() == summary.number_of_nodes()
    assert back.number_of_edges() == summary.number_of_edges()
    for node, attrs in summary.nodes(data=True):
        assert back.nodes[node]["label"] == attrs["label"]
        color = back.nodes[node]["viz"]["color"]
        assert "#{:02X}{:02X}{:02X}".format(color["r"], color["g"], color["b"]) == attrs["color"]


def test_cyjs_elements_reference_declared_nodes(summary: nx.MultiDiGraph[str]) -> None:
    document = json.loads(write_cyjs(summary))
    nodes = {n["data"]["id"] for n in document["elements"]["nodes"]}
    assert len(nodes) == summary.number_of_nodes()
    edges = document["elements"]["edges"]
    assert len(edges) == summary.number_of_edges()
    assert len({e["data"]["id"] for e in edges}) == len(edges)
    for edge in edges:
        assert {edge["data"]["source"], edge["data"]["target"]} <= nodes
        assert edge["data"]["interaction"]
    assert all("name" in n["data"] and "position" in n for n in document["elements"]["nodes"])


def test_csv_tables_follow_neo4j_headers(summary: nx.MultiDiGraph[str]) -> None:
    nodes = list(csv.reader(io.StringIO(write_nodes_csv(summary))))
    edges = list(csv.reader(io.StringIO(write_edges_csv(summary))))
    assert nodes[0][:2] == ["id:ID", ":LABEL"]
    assert edges[0][:3] == [":START_ID", ":END_ID", ":TYPE"]
    assert "evidence_count:long" in edges[0]
    assert "x:double" in nodes[0]
    ids = {row[0] for row in nodes[1:]}
    assert len(ids) == len(nodes) - 1 == summary.number_of_nodes()
    assert all(row[0] in ids and row[1] in ids for row in edges[1:])
    assert len(edges) - 1 == summary.number_of_edges()
    assert all(len(row) == len(nodes[0]) for row in nodes)
    assert {row[2] for row in edges[1:]} >= {"ACTS_ON", "CLAIMED_EFFECT", "HAS_RISK"}


def test_dot_quotes_ids_and_uses_six_digit_colors(summary: nx.MultiDiGraph[str]) -> None:
    text = write_dot(summary)
    assert '"kid:mitragynine" -> "kid:mor"' in text
    colors = re.findall(r'color="([^"]*)"', text)
    assert colors
    assert all(HEX.match(c) for c in colors)
    # a contested claim is dashed, a refuted one dotted: the status never rests on colour
    statuses = {a.get("status_key") for *_, a in summary.edges(data=True)}
    assert ("Contested" in statuses) == ('style="dashed"' in text)
    assert ("Refuted" in statuses) == ('style="dotted"' in text)


def test_dot_renders_in_graphviz_without_warnings(
    summary: nx.MultiDiGraph[str], tmp_path: Path
) -> None:
    dot = shutil.which("dot")
    if dot is None:
        if REQUIRE_REAL_PARTS:
            pytest.fail("Graphviz 'dot' is not installed (KRATOMKG_REQUIRE_REAL_PARTS=1)")
        pytest.skip("Graphviz 'dot' is not installed")
    source = tmp_path / "k.dot"
    source.write_text(write_dot(summary), encoding="utf-8")
    done = subprocess.run(
        [dot, "-Tsvg", str(source), "-o", str(tmp_path / "k.svg")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    svg = (tmp_path / "k.svg").read_text(encoding="utf-8")
    assert svg.count('class="node"') == summary.number_of_nodes()
    assert svg.count('class="edge"') == summary.number_of_edges()
    assert str(KID.mitragynine) in svg  # nodes link to their IRIs

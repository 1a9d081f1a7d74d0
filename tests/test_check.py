"""``kratomkg check``: what a text claims, and what the graph says about each claim.

The annotated articles in ``tests/data/articles/`` (format in its README) are the
regression set: every article keeps recall, precision and framing accuracy at 0.9 or more.
The seed article is also checked against what the graph itself records as appearing in it.
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Dataset

from kratomkg.checking import SCHEMA, check, check_file, shipped_index
from kratomkg.checking.evaluate import articles_in, score_article
from kratomkg.checking.segment import normalise, sentences
from kratomkg.cli import cli
from kratomkg.namespaces import GRAPH_KB, KID, KKG

from .conftest import DATA

ARTICLES = DATA / "articles"
ANNOTATED = articles_in(ARTICLES)
SEED = ARTICLES / "seed-article.txt"


def _claims(text: str) -> list[dict[str, Any]]:
    return check(text).claims


def _local(ref: dict[str, Any] | None) -> str | None:
    if ref is None or ref.get("iri") is None:
        return None
    return str(ref["iri"]).rsplit("/", 1)[-1]


def _propositions(text: str) -> set[tuple[str | None, ...]]:
    return {
        (
            c["kind"],
            _local(c["subject"]),
            _local(c["effect"]) if c["effect"] else _local(c["risk"]),
            _local(c["condition"]),
            c["polarity"],
        )
        for c in _claims(text)
    }


# --- the evaluation set -------------------------------------------------------------------


def test_the_evaluation_set_has_every_kind_of_article() -> None:
    names = {p.stem for p in ANNOTATED}
    assert {
        "seed-article",
        "forum-testimonial",
        "vendor-page",
        "news-brief",
        "hedged-blog",
        "negations",
        "no-claims",
    } <= names
    assert {p.suffix for p in ANNOTATED} >= {".txt", ".md", ".html"}


@pytest.mark.parametrize("article", ANNOTATED, ids=[p.stem for p in ANNOTATED])
def test_article_recall_precision_and_framing(article: Path) -> None:
    score = score_article(article)
    detail = f"missed {score.missed}; not in the gold {score.spurious}; framings {score.framings}"
    assert score.recall >= 0.9, detail
    assert score.precision >= 0.9, detail
    assert score.framing_accuracy >= 0.9, detail
    assert score.unmatched_reported, "a claim outside the graph was matched to a graph claim"


def test_an_article_without_claims_gives_an_empty_report() -> None:
    report = check_file(ARTICLES / "no-claims.txt")
    assert report.claims == []
    assert report.to_dict()["summary"]["claims"] == 0


# --- the seed article, against what the graph records ------------------------------------


def test_seed_copy_is_the_recorded_article(shipped: Dataset) -> None:
    digest = hashlib.sha256(SEED.read_bytes()).hexdigest()
    recorded = shipped.graph(GRAPH_KB).value(KID["src-seed-article"], KKG.contentHash)
    assert str(recorded) == f"sha256:{digest}"


def test_seed_article_finds_exactly_the_propositions_the_graph_records(shipped: Dataset) -> None:
    kb = shipped.graph(GRAPH_KB)
    recorded = {
        str(kb.value(a, KKG.asserts)) for a in kb.subjects(KKG.appearsIn, KID["src-seed-article"])
    }
    report = check_file(SEED)
    matched = {c["verdict"]["claim"]["iri"] for c in report.claims if c["verdict"]["claim"]}
    assert matched == recorded
    # every claim found is in the annotated gold: none is made up
    assert score_article(SEED).precision == 1.0
    # every quote the graph records is a sentence the checker read
    text = report.to_dict()["document"]["text"]
    spans = {text[s.start : s.end] for s in sentences(text)}
    for appearance in kb.subjects(KKG.appearsIn, KID["src-seed-article"]):
        for quote in kb.objects(appearance, KKG.quote):
            assert str(quote) in spans, quote


def test_seed_claims_without_a_proposition_say_so() -> None:
    report = check_file(SEED)
    unmatched = [c for c in report.claims if c["verdict"]["match"] == "none"]
    assert unmatched, "the seed article credits 7-OH with focus, which the graph lacks"
    for claim in unmatched:
        assert claim["verdict"]["certainty"] is None
        assert claim["verdict"]["claim"] is None
        assert claim["verdict"]["evidenceFor"] == []


# --- what a claim asserts -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("Kratom relieves my back pain.", "kratom-leaf"),
        ("Red vein relieves my back pain.", "kratom-powder-tea"),
        ("Kratom capsules relieve my back pain.", "kratom-powder-tea"),
        ("The powder relieves my back pain.", "kratom-powder-tea"),
        ("7-OH relieves back pain.", "7-hydroxymitragynine"),
        ("Mitragynine relieves back pain.", "mitragynine"),
        ("Kratom extract relieves back pain.", "kratom-extract"),
    ],
)
def test_subjects_resolve_to_the_material_meant(text: str, subject: str) -> None:
    (claim,) = _claims(text)
    assert _local(claim["subject"]) == subject
    assert _local(claim["effect"]) == "effect-analgesia"
    assert _local(claim["condition"]) == "condition-low-back-pain"


def test_a_preparation_is_graded_by_its_leaf_claim_and_says_so() -> None:
    (claim,) = _claims("Red vein capsules relieve my back pain.")
    verdict = claim["verdict"]
    assert verdict["claim"]["iri"] == str(KID["claim-kratom-leaf-analgesia-low-back-pain"])
    assert "prepared from" in verdict["via"]


def test_negation_and_hedging() -> None:
    (denied,) = _claims("Kratom does not relieve back pain.")
    assert denied["polarity"] == "negated"
    (hedged,) = _claims("Kratom may ease anxiety.")
    assert hedged["polarity"] == "affirmed"
    assert hedged["hedged"] is True
    assert "Hedged" in hedged["framing"]
    # a negation that does not scope over the claim
    (kept,) = _claims("Not everyone agrees, but users report kratom relieves back pain.")
    assert kept["polarity"] == "affirmed"
    assert "Testimonial" in kept["framing"]


@pytest.mark.parametrize(
    ("text", "framing"),
    [
        ("I take kratom for my back pain and it works.", "Testimonial"),
        ("Buy our premium kratom capsules for all-day energy.", "Marketing"),
        (
            "A study in mice found that mitragynine eased opioid withdrawal.",
            "ReportsAnimalResearch",
        ),
        ("A new study found that kratom reduced anxiety.", "ReportsStudy"),
        ("The FDA warns that kratom does not treat opioid addiction.", "RegulatorWarning"),
        ("Kratom relieves chronic pain.", "PlainAssertion"),
    ],
)
def test_framing(text: str, framing: str) -> None:
    claims = [c for c in _claims(text) if c["kind"] == "effect"]
    assert claims, text
    assert framing in claims[0]["framing"]


def test_a_comparison_keeps_its_comparator_and_the_stronger_side_as_subject() -> None:
    stronger = _claims("7-OH is a stronger painkiller than mitragynine.")
    weaker = _claims("Mitragynine is a weaker painkiller than 7-OH.")
    for claims in (stronger, weaker):
        (claim,) = claims
        assert _local(claim["subject"]) == "7-hydroxymitragynine"
        assert _local(claim["comparator"]) == "mitragynine"
        assert claim["verdict"]["claim"]["iri"] == str(
            KID["claim-7-hydroxymitragynine-analgesia-vs-mitragynine"]
        )


def test_a_claim_outside_the_graph_is_reported_never_matched_to_the_nearest() -> None:
    (immune,) = _claims("Kratom supports the immune system.")
    assert immune["effect"]["iri"] is None
    assert immune["verdict"]["match"] == "none"
    # a comparator the graph does not know makes a different proposition
    (morphine,) = _claims("7-OH is a stronger painkiller than morphine.")
    assert morphine["comparator"]["iri"] is None
    assert morphine["verdict"]["match"] == "none"
    # same subject and effect, a condition the graph has no claim for: related, not matched
    (anxiety,) = _claims("Kratom extract relieves anxiety.")
    assert anxiety["verdict"]["match"] == "none"


def test_safety_claims_are_set_against_the_risks() -> None:
    safe, addictive = _claims("Kratom is completely safe. It is not addictive.")
    assert safe["kind"] == addictive["kind"] == "safety"
    assert safe["risk"]["iri"] is None
    assert len(safe["verdict"]["risks"]) >= 5
    assert _local(addictive["risk"]) == "risk-dependence"
    assert [r["iri"] for r in addictive["verdict"]["risks"]] == [str(KID["risk-dependence"])]
    assert addictive["verdict"]["evidenceAgainst"], "the evidence that dependence is real"
    # a warning is not a safety claim
    assert _claims("Kratom is not safe.") == []


def test_risks_the_text_names_and_risks_it_leaves_out() -> None:
    report = check("Kratom can cause liver damage and seizures. It eases my back pain.")
    named = {r["risk"]["iri"] for r in report.risks_named}
    assert named == {str(KID["risk-liver-injury"]), str(KID["risk-seizures"])}
    (claim,) = report.claims
    assert claim["verdict"]["risks"]
    assert not any(r["mentionedInText"] for r in claim["verdict"]["risks"])


def test_matches_say_which_words_matched_which_term() -> None:
    (claim,) = _claims("Kratom is the best painkiller for my back pain.")
    matches = {(m["text"], m["role"], m["lexicon"]) for m in claim["appearances"][0]["matches"]}
    assert ("painkiller", "effect", "skos:hiddenLabel") in matches
    assert ("back pain", "condition", "skos:altLabel") in matches
    text = claim["appearances"][0]
    assert text["sentence"] == "Kratom is the best painkiller for my back pain."
    assert (text["start"], text["end"]) == (0, len(text["sentence"]))


def test_verdict_shows_certainty_reason_evidence_and_risks() -> None:
    (claim,) = _claims("Kratom relieves chronic pain.")
    verdict = claim["verdict"]
    assert verdict["claim"]["iri"] == str(KID["claim-kratom-leaf-analgesia-chronic-pain"])
    assert verdict["certainty"]["label"] == "very low"
    assert verdict["explanation"].startswith("Supported, very low certainty")
    assert verdict["evidenceFor"]
    first = verdict["evidenceFor"][0]
    assert first["source"]["doi"] or first["source"]["pmid"] or first["source"]["url"]
    assert {r["iri"] for r in verdict["risks"]} >= {str(KID["risk-dependence"])}


# --- the lexicon is data --------------------------------------------------------------------


def test_no_two_terms_of_one_role_share_a_normalised_label() -> None:
    index = shipped_index()
    seen: dict[tuple[str, tuple[str, ...]], str] = {}
    clashes = []

    def walk(node: dict[str, Any], path: tuple[str, ...]) -> None:
        for key, child in node.items():
            if key == "":
                for entry in child:
                    slot = (entry.term.role, path)
                    if seen.setdefault(slot, entry.term.iri) != entry.term.iri:
                        clashes.append((path, seen[slot], entry.term.iri))
            else:
                walk(child, (*path, key))

    walk(index.trie, ())
    assert clashes == []


def test_a_label_added_to_the_graph_extends_the_lexicon(shipped: Dataset) -> None:
    from rdflib import Literal
    from rdflib.namespace import SKOS

    from kratomkg.checking import index_from_dataset
    from kratomkg.derivation import derive
    from kratomkg.loading import load

    (unknown,) = _claims("Kratom helps my lumbago.")
    assert unknown["effect"]["iri"] is None
    assert unknown["verdict"]["match"] == "none"
    dataset = load()
    label = Literal("lumbago", lang="en")
    dataset.graph(GRAPH_KB).add((KID["condition-low-back-pain"], SKOS.hiddenLabel, label))
    derive(dataset)
    (claim,) = check("Kratom helps my lumbago.", index=index_from_dataset(dataset)).claims
    assert _local(claim["condition"]) == "condition-low-back-pain"
    assert claim["verdict"]["claim"]["iri"] == str(KID["claim-kratom-leaf-analgesia-low-back-pain"])
    assert normalise("Lumbago") == ("lumbago",)


# --- input, output and the CLI --------------------------------------------------------------


def test_html_is_reduced_to_its_text_and_scripts_are_never_read() -> None:
    report = check_file(ARTICLES / "vendor-page.html")
    text = report.to_dict()["document"]["text"]
    assert "retiredBanner" not in text
    assert "addToCart" not in text
    assert "Premium Kratom, Lab-Tested and Shipped Fresh" in text


@pytest.mark.parametrize("article", ANNOTATED, ids=[p.stem for p in ANNOTATED])
def test_reports_follow_the_published_json_schema(article: Path) -> None:
    import jsonschema
    from jsonschema.validators import Draft202012Validator

    schema = json.loads(
        (
            Path(__file__).parents[1] / "src" / "kratomkg" / "checking" / "report.schema.json"
        ).read_text(encoding="utf-8")
    )
    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == SCHEMA
    doc = check_file(article).to_dict()
    jsonschema.validate(doc, schema, cls=Draft202012Validator)
    text = doc["document"]["text"]
    for claim in doc["claims"]:
        for appearance in claim["appearances"]:
            assert text[appearance["start"] : appearance["end"]] == appearance["sentence"]
            for match in appearance["matches"]:
                assert text[match["start"] : match["end"]] == match["text"]


def test_readme_shows_the_real_output_of_check(runner: CliRunner) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    command = "$ kratomkg check tests/data/articles/news-brief.md\n"
    assert command in readme
    shown = readme.split(command, 1)[1].split("```", 1)[0]
    result = runner.invoke(cli, ["check", str(ARTICLES / "news-brief.md")])
    assert result.exit_code == 0
    assert shown == result.output


def test_the_report_is_deterministic_and_versioned() -> None:
    first = json.dumps(check_file(SEED).to_dict())
    second = json.dumps(check_file(SEED).to_dict())
    assert first == second
    assert json.loads(first)["schema"] == SCHEMA


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "claimreview", "html"])
def test_cli_formats(runner: CliRunner, fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"report.{fmt}"
    result = runner.invoke(cli, ["check", str(SEED), "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    body = out.read_text(encoding="utf-8")
    if fmt in ("json", "claimreview"):
        json.loads(body)
    elif fmt == "html":
        assert body.startswith("<!DOCTYPE html>")
    else:
        assert "Kratom leaf" in body


def test_cli_reads_standard_input(runner: CliRunner) -> None:
    result = runner.invoke(
        cli, ["check", "-", "--format", "json"], input="Kratom cures my anxiety."
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["document"]["name"] == "-"
    assert doc["claims"][0]["condition"]["iri"] == str(KID["condition-anxiety"])


def test_cli_fail_below_is_for_moderation_pipelines(runner: CliRunner) -> None:
    weak = runner.invoke(
        cli, ["check", "-", "--fail-below", "low"], input="Kratom cures my anxiety."
    )
    assert weak.exit_code == 1
    assert "below low certainty" in weak.stderr
    fine = runner.invoke(cli, ["check", "-", "--fail-below", "low"], input="Kratom is a tree.")
    assert fine.exit_code == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("Kratom hilft gegen Schmerzen".encode("latin-1") + b" \xe4\xf6", "not UTF-8"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(
    runner: CliRunner, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(content)
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_cli_refuses_huge_input_and_missing_files(runner: CliRunner, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(11 * 1024 * 1024)  # sparse: 11 MB of NULs, over the 10 MB limit
    result = runner.invoke(cli, ["check", str(big)])
    assert result.exit_code == 2
    assert "at most 10 MB" in result.stderr
    missing = runner.invoke(cli, ["check", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 2
    assert "no such file" in missing.stderr
    folder = runner.invoke(cli, ["check", str(tmp_path)])
    assert folder.exit_code == 2


def test_cli_empty_file_is_an_empty_report(runner: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = runner.invoke(cli, ["check", str(empty), "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["claims"] == []


def test_cli_bad_date_and_html_for_two_articles(runner: CliRunner) -> None:
    bad = runner.invoke(cli, ["check", str(SEED), "--date", "yesterday"])
    assert bad.exit_code == 2
    assert "YYYY-MM-DD" in bad.stderr
    two = runner.invoke(cli, ["check", str(SEED), str(SEED), "--format", "html"])
    assert two.exit_code == 2


def test_output_file_is_replaced_only_when_the_report_is_written(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "report.txt"
    out.write_text("previous report", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02")
    result = runner.invoke(cli, ["check", str(bad), "-o", str(out)])
    assert result.exit_code == 2
    assert out.read_text(encoding="utf-8") == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt", "report.txt"]


def test_hard_wrapped_prose_is_read_as_one_paragraph_of_sentences() -> None:
    prose = (
        "Kratom is the best painkiller for my back pain, and it gives me energy in the morning"
        " before work. It also supports the immune system."
    )
    wrapped = "\n".join(textwrap.wrap(prose, 30))
    found = [s for s in sentences(wrapped)]
    assert len(found) == 2
    assert {_local(c["effect"]) for c in check(wrapped).claims} == {
        "effect-analgesia",
        "effect-stimulation",
        None,
    }


def test_fifty_megabytes_of_text_is_refused_in_one_line(runner: CliRunner, tmp_path: Path) -> None:
    big = tmp_path / "fifty.txt"
    line = b"Kratom relieves pain. " * 4096 + b"\n"
    with big.open("wb") as handle:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            handle.write(line)
    result = runner.invoke(cli, ["check", str(big)])
    assert result.exit_code == 2
    assert "at most 10 MB" in result.stderr
    assert "Traceback" not in result.stderr

"""From text to claim instances: lexicon matches, clause by clause, read with the cues.

Each sentence is matched against the lexicon trie (longest match first, per role), then
each clause is read in a fixed order, so the same text always gives the same claims and
every claim can say which words made it:

1. subject: the first compound, product or material named that is not a container of
   compounds ("alkaloids in kratom"), with any named alongside it ("mitragynine and
   7-OH"); else the sentence's subject; else, after "it", "this" or "these compounds",
   the last one named before; after "than", a subject is the comparator;
2. effects and conditions after a topic cue ("research into ...") are topics, not claims;
3. each effect pairs with the conditions it can be claimed for (the condition's relief
   effect, or a pair the graph records); a condition left over, next to a benefit word
   that is not part of an effect, takes its relief effect, or the effect last named for
   it in the paragraph; a symptom word ("cravings") counts only next to a benefit word;
4. a negation trigger within a few words before a mention makes the claim negated; a
   negated risk, a negated "side effects" or a "safe" makes a safety claim;
5. a clause with a subject, a claim verb and no known effect or condition is a claim the
   graph has no term for ("supports the immune system"), reported, never dropped.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from kratomkg.checking import cues
from kratomkg.checking.index import CheckIndex, Entry, Term
from kratomkg.checking.segment import Clause, Sentence, Token, sentences, tokens

__all__ = ["Instance", "Mention", "extract"]

_CONTENT_ROLES = ("subject", "effect", "condition", "risk", "symptom")
#: How far back in a paragraph an effect named before still sets the reading of "helps X".
_CONTEXT_SENTENCES = 12
#: Every word cues.SAFETY and cues.GENERIC_RISK can match contains one of these.
_SAFETY_WORDS = ("safe", "harm", "risk", "side", "adverse", "danger", "toxic")
_PRONOUNS = frozenset(
    {"it", "them", "you", "me", "us", "him", "her", "people", "users", "symptoms", "effects",
     "things", "lives", "life", "quality", "this", "that", "these", "those", "their", "my",
     "your", "our", "a", "an", "the", "one", "some", "many", "more", "much"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of the text that names a term (or, for unknown claims, only the words)."""

    role: str
    term: Term | None
    start: int
    end: int
    first: int  # index of the first token
    last: int  # index of the last token
    lexicon: str | None
    text: str


@dataclass(slots=True)
class Instance:
    """One claim made in one sentence."""

    kind: str  # "effect" or "safety"
    sentence: Sentence
    subject: Mention
    effect: Mention | None = None
    condition: Mention | None = None
    comparator: Mention | None = None
    risk: Mention | None = None
    polarity: str = "affirmed"
    framing: tuple[str, ...] = ()
    cues: list[Mention] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    effect_text: str | None = None


@dataclass
class _State:
    """What later sentences may refer back to."""

    subjects: list[Mention] = field(default_factory=list)
    compounds: list[Mention] = field(default_factory=list)
    subject_sentence: int = -1
    effects: list[tuple[int, int, str]] = field(default_factory=list)  # paragraph, sentence, effect


def _walk(
    trie: dict[str, Any],
    key: Callable[[int], str],
    i: int,
    count: int,
    longest: int,
    role: str | None,
    words: list[Token],
    text: str,
    found: list[Mention],
) -> None:
    """Follow ``trie`` from word ``i`` (``key(k)`` is the key of word k), noting every entry."""
    node = trie.get(key(i))
    j = i
    while node is not None:
        entries: Sequence[Entry] = node.get("", ())  # entries live under "" (CheckIndex._add)
        if entries:
            start, end = words[i].start, words[j].end
            for entry in entries:
                found.append(
                    Mention(
                        role or entry.term.role, entry.term, start, end, i, j, entry.lexicon,
                        text[start:end],
                    )
                )  # fmt: skip
        j += 1
        if j >= count or j - i >= longest:
            break
        node = node.get(key(j))


def _matches(index: CheckIndex, text: str, words: list[Token]) -> list[Mention]:
    """Every lexicon match in ``words``, at every length, and every framing cue.

    Terms are keyed by stem; framing cues, as written, in their own trie, which is entered
    only at words whose stem can start a cue.
    """
    found: list[Mention] = []
    count, longest = len(words), index.max_length
    stems = [w.stem for w in words]
    exact: dict[int, str] = {}

    def word(k: int) -> str:
        if k not in exact:
            exact[k] = text[words[k].start : words[k].end].lower().replace("’", "'")
        return exact[k]

    trie = index.trie
    for i in range(count):
        if stems[i] in trie:  # most words start no term: no call for them
            _walk(trie, stems.__getitem__, i, count, longest, None, words, text, found)
        if stems[i] in index.cue_first_stems:
            _walk(index.cue_trie, word, i, count, longest, "framing", words, text, found)
    return found


def _longest(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest, leftmost mentions of one role that do not overlap."""
    if len(mentions) == 1:
        return mentions
    chosen: list[Mention] = []
    taken: set[int] = set()
    best: dict[tuple[int, int, int], Mention] = {}
    for m in mentions:
        # one mention per span and term; the most specific lexicon property wins
        best.setdefault((m.first, m.last, hash(m.term)), m)
    ordered = sorted(
        best.values(), key=lambda m: (-(m.last - m.first), m.first, m.term.iri if m.term else "")
    )
    for m in ordered:
        span = set(range(m.first, m.last + 1))
        if span & taken:
            # the same span may name several terms of one role only if both are exact
            same = [c for c in chosen if (c.first, c.last) == (m.first, m.last)]
            if not same:
                continue
        chosen.append(m)
        taken |= span
    return sorted(chosen, key=lambda m: (m.first, m.term.iri if m.term else ""))


def _resolve(found: list[Mention], pairs: set[tuple[str, str]]) -> list[Mention]:
    """Pick mentions per role, then let a longer mention of another role win an overlap.

    One exception: a condition inside an effect it can be claimed for stays ("treats
    depression" is the antidepressant effect for depression, not an effect alone).
    """
    by_role: dict[str, list[Mention]] = {}
    for m in found:
        by_role.setdefault(m.role, []).append(m)
    picked = [m for role in sorted(by_role) for m in _longest(by_role[role])]
    content = [m for m in picked if m.role in _CONTENT_ROLES]

    def covered_by(m: Mention, o: Mention) -> bool:
        if o is m or not (
            o.first <= m.first and m.last <= o.last and (o.last - o.first) > (m.last - m.first)
        ):
            return False
        if m.role != "condition" or o.role != "effect" or m.term is None or o.term is None:
            return True
        return (o.term.iri, m.term.iri) not in pairs

    keep = [
        m
        for m in picked
        if m.role not in _CONTENT_ROLES or not any(covered_by(m, o) for o in content)
    ]
    return sorted(keep, key=lambda m: (m.first, m.role, m.term.iri if m.term else ""))


def _framing_cues(text: str, mentions: list[Mention], words: list[Token]) -> list[Mention]:
    cues_found = []
    for m in mentions:
        if m.role != "framing" or m.term is None:
            continue
        name = m.term.iri.rsplit("/", 1)[-1]
        word = text[m.start : m.end]
        after = words[m.last + 1].stem if m.last + 1 < len(words) else ""
        if word.lower() == "may" and (word == "May" and after.isdigit()):
            continue  # the month
        if name == "Testimonial" and word.lower() == "i" and word != "I":
            continue
        if word.lower() == "can" and re.match(
            r"can['’]t|cannot", text[m.start : m.start + 6], re.I
        ):
            continue
        cues_found.append(m)
    return cues_found


def _framings(cue_mentions: list[Mention]) -> tuple[str, ...]:
    names = {m.term.iri.rsplit("/", 1)[-1] for m in cue_mentions if m.term is not None}
    if "ReportsAnimalResearch" in names:
        names.discard("ReportsStudy")
    first_person = {"i", "my", "me"}
    if names & {"ReportsStudy", "ReportsAnimalResearch"} and all(
        m.text.lower() in first_person
        for m in cue_mentions
        if m.term is not None and m.term.iri.endswith("/Testimonial")
    ):
        names.discard("Testimonial")  # a first person narrating research is not testimony
    return tuple(sorted(names)) or ("PlainAssertion",)


def _in(m: Mention, start: int, end: int) -> bool:
    return m.start >= start and m.end <= end


def _subject_group(text: str, mentions: list[Mention], start: int) -> list[Mention]:
    """Return the first subject named (not as a container) plus those coordinated with it."""
    subjects = [
        m
        for m in mentions
        if m.role == "subject"
        and not cues.CONTAINER.search(text[max(start, m.start - 60) : m.start])
    ]
    if not subjects:
        return []
    group = [subjects[0]]
    for m in subjects[1:]:
        gap = text[group[-1].end : m.start].strip(" ,").lower()
        if gap in ("", "and", "or", "&", "and/or", "as well as", "and its metabolite"):
            group.append(m)
        else:
            break
    return group


def _dedupe(group: list[Mention]) -> list[Mention]:
    seen: set[str] = set()
    out = []
    for m in group:
        key = m.term.iri if m.term else m.text
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out


def _unknown_effect(clause_text: str) -> str | None:
    """Return the object of a claim verb, for claims the lexicon has no term for."""
    match = cues.CLAIM_VERB.search(clause_text)
    if match is None:
        return None
    words = [w for w in re.split(r"\s+", match.group(1).strip()) if w]
    while words and words[-1].lower() in _PRONOUNS:
        words.pop()
    content = [w for w in words if w.lower() not in _PRONOUNS]
    if not content:
        return None
    verb = clause_text[match.start() : match.start(1)].strip()
    return f"{verb} {' '.join(words)}".strip()


def _negated_at(text: str, clause_start: int, at: int) -> bool:
    """Tell whether a NegEx trigger negates the mention at ``at``.

    The trigger must come before ``at`` in its clause, within the window, not be a
    pseudo-trigger, and have no comma or semicolon between (punctuation ends a negation's
    scope).
    """
    begin = max(clause_start, at - 80)
    before = text[begin:at]
    stop = max(before.rfind(","), before.rfind(";"), before.rfind(":"))
    if stop >= 0:
        before = before[stop + 1 :]
    for trigger in cues.NEGATION.finditer(before):
        if cues.PSEUDO_NEGATION.match(before[trigger.start() :]):
            continue
        if len(_WORDS.findall(before[trigger.end() :])) <= cues.NEGATION_WINDOW:
            return True
    return False


_WORDS = re.compile(r"\w+")
_WHICH = re.compile(r",\s+which\b", re.I)


def _segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a clause before ", which": a relative clause's hedge is its own."""
    cuts = [start] + [m.start() for m in _WHICH.finditer(text, start, end)] + [end]
    return list(itertools.pairwise(cuts))


def _instance_framing(
    cue_mentions: list[Mention], segments: list[tuple[int, int]], anchors: list[Mention]
) -> tuple[tuple[str, ...], list[Mention]]:
    spans = [
        seg for seg in segments if any(seg[0] <= m.start < seg[1] for m in anchors)
    ] or segments
    chosen = [c for c in cue_mentions if any(a <= c.start < b for a, b in spans)]
    return _framings(chosen), chosen


def _clause_framing(
    clause: Clause,
    clause_cues: list[Mention],
    segments: list[tuple[int, int]],
    *anchors: Mention | None,
) -> tuple[tuple[str, ...], list[Mention]]:
    """Frame an instance by the segments of ``clause`` that hold its anchors.

    Anchors outside the clause (a subject carried from an earlier sentence) are ignored.
    """
    used = [a for a in anchors if a is not None and _in(a, clause.start, clause.end)]
    return _instance_framing(clause_cues, segments, used)


def _analyse(
    index: CheckIndex, text: str, sentence: Sentence, state: _State
) -> tuple[list[Instance], list[tuple[Mention, Sentence]]]:
    words = tokens(text, sentence.start, sentence.end)
    mentions = _resolve(_matches(index, text, words), index.pairs)
    framing_cues = _framing_cues(text, mentions, words)
    instances: list[Instance] = []
    risks_named: list[tuple[Mention, Sentence]] = []
    sentence_subjects: list[Mention] = []
    question = "?" in text[max(sentence.start, sentence.end - 24) : sentence.end]
    # a list item under a product inherits its subject, unless it is a bare heading
    # ("• Pain relief.")
    list_item = text[sentence.start : sentence.start + 1] == "•" and len(words) >= 5

    if not any(m.role in _CONTENT_ROLES for m in mentions) and not (
        (
            not cues.CLAIM_VERB_STEMS.isdisjoint(w.stem for w in words)
            and cues.CLAIM_VERB.search(text, sentence.start, sentence.end)
        )
        or (
            any(w in text[sentence.start : sentence.end].lower() for w in _SAFETY_WORDS)
            and (
                cues.SAFETY.search(text, sentence.start, sentence.end)
                or cues.GENERIC_RISK.search(text, sentence.start, sentence.end)
            )
        )
    ):
        return instances, risks_named  # names nothing and claims nothing: nothing to read

    several_subjects = len({m.term for m in mentions if m.role == "subject"}) > 1
    for clause in sentence.clauses:
        clause_text = text[clause.start : clause.end]
        inside = [m for m in mentions if _in(m, clause.start, clause.end)]
        if not any(m.role in _CONTENT_ROLES for m in inside):
            lowered = clause_text.lower()
            verbs = not cues.CLAIM_VERB_STEMS.isdisjoint(
                w.stem for w in words if clause.start <= w.start < clause.end
            )
            if not verbs and not any(w in lowered for w in _SAFETY_WORDS):
                continue  # no term, no claim verb, no safety word: this clause claims nothing
        clause_cues = [m for m in framing_cues if _in(m, clause.start, clause.end)]
        segments = _segments(text, clause.start, clause.end)
        notes: list[str] = []

        # 1. subject and comparator
        comparing = (several_subjects or "than" in clause_text.lower()) and (
            cues.COMPARATIVE.search(clause_text) is not None
        )
        than = re.search(r"\bthan\b", clause_text, re.I) if comparing else None
        than_at = clause.start + than.start() if than else None
        comparators = [
            m for m in inside if m.role == "subject" and than_at is not None and m.start > than_at
        ]
        named = [m for m in inside if m.role == "subject" and m not in comparators]
        group = _dedupe(_subject_group(text, named, clause.start))
        explicit = bool(group)
        if group:
            state.subjects, state.subject_sentence = group, sentence.index
            if all(m.term is not None and m.term.iri in index.compound_iris for m in group):
                state.compounds = group
            sentence_subjects = group
        elif sentence_subjects:
            group = sentence_subjects
        else:
            anaphor = cues.COMPOUND_ANAPHOR.search(clause_text)
            if anaphor and state.compounds:
                group = state.compounds
                notes.append(
                    f"subject carried from sentence {state.subject_sentence + 1}"
                    f" (“{anaphor.group()}”)"
                )
            elif state.subjects and (cues.ANAPHOR.search(clause_text) or list_item):
                group = state.subjects
                notes.append(f"subject carried from sentence {state.subject_sentence + 1}")
        subjects = group

        # 2. topic: what follows "research into ..." is studied, not claimed
        topic = cues.TOPIC.search(clause_text)
        topic_at = clause.start + topic.start() if topic else None
        live = [m for m in inside if topic_at is None or m.start < topic_at]
        effects = [m for m in live if m.role == "effect"]
        conditions = [m for m in live if m.role == "condition"]
        symptoms = [m for m in live if m.role == "symptom"]
        risks = [m for m in live if m.role == "risk"]
        # benefit words matter only for a condition, a symptom, or a span that is both a
        # condition and a risk; most clauses have none, and the pattern is long
        maybe_shared = bool(risks) and bool(conditions or symptoms)
        needed = bool(conditions or symptoms) or maybe_shared
        benefits = list(cues.BENEFIT.finditer(clause_text)) if needed else []
        benefit = benefits[0] if benefits else None
        helpful = bool(benefit) or bool(effects)

        # 3. a span that is both a condition (or symptom) and a risk: a benefit word or an
        #    effect makes it the condition, otherwise it is the risk
        shared = {(m.start, m.end) for m in conditions + symptoms} & {
            (m.start, m.end) for m in risks
        }
        harm = bool(shared) and (
            cues.RISK_CONTEXT.search(clause_text) is not None
            or any(
                _negated_at(text, clause.start, m.start)
                for m in risks
                if (m.start, m.end) in shared
            )
        )
        if helpful or not harm:
            # a heading "Anxiety", or "symptoms include anxiety": no harm is said
            risks = [m for m in risks if (m.start, m.end) not in shared]
        if not helpful:
            conditions = [m for m in conditions if (m.start, m.end) not in shared]
            symptoms = [m for m in symptoms if (m.start, m.end) not in shared]
        for m in effects:  # named effects set the context; symptoms do not
            if state.effects and state.effects[-1][0] != sentence.paragraph:
                state.effects.clear()  # the context of a paragraph ends with it
            while state.effects and state.effects[0][1] < sentence.index - _CONTEXT_SENTENCES:
                state.effects.pop(0)  # ... and so does that of a long one, after a while
            state.effects.append((sentence.paragraph, sentence.index, m.term.iri if m.term else ""))
        if benefit:
            for sym in symptoms:
                term = index.term("effect", sym.term.iri) if sym.term else None
                if term is not None and all(e.term != term for e in effects):
                    effects.append(
                        Mention(
                            "effect",
                            term,
                            sym.start,
                            sym.end,
                            sym.first,
                            sym.last,
                            sym.lexicon,
                            sym.text,
                        )
                    )

        # 4. risks: negated ones make safety claims, the others are named
        for r in risks:
            if _negated_at(text, clause.start, r.start):
                if subjects and not question:
                    framing, used_cues = _clause_framing(clause, clause_cues, segments, r)
                    for s in subjects:
                        instances.append(
                            Instance(
                                "safety",
                                sentence,
                                s,
                                risk=r,
                                polarity="negated",
                                framing=framing,
                                cues=used_cues,
                                notes=list(notes),
                            )
                        )
            else:
                risks_named.append((r, sentence))
        lowered = clause_text.lower()
        if subjects and not question and any(w in lowered for w in _SAFETY_WORDS):
            for found in [
                *cues.SAFETY.finditer(clause_text),
                *cues.GENERIC_RISK.finditer(clause_text),
            ]:
                at = clause.start + found.start()
                generic = cues.GENERIC_RISK.fullmatch(found.group()) is not None
                negated = _negated_at(text, clause.start, at)
                if generic != negated or any(r.start <= at < r.end for r in risks):
                    continue  # "not safe" is a warning; "side effects" alone claims nothing
                pseudo = Mention(
                    "risk", None, at, clause.start + found.end(), 0, 0, None, found.group()
                )
                framing, used_cues = _clause_framing(clause, clause_cues, segments, pseudo)
                for s in subjects:
                    instances.append(
                        Instance(
                            "safety",
                            sentence,
                            s,
                            risk=pseudo,
                            polarity="negated",
                            framing=framing,
                            cues=used_cues,
                            notes=list(notes),
                        )
                    )
        if not subjects or question:
            continue

        # 5. comparator: a subject after "than", or another named in the sentence
        comparator = comparators[0] if comparators else None
        if comparator is None and comparing:
            if than:
                after = re.match(
                    r"\s*((?:the\s+)?[A-Za-z0-9-]+(?:\s+[A-Za-z0-9-]+)?)", clause_text[than.end() :]
                )
                if after:
                    s0 = clause.start + than.end() + after.start(1)
                    comparator = Mention(
                        "subject", None, s0, s0 + len(after.group(1)), 0, 0, None, after.group(1)
                    )
            else:
                others = [
                    m
                    for m in mentions
                    if m.role == "subject" and m.term and all(m.term != s.term for s in subjects)
                ]
                if others:
                    comparator = others[0]
                    notes.append("comparator named elsewhere in the sentence")

        if (
            comparator is not None
            and comparator.term is not None
            and (inverse := cues.INVERSE_COMPARATIVE.search(clause_text))
            and len(subjects) == 1
        ):
            # "X is weaker than Y": recorded as Y stronger than X
            notes.append(f"“{inverse.group()}”: recorded the other way round")
            subjects, comparator = [comparator], subjects[0]

        # 6. effects with the conditions they can be claimed for; conditions left over
        pairs: list[tuple[Mention | None, Mention | None, str | None]] = []
        used: set[int] = set()
        unresolved = bool(effects) and cues.CONDITION_ANAPHOR.search(clause_text) is not None
        for e in effects:
            compatible = [
                c
                for c in conditions
                if c.term and e.term and (e.term.iri, c.term.iri) in index.pairs
            ]
            for c in compatible:
                pairs.append((e, c, None))
                used.add(id(c))
            if not compatible and not unresolved:
                pairs.append((e, None, None))
        free_benefit = any(
            not any(e.start <= clause.start + b.start() < e.end for e in effects) for b in benefits
        )
        if free_benefit and benefit is not None:  # a free benefit word implies ``benefit``
            for c in conditions:
                if id(c) in used or c.term is None:
                    continue
                effect_iri, why = _relief(index, state, sentence, c.term.iri)
                term = index.term("effect", effect_iri) if effect_iri else None
                if term is None:
                    continue
                implied = Mention(
                    "effect", term, c.start, c.end, c.first, c.last, "kkg:reliefEffect", c.text
                )
                pairs.append(
                    (implied, c, why or f"“{benefit.group()}” + {c.term.label}: its relief effect")
                )
        if not effects and not conditions and not risks and not symptoms and topic_at is None:
            unknown = _unknown_effect(clause_text)
            if (
                unknown
                and not cues.SAFETY.search(clause_text)
                and not cues.GENERIC_RISK.search(clause_text)
            ):
                pairs.append((None, None, unknown))

        # 7. polarity, framing and the instances
        for effect, condition, extra in pairs:
            if effect is None:
                at = clause.start + max(
                    0, clause_text.lower().find((extra or " ").split()[0].lower())
                )
                negated = _negated_at(text, clause.start, at)
            else:
                negated = _negated_at(text, clause.start, effect.start)
                if effect.lexicon == "kkg:reliefEffect":
                    negated = negated or any(
                        _negated_at(text, clause.start, clause.start + b.start()) for b in benefits
                    )
            framing, used_cues = _clause_framing(
                clause,
                clause_cues,
                segments,
                effect,
                condition,
                *(subjects if explicit else []),
            )
            for s in subjects:
                inst = Instance(
                    "effect",
                    sentence,
                    s,
                    effect=effect,
                    condition=condition,
                    comparator=comparator,
                    polarity="negated" if negated else "affirmed",
                    framing=framing,
                    cues=used_cues,
                    notes=list(notes),
                )
                if effect is None:
                    inst.effect_text = extra
                elif extra:
                    inst.notes.append(extra)
                instances.append(inst)
    return instances, risks_named


def _relief(
    index: CheckIndex, state: _State, sentence: Sentence, condition: str
) -> tuple[str | None, str | None]:
    """Return the effect a benefit for ``condition`` claims, and why.

    That is the last compatible effect named in the paragraph (at most twelve sentences
    back), else the condition's relief effect.
    """
    relief = index.relief.get(condition)
    earlier = [
        (n, e)
        for p, n, e in state.effects
        if p == sentence.paragraph
        and n >= sentence.index - _CONTEXT_SENTENCES
        and (e, condition) in index.pairs
    ]
    if not earlier or any(e == relief for _, e in earlier):
        return relief, None
    number, effect = earlier[-1]
    return effect, f"effect read from sentence {number + 1} of the same paragraph"


def extract(
    index: CheckIndex, text: str
) -> tuple[list[Sentence], list[Instance], list[tuple[Mention, Sentence]]]:
    """Return the sentences of ``text``, the claim instances and the risks it names."""
    state = _State()
    found: list[Instance] = []
    risks: list[tuple[Mention, Sentence]] = []
    split = sentences(text)
    for sentence in split:
        instances, named = _analyse(index, text, sentence, state)
        found.extend(instances)
        risks.extend(named)
    return split, found, risks


def iter_mentions(instance: Instance) -> Iterator[Mention]:
    """Yield the mentions an instance rests on, for its explanation."""
    for m in (
        instance.subject,
        instance.effect,
        instance.condition,
        instance.comparator,
        instance.risk,
    ):
        if m is not None:
            yield m
    yield from instance.cues

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
   effect, or a pair the graph records); a condition left over, in a clause with a benefit
   word and no effect, takes its relief effect, or the effect last named for it in the
   paragraph;
4. a negation trigger within a few words before a mention makes the claim negated; a
   negated risk, a negated "side effects" or a "safe" makes a safety claim;
5. a clause with a subject, a claim verb and no known effect or condition is a claim the
   graph has no term for ("supports the immune system"), reported, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from kratomkg.check import cues
from kratomkg.check.index import CheckIndex, Entry, Term
from kratomkg.check.segment import Sentence, Token, sentences, tokens

__all__ = ["Instance", "Mention", "extract"]

_CONTENT_ROLES = ("subject", "effect", "condition", "risk")
_PRONOUNS = frozenset(
    {"it", "them", "you", "me", "us", "him", "her", "people", "users", "symptoms", "effects",
     "things", "lives", "life", "quality", "this", "that", "these", "those", "their", "my",
     "your", "our", "a", "an", "the", "one", "some", "many", "more", "much"}
)  # fmt: skip


@dataclass(frozen=True)
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


@dataclass
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


def _matches(index: CheckIndex, text: str, words: list[Token]) -> list[Mention]:
    """Every lexicon match in ``words``, at every length."""
    found: list[Mention] = []
    for i in range(len(words)):
        node = index.trie
        for j in range(i, min(len(words), i + index.max_length)):
            child = node.get(words[j].stem)
            if child is None:
                break
            node = child
            for entry in node.get("", ()):
                assert isinstance(entry, Entry)
                start, end = words[i].start, words[j].end
                found.append(
                    Mention(entry.term.role, entry.term, start, end, i, j, entry.lexicon, text[start:end])
                )
    return found


def _longest(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest, leftmost mentions of one role that do not overlap."""
    chosen: list[Mention] = []
    taken: set[int] = set()
    best: dict[tuple[int, int], Mention] = {}
    for m in mentions:
        # one mention per span and term; the most specific lexicon property wins
        best.setdefault((m.first, m.last, hash(m.term)), m)
    ordered = sorted(best.values(), key=lambda m: (-(m.last - m.first), m.first, m.term.iri if m.term else ""))
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


def _resolve(found: list[Mention]) -> list[Mention]:
    """Pick mentions per role, then let a longer mention of another role win an overlap."""
    by_role: dict[str, list[Mention]] = {}
    for m in found:
        by_role.setdefault(m.role, []).append(m)
    picked = [m for role in sorted(by_role) for m in _longest(by_role[role])]
    content = [m for m in picked if m.role in _CONTENT_ROLES]
    keep: list[Mention] = []
    for m in picked:
        if m.role in _CONTENT_ROLES and any(
            o is not m
            and o.first <= m.last
            and m.first <= o.last
            and (o.last - o.first) > (m.last - m.first)
            for o in content
        ):
            continue
        keep.append(m)
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
        if word.lower() == "can" and re.match(r"can['’]t|cannot", text[m.start : m.start + 6], re.I):
            continue
        cues_found.append(m)
    return cues_found


def _framings(cue_mentions: list[Mention]) -> tuple[str, ...]:
    names = {m.term.iri.rsplit("/", 1)[-1] for m in cue_mentions if m.term is not None}
    if "ReportsAnimalResearch" in names:
        names.discard("ReportsStudy")
    return tuple(sorted(names)) or ("PlainAssertion",)


def _negated(text: str, clause_start: int, mention: Mention, words: list[Token]) -> bool:
    """NegEx: a trigger before ``mention`` in its clause, within the window, not a pseudo."""
    window_start = max(0, mention.first - cues.NEGATION_WINDOW)
    begin = max(clause_start, words[window_start].start if words else clause_start)
    before = text[begin : mention.start]
    for trigger in cues.NEGATION.finditer(before):
        rest = before[trigger.start() :]
        if cues.PSEUDO_NEGATION.match(rest):
            continue
        return True
    return False


def _in(m: Mention, start: int, end: int) -> bool:
    return m.start >= start and m.end <= end


def _subject_group(text: str, mentions: list[Mention], start: int) -> list[Mention]:
    """The first subject named (not as a container) plus those coordinated with it."""
    subjects = [
        m for m in mentions if m.role == "subject" and not cues.CONTAINER.search(text[max(start, m.start - 60) : m.start])
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
    """The object of a claim verb, for claims the lexicon has no term for."""
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


def _analyse(
    index: CheckIndex, text: str, sentence: Sentence, state: _State
) -> tuple[list[Instance], list[tuple[Mention, Sentence]]]:
    words = tokens(text, sentence.start, sentence.end)
    mentions = _resolve(_matches(index, text, words))
    framing_cues = _framing_cues(text, mentions, words)
    instances: list[Instance] = []
    risks_named: list[tuple[Mention, Sentence]] = []
    sentence_subjects: list[Mention] = []
    question = text[sentence.end - 1 : sentence.end] == "?"

    for clause in sentence.clauses:
        clause_text = text[clause.start : clause.end]
        inside = [m for m in mentions if _in(m, clause.start, clause.end)]
        clause_cues = [m for m in framing_cues if _in(m, clause.start, clause.end)]
        clause_framing = _framings(clause_cues)
        notes: list[str] = []
        # comparators: subjects after "than"
        than = re.search(r"\bthan\b", clause_text, re.I)
        than_at = clause.start + than.start() if than else None
        comparators = [m for m in inside if m.role == "subject" and than_at is not None and m.start > than_at]
        named = [m for m in inside if m.role == "subject" and m not in comparators]
        group = _dedupe(_subject_group(text, named, clause.start))
        if group:
            state.subjects, state.subject_sentence = group, sentence.index
            if all(m.term is not None and m.term.iri in index.compound_iris for m in group):
                state.compounds = group
            sentence_subjects = group
        elif sentence_subjects:
            group = sentence_subjects
        elif cues.COMPOUND_ANAPHOR.search(clause_text) and state.compounds:
            group = state.compounds
            notes.append(f"subject carried from sentence {state.subject_sentence + 1} (“{clause_text[cues.COMPOUND_ANAPHOR.search(clause_text).start():cues.COMPOUND_ANAPHOR.search(clause_text).end()]}”)")  # type: ignore[union-attr]
        elif cues.ANAPHOR.search(clause_text) and state.subjects:
            group = state.subjects
            notes.append(f"subject carried from sentence {state.subject_sentence + 1}")
        # topic: mentions after a topic cue are what is studied, not what is claimed
        topic = cues.TOPIC.search(clause_text)
        topic_at = clause.start + topic.start() if topic else None
        live = [m for m in inside if topic_at is None or m.start < topic_at]
        effects = [m for m in live if m.role == "effect"]
        conditions = [m for m in live if m.role == "condition"]
        risks = [m for m in live if m.role == "risk"]
        benefit = bool(cues.BENEFIT.search(clause_text))
        risk_context = bool(cues.RISK_CONTEXT.search(clause_text))
        # a span that is both a condition and a risk is read by its context
        both = {(m.start, m.end) for m in conditions} & {(m.start, m.end) for m in risks}
        for span in sorted(both):
            condition = next(m for m in conditions if (m.start, m.end) == span)
            negated = _negated(text, clause.start, condition, words)
            as_risk = negated or (risk_context and not benefit and not effects)
            if as_risk:
                conditions = [m for m in conditions if (m.start, m.end) != span]
            else:
                risks = [m for m in risks if (m.start, m.end) != span]
        for m in effects:
            state.effects.append((sentence.paragraph, sentence.index, m.term.iri if m.term else ""))
        subject_list = group
        # risks: negated ones are safety claims, the others are named risks
        for r in risks:
            if _negated(text, clause.start, r, words) and subject_list and not question:
                for s in subject_list:
                    instances.append(
                        Instance("safety", sentence, s, risk=r, polarity="negated", framing=clause_framing,
                                 cues=clause_cues, notes=list(notes))
                    )
            elif not _negated(text, clause.start, r, words):
                risks_named.append((r, sentence))
        if subject_list and not question:
            for safety in cues.SAFETY.finditer(clause_text):
                at = clause.start + safety.start()
                pseudo = Mention("risk", None, at, clause.start + safety.end(), 0, 0, None, safety.group())
                if not _negated_span(text, clause.start, at):
                    for s in subject_list:
                        instances.append(Instance("safety", sentence, s, risk=pseudo, polarity="negated",
                                                  framing=clause_framing, cues=clause_cues, notes=list(notes)))
            for generic in cues.GENERIC_RISK.finditer(clause_text):
                at = clause.start + generic.start()
                if _negated_span(text, clause.start, at) and not any(r.start <= at < r.end for r in risks):
                    pseudo = Mention("risk", None, at, clause.start + generic.end(), 0, 0, None, generic.group())
                    for s in subject_list:
                        instances.append(Instance("safety", sentence, s, risk=pseudo, polarity="negated",
                                                  framing=clause_framing, cues=clause_cues, notes=list(notes)))
        if not subject_list:
            continue
        comparator = comparators[0] if comparators else None
        if comparator is None and cues.COMPARATIVE.search(clause_text):
            if than:
                after = re.match(r"\s*((?:the\s+)?[A-Za-z0-9-]+(?:\s+[A-Za-z0-9-]+)?)", clause_text[than.end():])
                if after:
                    s0 = clause.start + than.end() + after.start(1)
                    comparator = Mention("subject", None, s0, s0 + len(after.group(1)), 0, 0, None, after.group(1))
            else:
                others = [m for m in mentions if m.role == "subject" and m.term and all(
                    m.term != s.term for s in subject_list)]
                if others:
                    comparator = others[0]
                    notes.append("comparator named elsewhere in the sentence")
        pairs_made: list[tuple[Mention | None, Mention | None, str | None]] = []
        used: set[int] = set()
        for e in effects:
            compatible = [c for c in conditions if c.term and e.term and (e.term.iri, c.term.iri) in index.pairs]
            if compatible:
                for c in compatible:
                    pairs_made.append((e, c, None))
                    used.add(id(c))
            else:
                pairs_made.append((e, None, None))
        if benefit and not effects:
            for c in conditions:
                if id(c) in used or c.term is None:
                    continue
                effect_iri, why = _relief(index, state, sentence, c.term.iri)
                if effect_iri is None:
                    continue
                term = index.term("effect", effect_iri)
                if term is None:
                    continue
                implied = Mention("effect", term, c.start, c.end, c.first, c.last, "kkg:reliefEffect", c.text)
                pairs_made.append((implied, c, why))
        if not effects and not conditions and not risks and topic_at is None:
            unknown = _unknown_effect(clause_text)
            if unknown and not cues.SAFETY.search(clause_text):
                pairs_made.append((None, None, unknown))
        for effect, condition, extra in pairs_made:
            target = effect or condition
            negated = target is not None and _negated(text, clause.start, target, words)
            if target is None and extra:
                at = clause.start + clause_text.lower().find(extra.split()[0].lower())
                negated = _negated_span(text, clause.start, at)
            for s in subject_list:
                inst = Instance(
                    "effect", sentence, s, effect=effect, condition=condition, comparator=comparator,
                    polarity="negated" if negated else "affirmed", framing=clause_framing,
                    cues=clause_cues, notes=list(notes),
                )
                if effect is None:
                    inst.effect_text = extra
                elif extra:
                    inst.notes.append(extra)
                instances.append(inst)
    return instances, risks_named


def _negated_span(text: str, clause_start: int, at: int) -> bool:
    before = text[max(clause_start, at - 45) : at]
    return any(not cues.PSEUDO_NEGATION.match(before[t.start() :]) for t in cues.NEGATION.finditer(before))


def _relief(index: CheckIndex, state: _State, sentence: Sentence, condition: str) -> tuple[str | None, str | None]:
    """The effect a benefit for ``condition`` claims: the last compatible one named in the
    paragraph, else the condition's relief effect."""
    relief = index.relief.get(condition)
    earlier = [(n, e) for p, n, e in state.effects if p == sentence.paragraph and (e, condition) in index.pairs]
    if not earlier or any(e == relief for _, e in earlier):
        return relief, None
    number, effect = earlier[-1]
    return effect, f"effect read from sentence {number + 1} of the same paragraph"


def extract(index: CheckIndex, text: str) -> tuple[list[Sentence], list[Instance], list[tuple[Mention, Sentence]]]:
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
    """The mentions an instance rests on, for its explanation."""
    for m in (instance.subject, instance.effect, instance.condition, instance.comparator, instance.risk):
        if m is not None:
            yield m
    yield from instance.cues

"""The grammar of claims: negation, topic, benefit, risk and safety cues.

The domain lexicon (what "painkiller" or "dope sick" means) is graph data; these cues are
the English that frames it, in the spirit of NegEx (Chapman et al. 2001, a list of trigger
phrases with a scope of a few words). They are patterns on lowercased clause text, each
kept small and named for what it decides, so a report can say which cue fired.
"""

from __future__ import annotations

import re

from kratomkg.checking.segment import stem

__all__ = [
    "ANAPHOR",
    "BENEFIT",
    "CLAIM_VERB",
    "CLAIM_VERB_STEMS",
    "COMPARATIVE",
    "COMPOUND_ANAPHOR",
    "CONDITION_ANAPHOR",
    "CONTAINER",
    "GENERIC_RISK",
    "INVERSE_COMPARATIVE",
    "NEGATION",
    "NEGATION_WINDOW",
    "PSEUDO_NEGATION",
    "RISK_CONTEXT",
    "SAFETY",
    "TOPIC",
]

#: NegEx-style negation triggers; a trigger negates a mention that follows it within
#: NEGATION_WINDOW words in the same clause.
NEGATION = re.compile(
    r"\b(?:not|no|never|without|nor|neither|non|cannot|none|nothing|lacks?|lacking"
    r"|free (?:of|from)|fail(?:s|ed)? to|\w+n['’]t)\b",
    re.I,
)
NEGATION_WINDOW = 7
#: Phrases that contain a trigger but negate nothing ("not only", "no doubt").
PSEUDO_NEGATION = re.compile(
    r"\b(?:not only|not just|no doubt|not necessarily|no matter|not everyone|not all"
    r"|nothing but|no wonder|not to mention|if not)\b",
    re.I,
)
#: After these, what follows is a topic, not a claim ("research into its effects on pain").
TOPIC = re.compile(
    r"\b(?:research (?:into|on)|investigat\w*|examin\w*|delves? into|explor\w*"
    r"|more research|further research|further investigation"
    r"|(?:studies|research|work) (?:is|are) needed"
    r"|(?:is|are) needed to|need for|to (?:fully |better )?understand|early stages"
    r"|remains? (?:limited|unclear|unknown)|whether|garner\w* (?:significant )?attention"
    r"|gained attention|approach(?:ing)? (?:the use of|its use)"
    r"|intended to (?:diagnose|treat|cure|prevent)"
    r"|(?:not|never) been evaluated)\b",
    re.I,
)
#: A condition named with one of these is said to be helped ("helps my arthritis").
BENEFIT = re.compile(
    r"\b(?:help\w*|aid\w*|alleviat\w*|reliev\w*|relief|treat\w*|manag\w*|eas(?:e|es|ed|ing)"
    r"|reduc\w*|lower\w*|improv\w*|cur(?:e|es|ed|ing)|fight\w*|beat\w*|combat\w*|support\w*"
    r"|boost\w*|remed\w*|benefi\w*|works? (?:for|on|wonders)|worked (?:for|on|wonders)"
    r"|good for|great for|allow\w*|get (?:me )?through|got me through|get off"
    r"|kick(?:ed)? (?:the|my|an?) \w+"
    r"|quit\w*|taper\w*|replac\w*|substitut\w*|alternative|option|solution|sav(?:e|ed) my"
    r"|fix\w*|gone|went away|no more|prevent\w*|sooth\w*|control\w*|overcom\w*|recover\w*"
    r"|dull\w*|lift\w*|touch\w*|kick\w* \w+ to the curb|t(?:ake|akes|ook|aking) the edge off"
    r"|swear\w* by|brighten\w*|kill\w*|stop(?:s|ped)? (?:my|the|your|their) \w+|unwind"
    r"|take the edge off|used (?:it )?(?:for|to)|use (?:it )?for|take (?:it )?for"
    r"|took (?:it )?for|for (?:my|your|their|his|her|people with|those with))\b",
    re.I,
)
#: A term that is both a condition and a risk ("anxiety", "withdrawal symptoms") is read as
#: a risk when the clause speaks of harm.
RISK_CONTEXT = re.compile(
    r"\b(?:side[- ]effects?|adverse|risks?|danger\w*|harm\w*|concerns?|caus\w*|lead(?:s)? to"
    r"|result(?:s|ed)? in|suffer\w*|increased|worse\w*|warn\w*|toxic\w*|downside\w*"
    r"|problems?|trigger\w*|experienc\w*|got|get|had|have|gives? me|gave me|hooked"
    r"|when (?:they|you|i|people|users) stop|stop(?:s|ped|ping)? (?:taking|using)"
    r"|quit(?:s|ting)? (?:taking|using)|dependent)\b",
    re.I,
)
#: Words for harm in general: negated, they make a safety claim about every risk.
GENERIC_RISK = re.compile(
    r"\b(?:side[- ]effects?|adverse (?:effects?|reactions?|events?)|risks?|dangers?|harms?)\b",
    re.I,
)
#: Adjectives that claim safety outright.
SAFETY = re.compile(
    r"\b(?:(?:completely|totally|perfectly|entirely|100\s?%|very|absolutely"
    r"|all[- ]natural and)\s+)?"
    r"(?:safe|harmless|risk[- ]free|non[- ]toxic)\b",
    re.I,
)
#: Comparison words; the compared subject follows "than" or is named in the same sentence.
#: ... of which these make the compared one the stronger: "X is weaker than Y" is recorded as
#: Y stronger than X, so one proposition has one form.
INVERSE_COMPARATIVE = re.compile(r"\b(?:weaker|less (?:potent|powerful|effective))\b", re.I)
COMPARATIVE = re.compile(
    r"\b(?:stronger|more (?:potent|powerful|effective)|weaker|less (?:potent|powerful|effective)"
    r"|superior|outperforms?)\b",
    re.I,
)
#: A clause with one of these and no subject of its own speaks of the last subject named.
ANAPHOR = re.compile(
    r"\b(?:it|its|itself|it['’]s"
    r"|(?:this|these|the) (?:interactions?|effects?|herbs?|plants?|leaf|leaves"
    r"|products?|substances?|botanicals?|supplements?|remed(?:y|ies)|trees?|powders?)"
    r"|(?:tablets?|gumm(?:y|ies)|shots?|doses?|strains?|servings?|drinks?|pills?|formulas?))\b",
    re.I,
)
#: ... and with one of these, of the last compounds named.
COMPOUND_ANAPHOR = re.compile(
    r"\b(?:these|the|such|both|its) (?:active )?(?:compounds|alkaloids|constituents)\b", re.I
)
#: A material named as the container of compounds is not the claim's subject
#: ("the alkaloids in kratom, mitragynine and 7-OH, ...").
CONTAINER = re.compile(
    r"\b(?:alkaloids?|compounds?|constituents?|ingredients?|components?|chemicals?"
    r"|substances?|molecules?)\s+(?:\w+\s+)?(?:in|of|from|present in|found in)\s+(?:the\s+)?$",
    re.I,
)
#: Verbs whose object is the effect, used to report claims the lexicon does not know
#: ("supports the immune system").
CLAIM_VERB = re.compile(
    r"\b(?:supports?|boosts?|cures?|treats?|improves?|strengthens?|prevents?|fights?"
    r"|protects?|lowers?|heals?|promotes?|enhances?|increases?|regulates?|balances?"
    r"|detox(?:es|ifies)?|cleanses?|reverses?|helps?(?: (?:with|to))?)\s+"
    r"((?:(?:your|the|my|their|our|a|an|healthy|overall|natural|normal)\s+)*"
    r"[a-z][a-z'-]*(?:\s+(?!and\b|or\b|but\b|which\b|that\b|while\b|because\b|when\b|in\b"
    r"|for\b|with\b|by\b|to\b|of\b|as\b|at\b|so\b|if\b)[a-z][a-z'-]*){0,3})",
    re.I,
)
#: The stems of those verbs: a sentence without one cannot hold such a claim (a set lookup
#: per word instead of the pattern above on every sentence).
CLAIM_VERB_STEMS = frozenset(
    stem(verb)
    for verb in [
        "supports",
        "support",
        "boosts",
        "boost",
        "cures",
        "cure",
        "treats",
        "treat",
        "improves",
        "improve",
        "strengthens",
        "strengthen",
        "prevents",
        "prevent",
        "fights",
        "fight",
        "protects",
        "protect",
        "lowers",
        "lower",
        "heals",
        "heal",
        "promotes",
        "promote",
        "enhances",
        "enhance",
        "increases",
        "increase",
        "regulates",
        "regulate",
        "balances",
        "balance",
        "detox",
        "detoxes",
        "detoxifies",
        "cleanses",
        "cleanse",
        "reverses",
        "reverse",
        "helps",
        "help",
    ]
)
#: A condition named only by reference ("relief from these conditions") cannot be read; an
#: effect in such a clause is not reported as a claim without a condition.
CONDITION_ANAPHOR = re.compile(
    r"\b(?:these|those|such|the same)\s+(?:health\s+)?"
    r"(?:conditions|diseases|disorders|illnesses|ailments|problems)\b",
    re.I,
)

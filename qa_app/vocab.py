"""The words and patterns several modules share: speech verbs, capitalised names, speaker questions, dates.

The speech-verb lists differ on purpose, each tuned to its use, so each is named for that use:

- `SPEECH_VERBS`: what attributes a sentence's words to a speaker (`qa_app.quotes`): "Rutte said".
- `INVERTED_SPEECH_VERBS`: those that also come before their speaker: "..., said Rutte".
- `SPEECH_PARTICIPLES`: a participle that hands the words to the clause's subject: "Biden signed it, saying ...".
- `SPLIT_SPEECH_VERBS`: after a quote closed by "?" or "!", these keep the sentence going
  ('"Why?" Rutte said.' is one sentence; `qa_app.sentences`). Kept short: it decides sentence spans,
  and with them chunks, quotes and citations.
- `ASKED_SPEECH_VERBS`: how a question asks for someone's words: "What did Rutte say?", "what has he warned".
- `REACTION_VERBS`, `REACTION_WORDS`: how it asks for their response: "How did Rutte react to ...?",
  "What was Rutte's reaction to ...?", "Rutte's comments on ...".
"""

from __future__ import annotations

import datetime as dt
import re

SPEECH_VERBS = (
    r"said|says|told|tells|asked|asks|added|adds|wrote|writes|warned|warns|insisted|insists|explained|"
    r"explains|noted|notes|stressed|stresses|argued|argues|declared|replied|continued|urged|urges|"
    r"tweeted|posted|suggested|suggests|stated|claimed|claims|announced|recalled|concluded|denied|"
    r"emphasized|emphasised|underlined|underscored|acknowledged|admitted|confirmed|predicted|"
    r"cautioned|testified|responded|reiterated|maintained|vowed|promised|conceded|countered|"
    r"observed|remarked|complained|contended|disclosed|revealed|believes|thinks|pointed out"
)
INVERTED_SPEECH_VERBS = r"said|says|added|asked|wrote|continued|explained"
SPEECH_PARTICIPLES = r"saying|adding|telling|writing|noting|declaring|warning|arguing|insisting"
SPLIT_SPEECH_VERBS = r"said|says|told|asked|added|wrote|explained|noted|replied|insisted"
ASKED_SPEECH_VERBS = (
    "say", "said", "tell", "told", "think", "thought", "warn", "warned", "claim", "argue", "mean", "write",
    "wrote", "add", "declare", "insist", "suggest", "stress",
)  # fmt: skip

# How a question asks for someone's response: "How did X respond to ...?", "What was X's reaction to ...?".
REACTION_VERBS = (
    "respond", "responded", "react", "reacted", "reply", "replied", "describe", "described", "characterize",
    "characterized", "characterise", "characterised", "comment", "commented", "answer", "answered",
)  # fmt: skip
REACTION_WORDS = (
    *REACTION_VERBS, "reaction", "reactions", "response", "responses", "comments", "remarks", "remark",
    "statement", "statements", "words",
)  # fmt: skip
_REACTION_NOUNS = r"reactions?|responses?|comments?|remarks?|statements?|words|quotes?"

# Who-said-what questions; `who` is the person asked about, any words up to the phrasing's end:
# "What did X say?" ("what else has the NATO chief warned"), "How did X respond / react to / describe ...?",
# "What was X's reaction to ...?", "Quote X on ...", "X's comments on ...". Each opening has its own ending
# (a conditional group), so "What did the market do about it?" is none.
SPEAKER_QUESTION = re.compile(
    r"(?:(?P<what>\bwhat\s+(?:else\s+)?(?:did|does|has|had|do|is|was|have)\s+)"
    r"|(?P<how>\bhow\s+(?:else\s+)?(?:did|does|has|had|have|do|is|was)\s+)"
    r"|(?P<whats>\bwhat\s+(?:was|is|were|are|has\s+been|have\s+been)\s+)"
    r"|(?P<quote>(?:^|(?<=[.?!]\s))\s*quote\s+)"
    r"|(?P<start>^\s*(?:(?:and|so|but|now|also|ok|okay)[\s,]+)?))"
    # A full stop only in initials and short titles ("J.D. Vance", "Sen. Warren"): a sentence before does not join.
    r"(?P<who>(?:[^?.!]|(?<=[A-Z])\.|(?<=[A-Z][a-z])\.|(?<=[A-Z][a-z]{2})\.)+?)"
    r"(?(what)\s+(?:" + "|".join(ASKED_SPEECH_VERBS) + r")\b"
    r"|(?(how)\s+(?:" + "|".join(REACTION_VERBS) + r")\b"
    r"|(?(quote)\s+(?:on|about)\b|['’]s?\s+(?:" + _REACTION_NOUNS + r")\b)))",
    re.I,
)

# One capitalised word with a lower-case second letter: "Texas", "Rutte's", not "NATO" or "A".
CAPITALISED_WORD = re.compile(r"\b[A-Z][a-z][\w'’-]*\b")
# A run of capitalised words of two characters or more, acronyms included: "NATO Secretary-General Mark Rutte".
CAPITALISED_RUN = re.compile(r"\b[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+)*")
# "he" or "she" as a word, the pronouns a quote's speaker is resolved from ("she says", "He added").
HE_OR_SHE = re.compile(r"\b(?:[Hh]e|[Ss]he)\b")


def parse_iso_date(label: str, value: str | None) -> str | None:
    """`value` as a YYYY-MM-DD date, None when blank; a ValueError naming `label` when it is no date.

    Example: parse_iso_date("As of", " 2025-09-05 ") -> "2025-09-05"; parse_iso_date("As of", "") -> None
    """
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"{label} must be a date like 2025-09-05, got {value!r}") from None


# Titles written before a person's name ("President Biden", "Dr. Jill Biden"), for telling apart people who share
# a surname (`qa_app.identity`); abbreviations are spelled out so "Sen." and "Senator" are one title.
PERSON_TITLES = (
    "President", "Vice President", "President-elect", "Prime Minister", "Deputy Prime Minister", "First Lady",
    "Senator", "Sen.", "Representative", "Rep.", "Congressman", "Congresswoman", "Governor", "Gov.", "Lt. Gov.",
    "Mayor", "Secretary", "Secretary of State", "Secretary-General", "Minister", "Foreign Minister", "Chancellor",
    "King", "Queen", "Prince", "Princess", "Duke", "Duchess", "Pope", "Judge", "Justice", "Chief Justice",
    "Speaker", "Leader", "Attorney General", "Ambassador", "General", "Gen.", "Coach", "Commissioner", "Sheriff",
    "Chairman", "Chairwoman", "CEO", "Archbishop", "Bishop", "Rev.", "Mr.", "Mrs.", "Ms.", "Dr.", "Sir", "Dame",
)  # fmt: skip
TITLE_SPELLED = {"sen": "senator", "rep": "representative", "gov": "governor", "lt. gov": "lt. governor",
                 "gen": "general", "rev": "reverend"}  # fmt: skip
# Words of an organisation or a place rather than a person ("Wall Street", "Apple Inc.", "the White House"),
# beside those `qa_app.quotes.is_person` knows.
NOT_PERSON_WORDS = frozenset(
    (
        "street", "avenue", "square", "road", "market", "markets", "exchange", "investors", "traders", "industry",
        "house", "hall", "palace", "valley", "river", "island", "islands", "republic", "kingdom", "federation",
        "reserve", "fed", "bureau", "firm", "inc", "corp", "co", "ltd", "llc", "plc", "airlines", "bloc",
        "parliament", "congress", "senate", "assembly", "ministry", "regime", "opposition", "lawmakers",
    )
)  # fmt: skip

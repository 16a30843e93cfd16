"""The words and patterns several modules share: speech verbs, capitalised names, speaker questions, dates.

The speech-verb lists differ on purpose, each tuned to its use, so each is named for that use:

- `SPEECH_VERBS`: what attributes a sentence's words to a speaker (`qa_app.quotes`): "Rutte said".
- `INVERTED_SPEECH_VERBS`: those that also come before their speaker: "..., said Rutte".
- `SPEECH_PARTICIPLES`: a participle that hands the words to the clause's subject: "Biden signed it, saying ...".
- `SPLIT_SPEECH_VERBS`: after a quote closed by "?" or "!", these keep the sentence going
  ('"Why?" Rutte said.' is one sentence; `qa_app.sentences`). Kept short: it decides sentence spans,
  and with them chunks, quotes and citations.
- `ASKED_SPEECH_VERBS`: how a question asks for someone's words: "What did Rutte say?", "what has he warned".
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

# "What did X say?": X is `who`, any words up to the speech verb ("what else has the NATO chief warned").
SPEAKER_QUESTION = re.compile(
    r"\bwhat\s+(?:else\s+)?(?:did|does|has|had|do|is|was)\s+(?P<who>.+?)\s+(?:" + "|".join(ASKED_SPEECH_VERBS) + r")\b",
    re.I,
)

# One capitalised word with a lower-case second letter: "Texas", "Rutte's", not "NATO" or "A".
CAPITALISED_WORD = re.compile(r"\b[A-Z][a-z][\w'’-]*\b")
# A run of capitalised words of two characters or more, acronyms included: "NATO Secretary-General Mark Rutte".
CAPITALISED_RUN = re.compile(r"\b[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+)*")


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

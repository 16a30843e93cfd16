"""Follow the conversation: rewrite a follow-up into a question that stands on its own.

"Where was he speaking?" after "What did Rutte say?" becomes "Where was Rutte speaking?";
"And what did Putin say?" stands alone already; "Why?" takes the previous question's subject.
"""

from __future__ import annotations

import re
from typing import Any

from qa_app.quotes import person_name
from qa_app.text import QUESTION_WORDS, STOPWORDS, words
from qa_app.vocab import CAPITALISED_RUN, SPEAKER_QUESTION

_PRONOUNS = {"he": "", "she": "", "him": "", "her": "", "they": "", "them": "", "his": "'s", "their": "'s"}
_PRONOUN = re.compile(r"\b(he|she|him|her|his|they|them|their)\b", re.I)
_WHAT_ABOUT = re.compile(r"^(?:what|how)\s+about\s+(?P<who>[^?]+?)\s*\??$", re.I)
_NOT_SUBJECTS = QUESTION_WORDS | STOPWORDS | {"i", "the", "a", "an", "it", "in", "on", "at"}


def subject_of(question: str) -> str | None:
    """The person or thing a question is about: a speaker asked after, else its proper names.

    Example: subject_of("What did Rutte say?") -> "Rutte"
    """
    m = SPEAKER_QUESTION.search(question)
    if m:
        return None if _PRONOUN.fullmatch(m["who"].strip()) else m["who"].strip()
    names = [n for n in CAPITALISED_RUN.findall(question) if n.split()[0].lower() not in _NOT_SUBJECTS]
    return names[0] if names else None


def _turns(history: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(role, text) of the turns that have text; Gradio may send content as a list of parts."""
    turns = []
    for turn in history:
        if not isinstance(turn, dict):
            continue
        content = turn.get("content")
        if isinstance(content, list):  # [{"type": "text", "text": ...}]
            content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        if isinstance(content, str) and content.strip():
            turns.append((str(turn.get("role", "")), content.strip()))
    return turns


def _earlier_subject(turns: list[tuple[str, str]]) -> str | None:
    """Whom the conversation is about: the latest user turn with a subject.

    After a "who" question, the person the reply named ("Who warned ...?" -> "Putin").
    """
    for i in range(len(turns) - 1, -1, -1):
        role, text = turns[i]
        if role != "user":
            continue
        if re.match(r"\s*who\b", text, re.I) and i + 1 < len(turns) and turns[i + 1][0] == "assistant":
            named = [person_name(n) for n in CAPITALISED_RUN.findall(turns[i + 1][1])]
            if person := next((n for n in named if n and n.split()[0].lower() not in _NOT_SUBJECTS), None):
                return person
        if subject := subject_of(text):
            return subject
    return None


def contextualize(question: str, history: list[dict[str, Any]] | None) -> str:
    """The question made self-contained using the earlier turns.

    Example: contextualize("And what about Putin?", [{"role": "user", "content": "What did Rutte say?"}])
    -> "What did Putin say?"
    """
    question = re.sub(r"^\s*(?:and|so|but|ok|okay|also)\b[\s,]*", "", question.strip(), flags=re.I)
    question = question[:1].upper() + question[1:]
    turns = _turns(history or [])
    previous = [text for role, text in turns if role == "user"]
    if not previous:
        return question
    own_subject = subject_of(question)
    earlier = _earlier_subject(turns)
    about = _WHAT_ABOUT.match(question)
    if about:
        # "What about Putin?" asks the previous question again, of someone else;
        # "what about the economy?" narrows it to a topic.
        last, who = previous[-1], about["who"].strip()
        last_subject = subject_of(last)
        if who[:1].isupper() and last_subject and last_subject in last:
            return last.replace(last_subject, who, 1)
        if SPEAKER_QUESTION.search(last):
            return f"{last.rstrip(' ?')} about {who}?"
        return f"{who} ({last})"
    if earlier and _PRONOUN.search(question) and not (own_subject and own_subject != earlier):
        m = _PRONOUN.search(question)
        assert m is not None
        replacement = earlier + _PRONOUNS[m.group(1).lower()]
        return question[: m.start()] + replacement + question[m.end() :]
    content = [w for w in words(question) if w not in STOPWORDS and w not in QUESTION_WORDS]
    if len(content) <= 1 and earlier and not own_subject:
        return f"{question.rstrip('?')} ({earlier}: {previous[-1]})"
    return question

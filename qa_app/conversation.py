"""Follow the conversation: rewrite a follow-up into a question that stands on its own.

"Where was he speaking?" after "What did Rutte say?" becomes "Where was Rutte speaking?";
"And what did Putin say?" stands alone already; "Why?" takes the previous question's subject.
"""

from __future__ import annotations

import re
from typing import Any

from qa_app.text import QUESTION_WORDS, STOPWORDS, words

_PRONOUNS = {"he": "", "she": "", "him": "", "her": "", "they": "", "them": "", "his": "'s", "their": "'s"}
_PRONOUN = re.compile(r"\b(he|she|him|her|his|they|them|their)\b", re.I)
_NAME = re.compile(r"\b[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+)*")
_SPEAKER_Q = re.compile(
    r"\bwhat\s+(?:did|does|has|had|do|is|was)\s+(?P<who>.+?)\s+(?:say|said|tell|told|think|thought|"
    r"warn|warned|claim|argue|mean|write|wrote|add|declare|insist|suggest|stress)\b",
    re.I,
)


def subject_of(question: str) -> str | None:
    """The person or thing a question is about: a speaker asked after, else its proper names.

    Example: subject_of("What did Rutte say?") -> "Rutte"
    """
    m = _SPEAKER_Q.search(question)
    if m:
        return m["who"].strip()
    names = [n for n in _NAME.findall(question) if n.split()[0].lower() not in QUESTION_WORDS | STOPWORDS]
    return names[0] if names else None


def _user_turns(history: list[dict[str, Any]]) -> list[str]:
    turns = []
    for turn in history:
        content = turn.get("content")
        if isinstance(content, list):  # Gradio may send [{"type": "text", "text": ...}]
            content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        if turn.get("role") == "user" and isinstance(content, str) and content.strip():
            turns.append(content.strip())
    return turns


def contextualize(question: str, history: list[dict[str, Any]] | None) -> str:
    """The question made self-contained using the earlier user turns."""
    question = re.sub(r"^\s*(?:and|so|but|ok|okay|also)\b[\s,]*", "", question.strip(), flags=re.I)
    question = question[:1].upper() + question[1:]
    previous = _user_turns(history or [])
    if not previous:
        return question
    own_subject = subject_of(question)
    earlier = next((s for s in (subject_of(q) for q in reversed(previous)) if s), None)
    if earlier and _PRONOUN.search(question) and not (own_subject and own_subject != earlier):
        m = _PRONOUN.search(question)
        assert m is not None
        replacement = earlier + _PRONOUNS[m.group(1).lower()]
        return question[: m.start()] + replacement + question[m.end() :]
    content = [w for w in words(question) if w not in STOPWORDS and w not in QUESTION_WORDS]
    if len(content) <= 1 and earlier and not own_subject:
        return f"{question.rstrip('?')} ({earlier}: {previous[-1]})"
    return question

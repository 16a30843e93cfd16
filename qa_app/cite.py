"""Answers and their citations: plain dataclasses, and the check that every quote is verbatim."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from qa_app.errors import QAError

REFUSAL = "I could not find this in the articles."


@dataclass(frozen=True)
class Citation:
    """A verbatim span of a stored article: `quote == text[start:end]`."""

    n: int
    doc_id: str
    title: str
    source: str | None
    url: str | None
    published: str | None
    quote: str
    start: int
    end: int

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Removed:
    """A sentence the model wrote that a check refused: never shown as part of the answer.

    `check` names the check it failed (see `qa_app.checks`), e.g. "citation", "quote", "facts", "meaning".
    """

    text: str
    check: str

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "check": self.check}


@dataclass
class Answer:
    """What `ask` returns: text with [n] markers, the citations they point at, and retrieval."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    retrieved: list[tuple[str, float]] = field(default_factory=list)
    question: str = ""  # the question as understood (after following the conversation)
    mode: str = "extractive"  # "llm" when the text is the model's checked sentences
    removed: list[Removed] = field(default_factory=list)  # the model's sentences the checks refused
    notice: str | None = None  # one line for the user, e.g. why the model's answer is not shown

    def to_dict(self) -> dict[str, object]:
        return {
            "answer": self.text,
            "refused": self.refused,
            "citations": [c.to_dict() for c in self.citations],
            "retrieved": [{"doc_id": d, "score": round(s, 6)} for d, s in self.retrieved],
            "mode": self.mode,
            "removed": [r.to_dict() for r in self.removed],
            "notice": self.notice,
        }


def refusal(retrieved: list[tuple[str, float]] | None = None, question: str = "") -> Answer:
    return Answer(REFUSAL, [], True, retrieved or [], question)


class CitationError(QAError):
    """A citation that does not match its article: a bug, never shown to users."""


def verify(answer: Answer, texts: dict[str, str]) -> None:
    """Raise unless every citation is verbatim, numbered 1..n, unique, and used in the text."""
    seen = set()
    for i, c in enumerate(answer.citations, start=1):
        if c.n != i:
            raise CitationError(f"citation numbered {c.n} at position {i}")
        if texts[c.doc_id][c.start : c.end] != c.quote:
            raise CitationError(f"citation [{c.n}] is not verbatim in {c.doc_id}")
        if (c.doc_id, c.start, c.end) in seen:
            raise CitationError(f"citation [{c.n}] repeats a span")
        seen.add((c.doc_id, c.start, c.end))
        if f"[{c.n}]" not in answer.text:
            raise CitationError(f"citation [{c.n}] is not used in the answer")

"""Answer questions about a corpus of news articles, with verbatim citations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qa_app.cite import REFUSAL, Answer, Citation
from qa_app.config import Settings
from qa_app.errors import QAError
from qa_app.qa import QA
from qa_app.retrieve import Filters

if TYPE_CHECKING:
    from qa_app.llama import QARetriever

__all__ = ["QA", "REFUSAL", "Answer", "Citation", "Filters", "QAError", "QARetriever", "Settings"]


def __getattr__(name: str) -> Any:
    # llama-index takes seconds to import: only a caller who asks for the adapter pays for it.
    if name == "QARetriever":
        from qa_app.llama import QARetriever

        return QARetriever
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

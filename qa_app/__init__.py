"""Answer questions about a corpus of news articles, with verbatim citations."""

from qa_app.cite import REFUSAL, Answer, Citation
from qa_app.config import Settings
from qa_app.errors import QAError
from qa_app.qa import QA
from qa_app.retrieve import Filters

__all__ = ["QA", "REFUSAL", "Answer", "Citation", "Filters", "QAError", "Settings"]

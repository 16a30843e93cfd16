"""Errors raised by the QA core and the ingest pipeline.

Hierarchy::

    QAError                      base of everything we raise on purpose
    ├── ConfigError              a setting or environment variable is unusable
    ├── StoreError               the Chroma store cannot be opened or read
    │   ├── EmptyIndexError      the store holds no articles yet
    │   └── IndexMismatchError   the store was built by another embedding model/backend
    ├── LockTimeoutError         another writer held the index's write lock too long
    ├── NotFoundError            an unknown doc id
    ├── InputError               a question or history over a limit (the message names it)
    ├── IngestError              one input (file, record, URL) could not be ingested
    └── LLMError                 the configured LLM failed (never shown: the extractive answer is)
        └── LLMTimeoutError      it did not finish within `QA_LLM_TIMEOUT`

They are translated only at the edges: one stderr line and exit code 1 in the
CLIs, a `gr.Error` or a message in the UI.
"""

from __future__ import annotations


class QAError(Exception):
    """Base class of the errors this project raises on purpose."""


class ConfigError(QAError):
    """A setting or environment variable is unusable."""


class StoreError(QAError):
    """The Chroma store cannot be opened or read."""


class EmptyIndexError(StoreError):
    """The store holds no articles yet."""


class IndexMismatchError(StoreError):
    """The store was built with another embedding model or backend."""


class LockTimeoutError(QAError):
    """Another writer held the embedded index's write lock for longer than `Settings.lock_timeout`."""


class NotFoundError(QAError):
    """An unknown doc id."""


class InputError(QAError):
    """A question or conversation history over a limit; the message names the limit."""


class IngestError(QAError):
    """One input could not be ingested; `source` names it."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class LLMError(QAError):
    """The configured LLM failed or wrote something unreadable; callers show the extractive answer instead."""


class LLMTimeoutError(LLMError):
    """The configured LLM did not finish within `Settings.llm_timeout`."""

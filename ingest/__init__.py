"""Read articles from files, folders and URLs into the Chroma store."""

from ingest.model import Article, Failure
from ingest.pipeline import Ingestor, Summary, ingest

__all__ = ["Article", "Failure", "Ingestor", "Summary", "ingest"]

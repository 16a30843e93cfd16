"""Corpus management for the UI: upload under safe names, ingest with a result per input, delete.

Uploads are copied into `Settings.upload_dir` under a sanitized name and that copy is ingested,
so the article's doc id is the sanitized file name and nothing can be written outside the folder.
Writes hold the index's write lock (qa_app/lock.py), shared with every other writer, in this process
or another; an ingest takes it only once its URLs are fetched.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.load import SUPPORTED, is_url, suffix_of
from qa_app import QA, Settings
from qa_app.errors import LockTimeoutError
from ui.format import inert

if TYPE_CHECKING:
    from ingest.pipeline import Ingestor, Summary

UPLOAD_TYPES = sorted(SUPPORTED | {f"{s}.gz" for s in SUPPORTED})
MAX_NAME = 120


def safe_name(name: str) -> str:
    """A plain file name that stays inside the upload folder: no folders, no dot files, its suffix kept.

    Example: safe_name("../../etc/Passwd report.txt") -> "Passwd_report.txt"
    """
    base = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[^\w.-]+", "_", base)
    inner = base[:-3] if base.lower().endswith(".gz") else base
    suffix = Path(inner).suffix + base[len(inner) :]
    if len(suffix) > 16:
        suffix = ""
    stem = re.sub(r"\.{2,}", ".", base[: len(base) - len(suffix)]).strip("._-") or "upload"
    return stem[: MAX_NAME - len(suffix)] + suffix


@dataclass
class Outcome:
    """The result of one uploaded file or URL, as shown to the user."""

    name: str
    ok: bool
    message: str


def describe(summary: Summary, name: str) -> tuple[bool, str]:
    """Whether one input went well, and a one-line account of what its ingest did.

    Example: (True, "added: a.txt (12 passages)")
    """
    parts = []
    for label, ids in (("added", summary.added), ("updated", summary.updated), ("unchanged", summary.unchanged)):
        if ids:
            shown = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
            parts.append(f"{label}: {shown}")
    if summary.chunks and parts:
        parts[0] += f" ({summary.chunks} passage{'s' if summary.chunks != 1 else ''})"
    for dup in summary.duplicates:
        parts.append(f"same text as {dup['duplicate_of']}, not added again")
    for failure in summary.failed:
        where = failure.source.rsplit("/", 1)[-1]  # never show the server's folders
        parts.append(f"failed: {failure.error}" + (f" ({where})" if where != name else ""))
    parts += [f"note: {note['note']}" for note in summary.notes]
    ok = not summary.failed and bool(summary.added or summary.updated or summary.unchanged or summary.duplicates)
    return ok, "; ".join(parts) or "nothing found to ingest"


def results_html(outcomes: list[Outcome], pending: list[str]) -> str:
    """The upload results table: one row per file or URL, failures with their reasons."""
    rows = [
        f'<tr class="{"qa-ok" if o.ok else "qa-fail"}"><td>{inert(o.name)}</td>'
        f"<td>{'✓' if o.ok else '✗'} {inert(o.message)}</td></tr>"
        for o in outcomes
    ]
    rows += [f'<tr class="qa-pending"><td>{inert(name)}</td><td>waiting…</td></tr>' for name in pending]
    return f'<div class="qa-results"><table><tr><th>File or URL</th><th>Result</th></tr>{"".join(rows)}</table></div>'


class Corpus:
    """What the Corpus tab does to the shared store."""

    def __init__(self, qa: QA, settings: Settings) -> None:
        self.qa = qa
        self.settings = settings
        self._ingestor: Ingestor | None = None

    @property
    def ingestor(self) -> Ingestor:
        if self._ingestor is None:
            from ingest.pipeline import Ingestor

            self._ingestor = Ingestor(self.settings, self.qa.embedder, self.qa.store)
        return self._ingestor

    def rows(self) -> list[list[str | int]]:
        """Title, outlet, date, passages and doc id of every stored article, newest first."""
        return [[r.title, r.source or "", r.published or "", r.chunks, r.doc_id] for r in self.qa.docs()]

    def outlets(self) -> list[str]:
        return sorted({r.source for r in self.qa.docs() if r.source}, key=str.lower)

    def store_upload(self, path: str | Path, name: str | None = None) -> Path:
        """Copy an uploaded file into the upload folder under a sanitized name; return the copy."""
        src = Path(path)
        size = src.stat().st_size
        if size > self.settings.max_file_bytes:
            raise ValueError(f"file is {size:,} bytes, over the {self.settings.max_file_bytes:,}-byte limit")
        clean = safe_name(name or src.name)
        if suffix_of(clean) not in SUPPORTED:
            raise ValueError(f"unsupported file type; supported: {', '.join(UPLOAD_TYPES)}")
        folder = self.settings.upload_dir.resolve()
        folder.mkdir(parents=True, exist_ok=True)
        dest = (folder / clean).resolve()
        if dest.parent != folder:  # safe_name makes this impossible; keep the guarantee explicit
            raise ValueError("unsafe file name")
        shutil.copyfile(src, dest)
        return dest

    def _run(self, target: str, name: str) -> Outcome:
        try:
            summary = self.ingestor.run([target])  # takes the write lock itself, after fetching a URL
        except LockTimeoutError as exc:
            return Outcome(name, False, f"failed: {exc}")
        ok, message = describe(summary, name)
        return Outcome(name, ok, message)

    def ingest_file(self, path: str, name: str | None = None) -> Outcome:
        """Copy an uploaded file into the upload folder and ingest the copy; never raises for bad input."""
        shown = safe_name(name or Path(path).name)
        try:
            stored = self.store_upload(path, name)
        except (OSError, ValueError) as exc:
            return Outcome(shown, False, f"failed: {exc}")
        return self._run(str(stored), shown)

    def ingest_url(self, url: str) -> Outcome:
        if not is_url(url):
            return Outcome(url, False, "failed: not a URL (it must start with http:// or https://)")
        return self._run(url, url)

    def ingest(self, files: list[str], urls: list[str]) -> Iterator[Outcome]:
        """Ingest uploaded files then URLs, one at a time, yielding each one's outcome."""
        for path in files:
            yield self.ingest_file(path)
        for url in urls:
            yield self.ingest_url(url)

    def reingest(self, doc_id: str) -> Outcome:
        """Read an article again from where it came from (its file, folder record or URL)."""
        record = self.qa.show(doc_id)
        origin = record.origin
        target = origin
        if not is_url(origin) and origin.endswith("/" + doc_id) and "/" in doc_id:
            target = origin[: -len(doc_id) - 1]  # a file found in a folder: its doc id is relative to it
        summary = self.ingestor.run([target])  # takes the write lock itself, after fetching a URL
        ok, message = describe(summary, doc_id)
        if doc_id not in summary.added + summary.updated + summary.unchanged and ok:
            ok, message = False, f"{message}; {doc_id} was not found again at {origin}"
        return Outcome(record.title, ok, message)

    def delete(self, doc_id: str) -> str:
        """Remove an article (and its uploaded file when no other article came from it); return its title."""
        with self.qa.store.writing():  # held until the upload is removed: no ingest of it comes in between
            record = self.qa.show(doc_id)
            self.qa.delete(doc_id)
            origin = Path(record.origin)
            uploads = self.settings.upload_dir.resolve()
            if origin.parent == uploads and not any(r.origin == record.origin for r in self.qa.store.list_articles()):
                origin.unlink(missing_ok=True)
        return record.title

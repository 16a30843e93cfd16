"""Corpus management for the UI: upload under safe names, ingest with a result per input, delete.

Uploads are copied into `Settings.upload_dir` under a sanitized name and that copy is ingested,
so the article's doc id is the sanitized file name and nothing can be written outside the folder.
A copy that yields no stored article is removed again (or the file it overwrote put back).
Re-ingest and delete touch only what the app stored: a regular file directly in the upload
folder, or the article's URL; never a path derived from a doc id or from a file's contents.
Writes hold the index's write lock (qa_app/lock.py), shared with every other writer, in this process
or another; an ingest takes it only once its URLs are fetched.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.load import SUPPORTED, is_url, suffix_of
from qa_app import QA, Settings
from qa_app.errors import IngestError, LockTimeoutError
from ui.format import inert

if TYPE_CHECKING:
    from ingest.pipeline import Ingestor, Summary

UPLOAD_TYPES = sorted(SUPPORTED | {f"{s}.gz" for s in SUPPORTED})
MAX_NAME = 120
REPLACE_LABEL = "Replace articles with the same id"


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


def uploaded_file(origin: str, folder: Path) -> Path | None:
    """The upload an article came from: `origin` when it names a file directly in `folder`, else None.

    Only the name is checked here; `regular_file` checks what is on disk.
    Example: uploaded_file("/srv/up/a.txt", Path("/srv/up")) -> Path("/srv/up/a.txt");
    uploaded_file("/srv/up/../a.txt", Path("/srv/up")) -> None
    """
    if is_url(origin) or not os.path.isabs(origin) or os.path.normpath(origin) != origin:
        return None
    path = Path(origin)
    return path if path.parent == folder.resolve() and path.name not in ("", ".", "..") else None


def regular_file(path: Path) -> bool:
    """True for a regular file that is not a symlink (a missing file is not one)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


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
        where = failure.source if is_url(failure.source) else Path(failure.source).name  # no server folders
        parts.append(f"failed: {failure.error}" + (f" ({where})" if where and where != name else ""))
    if any(failure.conflict for failure in summary.failed):
        parts.append(f"tick “{REPLACE_LABEL}” to replace it")
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

            self._ingestor = Ingestor(self.settings, self.qa.embedder, self.qa.store, show_origin=self.shown_origin)
        return self._ingestor

    def shown_origin(self, origin: str) -> str:
        """Where an article came from, as a user may see it: a URL, or a file's base name, never a server folder.

        Example: "/srv/data/articles/a.txt" -> "a.txt (added outside the app)"; "/srv/up/b.txt" -> "b.txt"
        """
        if is_url(origin):
            return origin
        name = Path(origin).name
        return name if uploaded_file(origin, self.settings.upload_dir) else f"{name} (added outside the app)"

    def rows(self) -> list[list[str | int]]:
        """Title, outlet, date, passages and doc id of every stored article, newest first."""
        return [[r.title, r.source or "", r.published or "", r.chunks, r.doc_id] for r in self.qa.docs()]

    def outlets(self) -> list[str]:
        return sorted({r.source for r in self.qa.docs() if r.source}, key=str.lower)

    def upload_target(self, path: str | Path, name: str | None = None) -> Path:
        """Where an uploaded file is copied: its sanitized name in the upload folder; raises ValueError if refused."""
        size = Path(path).stat().st_size
        if size > self.settings.max_file_bytes:
            raise ValueError(f"file is {size:,} bytes, over the {self.settings.max_file_bytes:,}-byte limit")
        clean = safe_name(name or Path(path).name)
        if suffix_of(clean) not in SUPPORTED:
            raise ValueError(f"unsupported file type; supported: {', '.join(UPLOAD_TYPES)}")
        folder = self.settings.upload_dir.resolve()
        dest = folder / clean
        if dest.parent != folder:  # safe_name makes this impossible; keep the guarantee explicit
            raise ValueError("unsafe file name")
        if (dest.exists() or dest.is_symlink()) and not regular_file(dest):
            raise ValueError(f"{clean} in the upload folder is not a regular file")
        return dest

    def _ingest_upload(self, src: Path, dest: Path, replace: bool) -> Summary:
        """Copy an upload to `dest` and ingest it; keep the copy only if an article was stored from it.

        A file already at `dest` is set aside first: if the new copy yields nothing, the old one
        comes back when stored articles came from it. No file an article came from is ever removed.
        """
        dest.parent.mkdir(parents=True, exist_ok=True)
        backup = dest.with_name(f".{dest.name}.previous")  # hidden: never an upload's own name
        with self.qa.store.writing():  # the copy, its ingest and the clean-up as one write
            had_file = regular_file(dest)
            if had_file:
                os.replace(dest, backup)
            yielded = False
            try:
                shutil.copyfile(src, dest)
                summary = self.ingestor.run([str(dest)], replace=replace)
                yielded = bool(summary.added or summary.updated or summary.unchanged)
            except OSError as exc:
                raise IngestError(dest.name, f"cannot store the upload: {exc.strerror or exc}") from None
            finally:
                self._settle(dest, backup if had_file else None, yielded)
        return summary

    def _settle(self, dest: Path, backup: Path | None, yielded: bool) -> None:
        """Keep an upload that yielded an article; else put back the file it replaced, or remove it."""
        if yielded:
            if backup:
                backup.unlink(missing_ok=True)
            return
        held = any(r.origin == str(dest) for r in self.qa.store.list_articles())
        if backup and held:
            os.replace(backup, dest)  # the stored articles came from the previous file
            return
        if not held:
            dest.unlink(missing_ok=True)
        if backup:
            backup.unlink(missing_ok=True)

    def _run(self, name: str, work: Callable[[], Summary]) -> Outcome:
        try:
            summary = work()  # an ingest takes the write lock itself, after fetching its URLs
        except LockTimeoutError as exc:
            return Outcome(name, False, f"failed: {exc}")
        ok, message = describe(summary, name)
        return Outcome(name, ok, message)

    def ingest_file(self, path: str, name: str | None = None, *, replace: bool = False) -> Outcome:
        """Copy an uploaded file into the upload folder and ingest the copy; never raises for bad input.

        With `replace`, its articles may take over doc ids stored from another file or URL.
        """
        shown = safe_name(name or Path(path).name)
        try:
            dest = self.upload_target(path, name)
            return self._run(shown, lambda: self._ingest_upload(Path(path), dest, replace))
        except (OSError, ValueError) as exc:
            return Outcome(shown, False, f"failed: {exc}")
        except IngestError as exc:
            return Outcome(shown, False, f"failed: {exc.reason}")

    def ingest_url(self, url: str, *, replace: bool = False) -> Outcome:
        if not is_url(url):
            return Outcome(url, False, "failed: not a URL (it must start with http:// or https://)")
        return self._run(url, lambda: self.ingestor.run([url], replace=replace))

    def ingest(self, files: list[str], urls: list[str], *, replace: bool = False) -> Iterator[Outcome]:
        """Ingest uploaded files then URLs, one at a time, yielding each one's outcome."""
        for path in files:
            yield self.ingest_file(path, replace=replace)
        for url in urls:
            yield self.ingest_url(url, replace=replace)

    def reingest(self, doc_id: str) -> Outcome:
        """Read an article again from where the app got it: its uploaded file, or its URL.

        An article the app did not store (ingested by the CLI from a server path) is refused;
        nothing derived from its doc id or its file's contents ever names what is read.
        """
        record = self.qa.show(doc_id)
        origin = record.origin
        if is_url(origin):
            target, shown = origin, origin
        else:
            upload = uploaded_file(origin, self.settings.upload_dir)
            if upload is None:
                message = f"{doc_id} was not added through the app; re-ingest it with python -m ingest"
                return Outcome(record.title, False, message)
            if not regular_file(upload):
                gone = "is no longer in the upload folder" if not upload.is_symlink() else "is not a regular file"
                return Outcome(record.title, False, f"its uploaded file {upload.name} {gone}; upload it again")
            target, shown = str(upload), upload.name
        try:
            summary = self.ingestor.run([target])  # takes the write lock itself, after fetching a URL
        except LockTimeoutError as exc:
            return Outcome(record.title, False, f"failed: {exc}")
        ok, message = describe(summary, doc_id)
        if doc_id not in summary.added + summary.updated + summary.unchanged and ok:
            ok, message = False, f"{message}; {doc_id} was not found again in {shown}"
        return Outcome(record.title, ok, message)

    def delete(self, doc_id: str) -> str:
        """Remove an article (and its uploaded file when no other article came from it); return its title."""
        with self.qa.store.writing():  # held until the upload is removed: no ingest of it comes in between
            record = self.qa.show(doc_id)
            self.qa.delete(doc_id)
            upload = uploaded_file(record.origin, self.settings.upload_dir)
            if (
                upload is not None
                and regular_file(upload)
                and not any(r.origin == record.origin for r in self.qa.store.list_articles())
            ):
                upload.unlink(missing_ok=True)
        return record.title

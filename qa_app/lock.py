"""One writer at a time on an embedded index, and a marker that tells readers another process wrote.

Embedded Chroma keeps each collection's vector index (HNSW) in the memory of the process that opened
it and writes it back to the index folder: two processes writing at once, or one writing from a view
older than what another process wrote, lose each other's vectors (chunks that nearest-neighbour search
no longer finds, or a crash on every later open). So every writer holds `write_lock`, an `flock` on
`INDEX_DIR/write.lock` holding the holder's pid, and reopens its Chroma client once it has the lock if
another process wrote since its own last write (`Store.writing`). Readers take no lock: writers replace
the token in `INDEX_DIR/last_write` when they start and after each batch, and a reader whose token is
out of date reopens its client before reading (`Store.sync`).

On a Chroma server (`QA_CHROMA_URL`) writers may run on other hosts, so there is no file lock: the
server keeps its index whole, and the journal's leases (qa_app/journal.py) keep one writer from sweeping
another's chunks. The threads of one process are serialized in both modes, and a thread may take the
lock again while it holds it (a delete in the app holds it around `QA.delete`, which takes it too).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from qa_app.config import Settings
from qa_app.errors import LockTimeoutError

LOCK_FILE = "write.lock"
MARKER = "last_write"
POLL = 0.05  # seconds between attempts to take a lock another process holds


class _Slot:
    """This process's hold on one index: a reentrant thread lock, and the flocked file while held."""

    def __init__(self) -> None:
        self.thread_lock = threading.RLock()
        self.depth = 0
        self.fd: int | None = None


_SLOTS: dict[str, _Slot] = {}
_SLOTS_GUARD = threading.Lock()


def _where(settings: Settings) -> str:
    return settings.chroma_url or str(settings.index_dir)


def _slot(settings: Settings) -> _Slot:
    key = settings.chroma_url or str(settings.index_dir.resolve())
    with _SLOTS_GUARD:
        return _SLOTS.setdefault(key, _Slot())


def _holder(path: Path) -> str:
    """The pid written in a lock file, or "unknown" while its holder has not written it yet."""
    try:
        pid = path.read_text().strip()
    except OSError:
        return "unknown"
    return pid if pid.isdigit() else "unknown"


def _timeout(settings: Settings, pid: str) -> LockTimeoutError:
    return LockTimeoutError(f"another ingest (pid {pid}) is writing to {_where(settings)}")


def _flock(path: Path, deadline: float, settings: Settings) -> int:
    """An open file of `path` holding an exclusive flock, taken by `deadline` (monotonic seconds)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by child processes (PEP 446)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _timeout(settings, _holder(path)) from None
                time.sleep(POLL)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return fd
    except BaseException:
        os.close(fd)
        raise


@contextlib.contextmanager
def write_lock(settings: Settings) -> Iterator[None]:
    """Hold the index's write lock: waits up to `settings.lock_timeout` seconds, then raises
    `LockTimeoutError`. Embedded: across processes and threads; on a server: across this process's threads."""
    slot = _slot(settings)
    deadline = time.monotonic() + settings.lock_timeout
    if not slot.thread_lock.acquire(timeout=settings.lock_timeout):
        raise _timeout(settings, str(os.getpid()))
    try:
        if slot.depth == 0 and not settings.chroma_url:
            slot.fd = _flock(settings.index_dir / LOCK_FILE, deadline, settings)
        slot.depth += 1
        try:
            yield
        finally:
            slot.depth -= 1
            if slot.depth == 0 and slot.fd is not None:
                fd, slot.fd = slot.fd, None
                os.close(fd)  # closing the file releases its flock
    finally:
        slot.thread_lock.release()


def holds_write_lock(settings: Settings) -> bool:
    """Whether the calling thread holds the index's write lock (embedded: then no other writer runs)."""
    slot = _slot(settings)
    if not slot.thread_lock.acquire(blocking=False):
        return False
    try:
        return slot.depth > 0
    finally:
        slot.thread_lock.release()


def mark_written(index_dir: Path) -> str:
    """Replace the index's write marker with a new token, and return it.

    Example: mark_written(Path("data/index")) -> "3f2c…" (then last_written(Path("data/index")) -> "3f2c…")
    """
    token = uuid.uuid4().hex
    index_dir.mkdir(parents=True, exist_ok=True)
    tmp = index_dir / f".{MARKER}.{os.getpid()}.{threading.get_ident()}"
    tmp.write_text(token)
    os.replace(tmp, index_dir / MARKER)  # atomic: a reader sees the old token or the new one
    return token


def last_written(index_dir: Path) -> str:
    """The index's write marker: "" when no writer has written one yet."""
    try:
        return (index_dir / MARKER).read_text()
    except OSError:
        return ""

"""Load: concurrent chat sessions against the real app while an ingest runs against the same store.

Starts a `chroma run` server, ingests the sample corpus, starts `python app.py` on that server
(QA_CHROMA_URL), then drives N sessions through gradio_client (each with its own history) while
`python -m ingest` adds new articles as its own process. Afterwards it audits the store.

    python -m benchmarks.load                      # 16 sessions x 10 questions, 500 articles
    python -m benchmarks.load --sessions 4 --questions 5 --articles 20
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import ARTICLES, ROOT, machine, report
from harness.servers import app_process, chroma_server, cli_env

QUESTIONS = [
    "What did Rutte say?",
    "Where was he speaking?",
    "How many countries committed to sending troops for the reassurance force?",
    "What did Putin say about foreign troops in Ukraine?",
    "And what did Carpenter say?",
    "What did Macron say?",
    "What is the capital of Australia?",
    "What did Zelenskyy say about the United States?",
    "Who hosted the September 4 talks?",
    "What did Angela Merkel say about the reassurance force?",
]


def write_articles(path: Path, count: int, source: Path | None = ARTICLES) -> Path:
    """A JSONL file of `count` articles: the first ones of the eval corpus, or generated ones."""
    with path.open("w", encoding="utf-8") as out:
        if source is not None and source.exists():
            with gzip.open(source, "rt", encoding="utf-8") as fh:
                for n, line in enumerate(fh):
                    if n >= count:
                        break
                    out.write(line)
        else:
            for n in range(count):
                record = {
                    "id": f"load-{n}",
                    "title": f"Town council meeting number {n}",
                    "source": "Load Gazette",
                    "published_at": "2025-01-01",
                    "body": f"The council of town {n} voted {n % 7} times on the bridge budget. "
                    f"Mayor Example{n} said the vote number {n} was final.\n\nResidents of town {n} welcomed it.",
                }
                out.write(json.dumps(record) + "\n")
    return path


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    ingest_seconds: float = 0.0
    ingest_rc: int | None = None
    audit: list[str] = field(default_factory=list)
    articles_before: int = 0
    articles_after: int = 0

    def figures(self) -> dict[str, float]:
        lat = sorted(self.latencies)
        pct = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]) if lat else (lambda q: float("nan"))
        return {
            "answers": len(lat),
            "answers_per_s": len(lat) / self.seconds if self.seconds else 0.0,
            "p50_s": statistics.median(lat) if lat else float("nan"),
            "p95_s": pct(0.95),
            "errors": len(self.errors),
            "ingest_s": self.ingest_seconds,
            "audit_problems": len(self.audit),
        }


def drive_sessions(url: str, sessions: int, questions: int, result: LoadResult) -> None:
    """Each session is its own gradio_client, keeping its own history of turns."""
    from gradio_client import Client

    lock = threading.Lock()

    def session(index: int) -> None:
        try:
            client = Client(url, verbose=False)
        except Exception as exc:  # a client that cannot connect is an error of the run
            with lock:
                result.errors.append(f"session {index}: connect: {exc}")
            return
        history: list[dict[str, str]] = []
        for q in range(questions):
            question = QUESTIONS[(index + q) % len(QUESTIONS)]
            started = time.perf_counter()
            try:
                reply = client.predict(question, history, api_name="/ask")
            except Exception as exc:
                with lock:
                    result.errors.append(f"session {index} question {q}: {exc}")
                continue
            elapsed = time.perf_counter() - started
            answer = reply.get("answer", "") if isinstance(reply, dict) else str(reply)
            history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
            with lock:
                result.latencies.append(elapsed)
                if not answer:
                    result.errors.append(f"session {index} question {q}: empty answer")

    threads = [threading.Thread(target=session, args=(i,)) for i in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def run_load(workdir: Path, sessions: int, questions: int, articles: int, source: Path | None = ARTICLES) -> LoadResult:
    """The whole scenario in `workdir`; returns what happened."""
    from dataclasses import replace

    from qa_app.audit import audit
    from qa_app.config import Settings
    from qa_app.embed import load_embedder
    from qa_app.store import Store

    result = LoadResult()
    with chroma_server(workdir) as chroma_url:
        env = {"QA_CHROMA_URL": chroma_url}
        for key in ("QA_EMBED_BACKEND", "QA_CACHE_DIR"):
            if key in os.environ:
                env[key] = os.environ[key]
        sample = subprocess.run(
            [sys.executable, "-m", "ingest", str(ROOT / "data" / "articles"), "--json"],
            cwd=ROOT, env=cli_env(env), capture_output=True, text=True, check=False,
        )  # fmt: skip
        if sample.returncode != 0:
            raise RuntimeError(f"sample ingest failed: {sample.stderr}")
        new = write_articles(workdir / "new.jsonl", articles, source)
        settings = replace(Settings.from_env(cli_env(env)), chroma_url=chroma_url)
        store = Store(settings, load_embedder(settings))
        result.articles_before = store.count_articles()
        with app_process(env, workdir / "app.log") as url:
            started = time.perf_counter()
            ingest = subprocess.Popen(
                [sys.executable, "-m", "ingest", str(new), "--json"],
                cwd=ROOT, env=cli_env(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            drive_sessions(url, sessions, questions, result)
            result.seconds = time.perf_counter() - started
            out, err = ingest.communicate()
            result.ingest_seconds = time.perf_counter() - started
            result.ingest_rc = ingest.returncode
            if ingest.returncode != 0:
                result.errors.append(f"ingest exited {ingest.returncode}: {err.strip()[-500:] or out[-500:]}")
        result.audit = audit(store)
        result.articles_after = store.count_articles()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=16)
    parser.add_argument("--questions", type=int, default=10, help="questions per session")
    parser.add_argument("--articles", type=int, default=500, help="new articles ingested during the load")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qa-load-") as tmp:
        result = run_load(Path(tmp), args.sessions, args.questions, args.articles)
    print(f"machine: {machine()}")
    print(f"load: {args.sessions} sessions x {args.questions} questions, ingest of {args.articles} articles alongside")
    for key, value in result.figures().items():
        print(f"  {key:>15}: {value:.3f}" if isinstance(value, float) else f"  {key:>15}: {value}")
    print(f"  articles: {result.articles_before} before, {result.articles_after} after")
    report(f"load ({args.sessions}x{args.questions}, +{args.articles} articles)", result.figures())
    for line in (result.errors + result.audit)[:20]:
        print(f"  ! {line}")


if __name__ == "__main__":
    main()

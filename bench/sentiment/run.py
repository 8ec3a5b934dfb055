"""Sentiment benchmark: our shipped model against VADER on the held-out test split of real tweets.

Prints the data set and split sizes, per-class precision / recall / F1 and macro-F1 for VADER (standard
thresholds: compound ≥ 0.05 positive, ≤ -0.05 negative) and for ours, texts per second for both (one core,
single-threaded, model already loaded), and a last line

    BENCH sentiment macro_f1=<x> vader_macro_f1=<x> texts_per_s=<x>

The test split was never read by train.py (see data.py). Also: the accuracy of the intent rules on the
hand-labelled samples in listening/tests/
(intent_sample.tsv, written alongside the rules; intent_fresh.tsv, written after them).
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from data import THRESHOLD, Tweet, label_at, split

from groundswell.listening.enrichment.features import vader
from groundswell.listening.enrichment.sentiment import CLASSES, default_model

CLOCK = time.process_time if os.environ.get("BENCH_CLOCK") == "cpu" else time.perf_counter
REPEAT = 3


def vader_label(text: str) -> str:
    compound = vader().polarity_scores(text)["compound"]
    if compound >= 0.05:
        return "positive"
    if compound <= -0.05:
        return "negative"
    return "neutral"


def report(name: str, gold: list[str], pred: list[str]) -> float:
    print(f"\n{name}")
    print(f"  {'class':<10} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}")
    f1s = []
    for cls in CLASSES:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == cls and p == cls)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != cls and p == cls)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == cls and p != cls)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1s.append(f1)
        print(f"  {cls:<10} {precision:9.3f} {recall:7.3f} {f1:6.3f} {tp + fn:8d}")
    macro = sum(f1s) / len(f1s)
    accuracy = sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / len(gold)
    print(f"  macro-F1 {macro:.3f}   accuracy {accuracy:.3f}")
    return macro


def macro(gold: list[str], pred: list[str]) -> float:
    f1s = []
    for cls in CLASSES:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == cls and p == cls)
        wrong = sum(1 for g, p in zip(gold, pred, strict=True) if (g == cls) != (p == cls))
        f1s.append(2 * tp / (2 * tp + wrong) if tp else 0.0)
    return sum(f1s) / len(f1s)


def other_thresholds(test: list[Tweet], vader_pred: list[str], ours_pred: list[str]) -> None:
    """The neutral band is a choice: how both fare if it were narrower or wider (our model is not retrained)."""
    print("\nmacro-F1 with another neutral band (same predictions, labels re-derived):")
    for threshold in (0.25, 0.5, 1.0):
        gold = [label_at(t.rating, threshold) for t in test]
        print(f"  |mean| < {threshold:<4}: VADER {macro(gold, vader_pred):.3f}  ours {macro(gold, ours_pred):.3f}")


def throughput(fn: object, texts: list[str]) -> float:
    assert callable(fn)
    best = float("inf")
    for _ in range(REPEAT):
        start = CLOCK()
        for text in texts:
            fn(text)
        best = min(best, CLOCK() - start)
    return len(texts) / best


def intent_accuracy(name: str) -> None:
    from groundswell.listening.enrich import enrich

    path = Path(__file__).resolve().parents[2] / "src/groundswell/listening/tests" / name
    if not path.exists():
        return
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line and line[0] != "#"]
    right = Counter[str]()
    total = Counter[str]()
    for _lang, intent, text in rows:
        total[intent] += 1
        right[intent] += enrich(text).intent == intent
    print(f"\nintent rules on a hand-labelled sample ({sum(total.values())} posts, {path.name}):")
    for intent in sorted(total):
        print(f"  {intent:<10} {right[intent]}/{total[intent]}")
    print(f"  accuracy {sum(right.values()) / sum(total.values()):.3f}")


def main() -> None:
    if hasattr(os, "sched_setaffinity") and os.cpu_count() and (os.cpu_count() or 0) >= 2:
        os.sched_setaffinity(0, {1})
    train, test = split()
    model = default_model()
    print("data: vaderSentiment 3.3.2 sdist, hutto_ICWSM_2014/tweets_GroundTruth.txt (real tweets, human-rated)")
    print(f"labels: mean rating >= +{THRESHOLD} positive, <= -{THRESHOLD} negative, else neutral")
    print(f"split by sha256 of the id: {len(train) + len(test)} tweets, train {len(train)}, test {len(test)}")
    print(f"  test classes: {dict(sorted(Counter(t.label for t in test).items()))}")
    print(
        f"model: {model.meta.get('features')} features, l2={model.meta.get('l2')}, trained on {model.meta.get('train_size')}"
    )
    gold = [t.label for t in test]
    texts = [t.text for t in test]
    vader_pred = [vader_label(t) for t in texts]
    ours_pred = [model.predict(t)[0] for t in texts]
    vader_macro = report("VADER (compound >= 0.05 / <= -0.05)", gold, vader_pred)
    ours_macro = report("ours (listening/enrichment/sentiment.py)", gold, ours_pred)
    other_thresholds(test, vader_pred, ours_pred)
    vader_rate = throughput(vader_label, texts)
    ours_rate = throughput(model.predict, texts)
    print(f"\nthroughput (one core): VADER {vader_rate:,.0f} texts/s, ours {ours_rate:,.0f} texts/s")
    intent_accuracy("intent_sample.tsv")  # written alongside the rules
    intent_accuracy("intent_fresh.tsv")  # written after them
    print(f"BENCH sentiment macro_f1={ours_macro:.3f} vader_macro_f1={vader_macro:.3f} texts_per_s={ours_rate:.0f}")


if __name__ == "__main__":
    main()

"""Train the sentiment model and write src/groundswell/listening/enrichment/data/sentiment_model.json.gz.

Multinomial logistic regression (numpy, full-batch Adam, L2, class-balanced loss so the rare neutral class
counts as much as the others for macro-F1) over the sparse named features of
``groundswell.listening.enrichment.features``. Only the TRAIN split of bench/sentiment/data.py is read:
the L2 strength is chosen on a held-out 20 % of train, then the model is refitted on all of train.
Features seen in fewer than two training tweets are dropped (a small file, less overfitting).

    .venv/bin/python bench/sentiment/train.py
"""

from __future__ import annotations

import gzip
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from data import Tweet, bucket, split

from groundswell.listening.enrichment.features import features
from groundswell.listening.enrichment.sentiment import CLASSES, MODEL_PATH

MIN_DF = 2
L2_GRID = (1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
STEPS = 400


def design(rows: list[dict[str, float]], vocab: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r, c, v = [], [], []
    for i, feats in enumerate(rows):
        for name, value in feats.items():
            j = vocab.get(name)
            if j is not None:
                r.append(i)
                c.append(j)
                v.append(value)
    return np.array(r), np.array(c), np.array(v, dtype=np.float64)


def fit(rows: list[dict[str, float]], labels: list[int], vocab: dict[str, int], l2: float) -> np.ndarray:
    r, c, v = design(rows, vocab)
    n, d, k = len(rows), len(vocab), len(CLASSES)
    y = np.zeros((n, k))
    y[np.arange(n), labels] = 1.0
    counts = y.sum(axis=0)
    sample_w = (n / (k * counts))[labels]
    w = np.zeros((d, k))
    m = np.zeros_like(w)
    s = np.zeros_like(w)
    lr, b1, b2 = 0.05, 0.9, 0.999
    for step in range(1, STEPS + 1):
        logits = np.zeros((n, k))
        for j in range(k):
            logits[:, j] = np.bincount(r, weights=v * w[c, j], minlength=n)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        g_rows = (p - y) * sample_w[:, None] / n
        grad = np.zeros_like(w)
        for j in range(k):
            grad[:, j] = np.bincount(c, weights=v * g_rows[r, j], minlength=d)
        grad += l2 * w
        m = b1 * m + (1 - b1) * grad
        s = b2 * s + (1 - b2) * grad * grad
        w -= lr * (m / (1 - b1**step)) / (np.sqrt(s / (1 - b2**step)) + 1e-8)
    return w


def predict(w: np.ndarray, rows: list[dict[str, float]], vocab: dict[str, int]) -> list[int]:
    r, c, v = design(rows, vocab)
    logits = np.zeros((len(rows), len(CLASSES)))
    for j in range(len(CLASSES)):
        logits[:, j] = np.bincount(r, weights=v * w[c, j], minlength=len(rows))
    return [int(x) for x in logits.argmax(axis=1)]


def macro_f1(gold: list[int], pred: list[int]) -> float:
    f1s = []
    for k in range(len(CLASSES)):
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == k and p == k)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != k and p == k)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == k and p != k)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f1s) / len(f1s)


def build_vocab(rows: list[dict[str, float]]) -> dict[str, int]:
    df: Counter[str] = Counter()
    for feats in rows:
        df.update(feats.keys())
    names = sorted(name for name, count in df.items() if count >= MIN_DF or name.startswith(("v:", "p:", "bias")))
    return {name: i for i, name in enumerate(names)}


def main() -> None:
    train, test = split()
    print(f"train {len(train)} tweets, test {len(test)} held out (not read here)")
    fit_part = [t for t in train if bucket(t.id, "val") >= 20]
    val_part = [t for t in train if bucket(t.id, "val") < 20]

    def xy(tweets: list[Tweet]) -> tuple[list[dict[str, float]], list[int]]:
        return [features(t.text) for t in tweets], [CLASSES.index(t.label) for t in tweets]

    fit_rows, fit_y = xy(fit_part)
    val_rows, val_y = xy(val_part)
    vocab = build_vocab(fit_rows)
    best = (-1.0, L2_GRID[0])
    for l2 in L2_GRID:
        score = macro_f1(val_y, predict(fit(fit_rows, fit_y, vocab, l2), val_rows, vocab))
        print(f"  l2={l2:g}: validation macro-F1 {score:.3f} ({len(fit_part)} fit / {len(val_part)} validation)")
        best = max(best, (score, l2))
    l2 = best[1]
    rows, y = xy(train)
    vocab = build_vocab(rows)
    w = fit(rows, y, vocab, l2)
    weights = {}
    for name, j in vocab.items():
        row = [round(float(x), 4) for x in w[j]]
        if any(row):
            weights[name] = row
    meta = {
        "data": "vaderSentiment 3.3.2 sdist, hutto_ICWSM_2014/tweets_GroundTruth.txt (MIT)",
        "labels": "mean rating >= 0.5 positive, <= -0.5 negative, else neutral",
        "split": "sha256('test:<id>') % 100 < 30 is test; trained on the other tweets only",
        "train_size": len(train),
        "l2": l2,
        "features": len(weights),
    }
    MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps({"classes": list(CLASSES), "meta": meta, "weights": weights}, separators=(",", ":"))
    with gzip.GzipFile(MODEL_PATH, "wb", mtime=0) as fh:
        fh.write(payload.encode())
    print(f"wrote {MODEL_PATH} ({MODEL_PATH.stat().st_size // 1024} KiB, {len(weights)} features, l2={l2:g})")


if __name__ == "__main__":
    main()

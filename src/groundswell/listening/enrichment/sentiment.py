"""Sentiment of a social post: a multinomial logistic regression over ``features.features``.

The weights are trained by ``bench/sentiment/train.py`` on the training split of the VADER authors' human-rated
tweets and shipped in ``data/sentiment_model.json.gz`` (nothing is downloaded or trained at run time).
Prediction is a sum of a few hundred dictionary look-ups: no numpy needed.
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from groundswell.listening.enrichment import lexicon
from groundswell.listening.enrichment.features import features

MODEL_PATH = Path(__file__).with_name("data") / "sentiment_model.json.gz"
CLASSES = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class SentimentModel:
    classes: tuple[str, ...]
    weights: dict[str, tuple[float, ...]]
    meta: dict[str, object]

    def probabilities(self, text: str) -> dict[str, float]:
        totals = [0.0] * len(self.classes)
        for name, value in features(text).items():
            row = self.weights.get(name)
            if row is not None:
                for k, weight in enumerate(row):
                    totals[k] += weight * value
        top = max(totals)
        exps = [math.exp(t - top) for t in totals]
        norm = sum(exps)
        return {cls: e / norm for cls, e in zip(self.classes, exps, strict=True)}

    def predict(self, text: str) -> tuple[str, float]:
        """(label, score): the most probable class and P(positive) - P(negative) in -1…+1."""
        probs = self.probabilities(text)
        label = max(probs, key=probs.__getitem__)
        return label, round(probs["positive"] - probs["negative"], 4)


def load_model(path: Path = MODEL_PATH) -> SentimentModel:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        raw = json.load(fh)
    classes = tuple(raw["classes"])
    if classes != CLASSES:
        raise ValueError(f"{path}: unexpected classes {classes}")
    weights = {name: tuple(float(w) for w in row) for name, row in raw["weights"].items()}
    return SentimentModel(classes=classes, weights=weights, meta=dict(raw.get("meta", {})))


@lru_cache(maxsize=1)
def default_model() -> SentimentModel:
    return load_model()


def sentiment(text: str, *, lang: str = "") -> tuple[str, float]:
    """English (or unknown language) → the shipped model; another detected language → ``lexicon``."""
    if lang in ("", "en"):
        return default_model().predict(text)
    return lexicon.sentiment(text)

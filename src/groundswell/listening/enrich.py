"""Enrichment of matched posts: language, sentiment and intent, offline.

This module is the interface the pipeline calls; the models live in ``listening/enrichment/``: language
from py3langid's bundled profiles (the source's language tag wins), sentiment from the shipped linear model
(``enrichment/data/sentiment_model.json.gz``) for English, a small polarity lexicon for other languages, intent from rules over both. Nothing is downloaded or trained
at run time. The first call loads the models (about 2 s, mostly py3langid decompressing its profiles; a long-lived
worker pays it once, or calls ``warm_up()`` when it starts); later calls take about 0.1-0.3 ms.
"""

from __future__ import annotations

from dataclasses import dataclass

from groundswell.listening.enrichment import intent, language, sentiment


@dataclass(frozen=True)
class Enrichment:
    lang: str  # ISO 639-1 code, "" when unknown
    sentiment: str  # "positive" | "neutral" | "negative"
    score: float  # -1 … +1
    intent: str  # "question" | "complaint" | "praise" | "other"


def enrich(text: str, *, lang_hint: str = "") -> Enrichment:
    lang = language.detect(text, hint=lang_hint)
    label, score = sentiment.sentiment(text, lang=lang)
    return Enrichment(lang=lang, sentiment=label, score=score, intent=intent.classify(text, lang=lang, sentiment=label))


def warm_up() -> None:
    """Load the models now rather than on the first post."""
    language.identifier()
    sentiment.default_model()
    sentiment.sentiment("warm up")

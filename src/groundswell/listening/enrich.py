"""Enrichment of matched posts: language, sentiment and intent, offline.

This module is the interface the pipeline calls. The real models live in ``listening/enrichment/``
(being built); until they land, ``enrich`` uses the hint and simple punctuation rules so the pipeline runs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Enrichment:
    lang: str  # ISO 639-1 code, "" when unknown
    sentiment: str  # "positive" | "neutral" | "negative"
    score: float  # -1 … +1
    intent: str  # "question" | "complaint" | "praise" | "other"


def enrich(text: str, *, lang_hint: str = "") -> Enrichment:
    intent = "question" if "?" in text else "other"
    return Enrichment(lang=lang_hint[:2].lower(), sentiment="neutral", score=0.0, intent=intent)

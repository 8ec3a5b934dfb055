"""Sentiment outside English: a small hand-written polarity lexicon (de, fr, es, it, nl, pt) plus emoji and
emoticons scored by VADER. The shipped model is trained on English tweets, and English lexicon features
misread other languages ("die" in "Danke für die schnelle Lieferung!"), so posts detected as another
language take this path. Not benchmarked: no labelled non-English social posts ship in a package we found.
"""

from __future__ import annotations

import math
import re

from groundswell.listening.enrichment.features import vader, vader_text

_POSITIVE = {
    # de
    "danke": 2.0, "dank": 1.5, "super": 2.0, "toll": 2.0, "klasse": 2.0, "großartig": 2.5, "genial": 2.5,
    "spitze": 2.0, "begeistert": 2.5, "liebe": 2.0, "gut": 1.5, "schnell": 1.0, "perfekt": 2.5, "zufrieden": 2.0,
    "freundlich": 1.5, "empfehlen": 1.5, "lecker": 2.0, "schön": 1.5,
    # fr
    "merci": 2.0, "génial": 2.5, "excellent": 2.5, "bravo": 2.0, "parfait": 2.5, "adore": 2.5, "top": 1.5,
    "bien": 1.0, "bon": 1.0, "rapide": 1.0, "content": 1.5, "contente": 1.5, "ravi": 2.0, "ravie": 2.0, "sympa": 1.5,
    # es
    "gracias": 2.0, "excelente": 2.5, "increíble": 2.5, "encanta": 2.5, "perfecto": 2.5, "bueno": 1.5,
    "buena": 1.5, "rápido": 1.0, "feliz": 2.0, "contento": 1.5, "maravilloso": 2.5, "recomiendo": 1.5,
    # it
    "grazie": 2.0, "fantastico": 2.5, "ottimo": 2.5, "ottima": 2.5, "eccellente": 2.5, "bravissimi": 2.5,
    "perfetto": 2.5, "adoro": 2.5, "buono": 1.5, "bello": 1.5, "bella": 1.5, "veloce": 1.0, "felice": 2.0,
    # nl
    "bedankt": 2.0, "dankjewel": 2.0, "geweldig": 2.5, "fantastisch": 2.5, "goed": 1.5, "snel": 1.0,
    "blij": 2.0, "tevreden": 2.0, "mooi": 1.5, "fijn": 1.5, "aanrader": 2.0, "prima": 1.5,
    # pt
    "obrigado": 2.0, "obrigada": 2.0, "ótimo": 2.5, "ótima": 2.5, "incrível": 2.5, "perfeito": 2.5,
    "parabéns": 2.0, "bom": 1.5, "boa": 1.0, "rápida": 1.0, "adorei": 2.5, "amei": 2.5,
}  # fmt: skip
_NEGATIVE = {
    # de
    "kaputt": 2.0, "defekt": 2.0, "schlecht": 2.0, "schlechteste": 3.0, "ärgerlich": 2.0, "enttäuscht": 2.0,
    "enttäuschend": 2.0, "unverschämt": 2.5, "betrug": 3.0, "frechheit": 2.5, "katastrophe": 3.0, "nie": 1.0,
    "leider": 1.0, "beschädigt": 2.0, "langsam": 1.0, "problem": 1.0, "fehler": 1.0, "verspätet": 1.5,
    # fr
    "cassé": 2.0, "nul": 2.5, "pire": 3.0, "mauvais": 2.0, "déçu": 2.0, "déçue": 2.0, "inadmissible": 2.5,
    "arnaque": 3.0, "honteux": 2.5, "scandaleux": 2.5, "jamais": 1.0, "retard": 1.5, "problème": 1.0,
    "lent": 1.0, "endommagé": 2.0,
    # es
    "roto": 2.0, "peor": 3.0, "pésimo": 3.0, "pésima": 3.0, "malo": 2.0, "mala": 2.0, "decepcionado": 2.0,
    "estafa": 3.0, "vergüenza": 2.5, "nunca": 1.0, "tarde": 1.0, "retraso": 1.5, "problema": 1.0, "dañado": 2.0,
    # it
    "rotto": 2.0, "peggiore": 3.0, "pessimo": 3.0, "pessima": 3.0, "brutto": 2.0, "deluso": 2.0,
    "delusa": 2.0, "truffa": 3.0, "vergogna": 2.5, "mai": 1.0, "ritardo": 1.5, "problemi": 1.0,
    "danneggiato": 2.0, "lento": 1.0,
    # nl
    "kapot": 2.0, "slecht": 2.0, "slechtste": 3.0, "teleurgesteld": 2.0, "waardeloos": 2.5, "oplichting": 3.0,
    "nooit": 1.0, "vertraging": 1.5, "probleem": 1.0, "beschadigd": 2.0, "traag": 1.0,
    # pt
    "quebrado": 2.0, "pior": 3.0, "péssimo": 3.0, "péssima": 3.0, "ruim": 2.0, "decepcionada": 2.0,
    "golpe": 2.5, "vergonha": 2.5, "atrasado": 1.5, "danificado": 2.0,
}  # fmt: skip
_NEGATORS = frozenset(["nicht", "kein", "keine", "keinen", "ne", "pas", "no", "non", "niet", "geen", "não", "nem"])
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SYMBOLS = re.compile(r"[:;=8][-'^]?[)(\]\[dDpP/\\|*]|<3|[^\w\s.,;:!?'\"()\-]", re.UNICODE)


def score(text: str) -> float:
    """A VADER-like compound score in -1 … +1."""
    total = 0.0
    negate = 0
    for word in _WORD.findall(text.lower()):
        if word in _NEGATORS:
            negate = 3
            continue
        value = _POSITIVE.get(word, 0.0) - _NEGATIVE.get(word, 0.0)
        if negate and value:
            value *= -0.75
        total += value
        negate = max(negate - 1, 0)
    symbols = " ".join(_SYMBOLS.findall(text))
    if symbols:
        total += 4 * vader().polarity_scores(vader_text(symbols))["compound"]
    total *= 1 + 0.1 * min(text.count("!"), 3) if total else 1
    return total / math.sqrt(total * total + 15)


def sentiment(text: str) -> tuple[str, float]:
    compound = round(score(text), 4)
    if compound >= 0.05:
        return "positive", compound
    if compound <= -0.05:
        return "negative", compound
    return "neutral", compound

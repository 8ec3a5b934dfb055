"""Features of a social post for the sentiment model, shared by the runtime and ``bench/sentiment/train.py``.

Sparse, named features (so the shipped weights file is a readable ``{feature: [w_neg, w_neu, w_pos]}``):

* ``w:`` word unigrams and ``b:`` bigrams after normalisation (lower case, links → ``<url>``, handles →
  ``<user>``, letters repeated 3+ times cut to two); words after a negator up to the next punctuation get a
  ``NEG_`` prefix, so "not good" and "good" are different features;
* ``c:`` character 3-grams inside words (spelling variants, "lovee", "amazinggg");
* ``v:`` VADER's scores of the raw text (its lexicon, emoji, negation, "but", intensifiers and capitals
  rules; a few emoji it leaves neutral get a word first, ``EMOJI_WORDS``) as dense values plus a one-hot bucket of its compound score;
* ``p:`` punctuation and shape: exclamation marks, question marks, all-caps words.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

_URL = re.compile(r"https?://\S+|www\.\S+")
_USER = re.compile(r"@\w+")
_REPEAT = re.compile(r"(\w)\1{2,}")
_TOKEN = re.compile(r"<url>|<user>|[^\W\d_]+(?:['\u2019][^\W\d_]+)?|\d+|[!?.,;:]|[^\w\s]", re.UNICODE)
_NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "nobody",
        "nothing",
        "neither",
        "nor",
        "nowhere",
        "cannot",
        "cant",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "wasnt",
        "arent",
        "werent",
        "wont",
        "wouldnt",
        "shouldnt",
        "couldnt",
        "aint",
        "hardly",
    ]
)
_CLAUSE_END = frozenset(".,;:!?")


# Emoji common in customer posts that VADER's emoji descriptions leave neutral ("pouting face", "thumbs down",
# "raising hands"…) or read the wrong way ("fire" as negative): a word VADER scores, substituted before it reads.
EMOJI_WORDS = {
    "😡": " angry ", "🤬": " furious ", "👎": " bad ", "💩": " crap ", "😤": " annoyed ", "😒": " annoyed ",
    "🙄": " annoyed ", "🤮": " disgusting ", "👍": " good ", "👏": " great ", "🙌": " great ", "💯": " great ",
    "🔥": " awesome ", "🙏": " thanks ", "💔": " heartbroken ",
}  # fmt: skip
_EMOJI = re.compile("|".join(map(re.escape, EMOJI_WORDS)))


def vader_text(text: str) -> str:
    return _EMOJI.sub(lambda m: EMOJI_WORDS[m.group(0)], text)


@lru_cache(maxsize=1)
def vader() -> SentimentIntensityAnalyzer:
    """VADER reads its lexicon files from its installed package once; share one analyser."""
    return SentimentIntensityAnalyzer()


def tokens(text: str) -> list[str]:
    text = _USER.sub(" <user> ", _URL.sub(" <url> ", text.lower()))
    text = _REPEAT.sub(r"\1\1", text)
    return _TOKEN.findall(text)


def _negated(toks: list[str]) -> list[str]:
    out: list[str] = []
    negating = False
    for tok in toks:
        if tok in _CLAUSE_END:
            negating = False
            out.append(tok)
            continue
        out.append("NEG_" + tok if negating else tok)
        bare = tok.replace("'", "").replace("\u2019", "")
        if bare in _NEGATORS or (bare.endswith("nt") and bare[:-2] in {"do", "does", "did", "is", "was", "are"}):
            negating = True
    return out


def features(text: str) -> dict[str, float]:
    """The named features of ``text`` with their values (1.0 for presence features)."""
    feats: dict[str, float] = {"bias": 1.0}
    toks = _negated(tokens(text))
    for tok in toks:
        feats["w:" + tok] = 1.0
        bare = tok.removeprefix("NEG_")
        if len(bare) >= 4 and bare.isalpha():
            padded = f"^{bare}$"
            for i in range(len(padded) - 2):
                feats["c:" + padded[i : i + 3]] = 1.0
    for first, second in pairwise(toks):
        feats[f"b:{first} {second}"] = 1.0
    scores = vader().polarity_scores(vader_text(text))
    compound = scores["compound"]
    feats["v:compound"] = compound
    feats["v:pos"] = scores["pos"]
    feats["v:neg"] = scores["neg"]
    feats[f"v:bucket{round(compound * 4)}"] = 1.0
    exclamations = text.count("!")
    if exclamations:
        feats["p:exclaim"] = min(exclamations, 3) / 3
    if "?" in text:
        feats["p:question"] = 1.0
    if any(len(word) >= 3 and word.isupper() for word in text.split()):
        feats["p:caps"] = 1.0
    return feats

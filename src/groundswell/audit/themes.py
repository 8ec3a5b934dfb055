"""Recurring themes: words and two-word phrases that are frequent in a period's posts *relative to a background*.

Scored with the weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008,
"Fightin' Words"): the background is the previous period, the prior is both periods together (scaled by ``PRIOR_WEIGHT``), and the z-score
says how much more a term belongs to this period than to the previous one. A term counts once per post, so
one author repeating a phrase does not make a theme. Stop words are removed per language (the post's
``lang``; posts without one use every list). Without a background to compare with, the most frequent terms
are shown instead, and the report says so.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from groundswell.listening.text import tokenize

MIN_POSTS = 3  # a theme appears in at least this many posts of the period
MIN_Z = 1.96  # about 95%: more frequent than the previous period, not by chance
MIN_WORD = 3  # shorter words ("ok", "im") are noise
#: The prior is both periods together, scaled down so that it smooths rare terms without drowning a real
#: change in the few hundred posts a small company hears in a week.
PRIOR_WEIGHT = 0.1


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS: dict[str, frozenset[str]] = {
    "en": _words(
        """a about above after again against all am an and any are as at be because been before being below
        between both but by can could did do does doing down during each few for from further had has have
        having he her here hers herself him himself his how i if in into is it its itself just me more most my
        myself no nor not now of off on once only or other our ours ourselves out over own same she should so
        some such than that the their theirs them themselves then there these they this those through to too
        under until up very was we were what when where which while who whom why will with would you your yours
        yourself yourselves also get got like one new via amp http https www com really still even much many
        dont doesnt didnt cant wont isnt arent wasnt thats its ive youre theyre lets today day time people
        know think going make made use used"""
    ),
    "de": _words(
        """aber alle als also am an auch auf aus bei bin bis bist da damit dann das dass dein dem den der des
        die dies diese dir doch dort du durch ein eine einem einen einer eines er es euch für hat hatte hier ich
        ihr im in ist ja jetzt kann kein man mein mich mir mit nach nicht noch nur ob oder schon sehr sein sich
        sie sind so über um und uns unser vom von vor war was weil wenn wie wir wird zu zum zur"""
    ),
    "fr": _words(
        """au aux avec ce ces cette dans de des du elle en est et eux il ils je la le les leur lui mais me même
        mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une
        vos votre vous été être avoir fait plus très tout"""
    ),
    "es": _words(
        """al algo como con de del el ella ellos en es esta este esto fue ha hay la las le les lo los mas me mi
        muy no nos o para pero por que se si sin sobre su sus también te tu un una uno y ya yo"""
    ),
    "nl": _words(
        """aan al als bij dan dat de die dit door een en er had heb heeft het hij hoe ik in is je kan maar me
        met mijn na naar niet nog nu of om ons ook op over te tot u uit van voor was wat we wel wij zal ze zij
        zijn zo zoals"""
    ),
}
_ALL_STOP = frozenset().union(*STOP_WORDS.values())


@dataclass(frozen=True)
class Theme:
    term: str
    posts: int  # posts of the period that use it
    previous: int  # posts of the previous period that use it
    score: float  # z-score of the log-odds ratio (0 when there was no background)


def _stop_words(lang: str) -> frozenset[str]:
    code = lang.lower().split("-")[0][:2]
    return STOP_WORDS.get(code, _ALL_STOP) if code else _ALL_STOP


def terms_of(text: str, lang: str = "", exclude: frozenset[str] = frozenset()) -> set[str]:
    """The distinct words and two-word phrases of one post, stop words (and ``exclude``) removed."""
    stop = _stop_words(lang) | exclude
    words = [w for w in tokenize(text) if not w.isdigit()]
    keep = [len(w) >= MIN_WORD and w not in stop for w in words]
    terms = {w for w, k in zip(words, keep, strict=True) if k}
    for i in range(len(words) - 1):
        if keep[i] and keep[i + 1] and words[i] != words[i + 1]:
            terms.add(f"{words[i]} {words[i + 1]}")
    return terms


def _document_counts(posts: Iterable[tuple[str, str]], exclude: frozenset[str]) -> tuple[Counter[str], int]:
    counts: Counter[str] = Counter()
    n = 0
    for text, lang in posts:
        counts.update(terms_of(text, lang, exclude))
        n += 1
    return counts, n


def recurring_themes(
    posts: Iterable[tuple[str, str]],
    background: Iterable[tuple[str, str]],
    *,
    exclude: Iterable[str] = (),
    limit: int = 12,
) -> tuple[list[Theme], bool]:
    """Themes of ``posts`` (text, lang) against ``background``; the flag says whether a background was used.

    ``exclude`` holds words that are no theme (the topics' own names: every brand post says the brand).
    """
    skip = frozenset(w for phrase in exclude for w in tokenize(phrase))
    focus, _ = _document_counts(posts, skip)
    back, n_back = _document_counts(background, skip)
    candidates = [t for t, c in focus.items() if c >= MIN_POSTS]
    if not candidates:
        return [], n_back > 0
    if n_back == 0:
        ranked = sorted(candidates, key=lambda t: (-focus[t], t))[:limit]
        return [Theme(t, focus[t], 0, 0.0) for t in ranked], False
    n_i = sum(focus.values())
    n_j = sum(back.values())
    a0 = PRIOR_WEIGHT * (n_i + n_j)  # the prior: both periods together
    themes = []
    for term in candidates:
        y_i, y_j = focus[term], back[term]
        a_w = PRIOR_WEIGHT * (y_i + y_j)
        rest_i, rest_j = n_i + a0 - y_i - a_w, n_j + a0 - y_j - a_w
        if rest_i <= 0 or rest_j <= 0:  # a corpus of one term: nothing to compare
            continue
        delta = math.log((y_i + a_w) / rest_i) - math.log((y_j + a_w) / rest_j)
        z = delta / math.sqrt(1 / (y_i + a_w) + 1 / (y_j + a_w))
        if z >= MIN_Z:
            themes.append(Theme(term, y_i, y_j, z))
    themes.sort(key=lambda t: (-t.score, -t.posts, t.term))
    return _drop_covered(themes)[:limit], True


def _drop_covered(themes: list[Theme]) -> list[Theme]:
    """Leave out a word when a phrase containing it is already listed with as many posts ("recall" under
    "tent recall"): the phrase says more."""
    phrases = [t for t in themes if " " in t.term]
    out = []
    for t in themes:
        if " " not in t.term and any(t.term in p.term.split() and p.posts >= t.posts for p in phrases):
            continue
        out.append(t)
    return out

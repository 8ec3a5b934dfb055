"""The labelled set: 4,200 real tweets rated by humans, from the VADER authors (Hutto & Gilbert, ICWSM 2014).

It ships inside the ``vaderSentiment`` 3.3.2 source distribution on PyPI (MIT licence, the package's own
LICENSE.txt), as ``additional_resources/hutto_ICWSM_2014.tar.gz`` → ``tweets_GroundTruth.txt``: one line
per tweet, ``id<TAB>mean rating<TAB>text``, the mean of about 20 raters on -4 … +4. The wheel leaves that
folder out, so ``make bench-sentiment`` fetches the sdist with pip into bench/out/sentiment/ (ordinary
registry client, once) and this module reads the tweets straight from the archive: nothing is copied into
the repository.

Labels: positive when the mean rating ≥ +0.5, negative when ≤ -0.5, neutral in between (raters' mean within
half a point of "neutral" on the nine-point scale). Fixed before any model was trained.

Split by id, not by position: sha256 of the id decides, so it never changes and no tweet is in two parts.
30 % test (never seen by train.py), the rest train; train.py holds out a further part of train (another
salt) to pick the regularisation.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path

SDIST = Path(
    os.environ.get("SENTIMENT_SDIST", Path(__file__).resolve().parents[1] / "out/sentiment/vaderSentiment-3.3.2.tar.gz")
)
INNER = "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
MEMBER = "hutto_ICWSM_2014/tweets_GroundTruth.txt"
THRESHOLD = 0.5


@dataclass(frozen=True)
class Tweet:
    id: int
    rating: float
    text: str

    @property
    def label(self) -> str:
        return label_at(self.rating, THRESHOLD)


def label_at(rating: float, threshold: float) -> str:
    if rating >= threshold:
        return "positive"
    if rating <= -threshold:
        return "negative"
    return "neutral"


def bucket(tweet_id: int, salt: str) -> int:
    return int(hashlib.sha256(f"{salt}:{tweet_id}".encode()).hexdigest(), 16) % 100


def is_test(tweet: Tweet) -> bool:
    return bucket(tweet.id, "test") < 30


def load() -> list[Tweet]:
    if not SDIST.exists():
        raise SystemExit(f"{SDIST} is missing: run `make bench-sentiment` (it fetches the vaderSentiment sdist)")
    with tarfile.open(SDIST) as outer:
        inner_file = outer.extractfile(INNER)
        assert inner_file is not None
        with tarfile.open(fileobj=io.BytesIO(inner_file.read())) as inner:
            member = inner.extractfile(MEMBER)
            assert member is not None
            raw = member.read().decode("utf-8", errors="replace")
    tweets = []
    for line in raw.splitlines():
        if not line.strip():
            continue
        tweet_id, rating, text = line.split("\t", 2)
        tweets.append(Tweet(int(tweet_id), float(rating), text))
    return tweets


def split() -> tuple[list[Tweet], list[Tweet]]:
    tweets = load()
    test = [t for t in tweets if is_test(t)]
    train = [t for t in tweets if not is_test(t)]
    assert not {t.id for t in test} & {t.id for t in train}
    return train, test

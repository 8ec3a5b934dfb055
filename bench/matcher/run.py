"""Matcher benchmark: 1,000, 10,000 and 100,000 generated listening queries against a stream of posts.

Queries look like real brand-monitoring queries (brands and products AND/OR'ed, phrases, NEAR/n and ONEAR/n,
wildcards, NOT, field filters); posts look like social posts (mentions of those brands among everyday
words, hashtags, links, emoji), with Zipf-distributed brand popularity. Everything is seeded.

For each size: posts per second through the index (``Matcher``) and through the brute-force reference
(every query evaluated on every post, on a sample of posts), their ratio, and agreement: the fraction of
sampled posts for which both give exactly the same set of matching queries (must be 1.0). Runs on one
pinned core (core 1 when there are two).
"""

from __future__ import annotations

import os
import random
import time

from groundswell.listening.matcher import KeyStats, Matcher, Post, brute_force, prepare
from groundswell.listening.query import Node, parse

SEED = 2027
# Wall-clock time on the pinned core; BENCH_CLOCK=cpu measures this process's CPU time instead (for a
# machine busy with other work, where wall time would measure the neighbours).
CLOCK = time.process_time if os.environ.get("BENCH_CLOCK") == "cpu" else time.perf_counter
QUICK = os.environ.get("BENCH_QUICK") == "1"  # CI: 2,000 posts against 1,000 and 10,000 queries (seconds)
STREAM = 2_000 if QUICK else 20_000
SIZES = (1_000, 10_000) if QUICK else (1_000, 10_000, 100_000)
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "ti",
    "vo",
    "ze",
    "ba",
    "da",
    "fe",
    "gi",
    "ho",
    "ju",
    "ly",
    "pa",
    "qu",
    "re",
    "so",
    "tu",
    "wi",
    "xa",
    "yo",
]
COMMON = [
    "the",
    "a",
    "and",
    "to",
    "of",
    "in",
    "is",
    "it",
    "for",
    "on",
    "with",
    "my",
    "this",
    "that",
    "just",
    "so",
    "our",
    "at",
    "be",
    "are",
    "was",
    "have",
    "not",
    "you",
    "but",
    "new",
    "love",
    "great",
    "today",
    "really",
    "get",
    "got",
    "out",
    "can",
    "day",
    "best",
    "time",
    "good",
    "week",
    "team",
    "now",
    "like",
    "all",
    "more",
    "when",
    "one",
    "about",
    "first",
    "back",
    "any",
    "still",
    "how",
    "what",
    "why",
    "going",
    "need",
    "thanks",
    "help",
    "please",
    "anyone",
    "here",
    "again",
]
PRODUCTS = [
    "tent",
    "jacket",
    "boots",
    "backpack",
    "stove",
    "lantern",
    "kayak",
    "paddle",
    "helmet",
    "gloves",
    "sleeping",
    "bag",
    "hammock",
    "trekking",
    "poles",
    "headlamp",
    "bottle",
    "filter",
    "shelter",
    "fleece",
    "app",
    "update",
    "store",
    "delivery",
    "order",
    "refund",
    "warranty",
    "support",
    "price",
    "sale",
]
ADJECTIVES = ["broken", "amazing", "waterproof", "late", "cheap", "expensive", "light", "heavy", "comfy", "leaky"]
LANGS = ["en"] * 8 + ["de", "fr", "es"]
SOURCES = ["bluesky", "mastodon", "reddit", "hackernews", "rss"]


def brand_names(rng: random.Random, n: int) -> list[str]:
    names: set[str] = set()
    while len(names) < n:
        names.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(names)


def make_query(rng: random.Random, brands: list[str]) -> str:
    b, b2 = rng.choice(brands), rng.choice(brands)
    p, p2 = rng.choice(PRODUCTS), rng.choice(PRODUCTS)
    adj = rng.choice(ADJECTIVES)
    shape = rng.randrange(10)
    if shape == 0:
        return f"{b} AND ({p} OR {p2}) NOT {adj}"
    if shape == 1:
        return f'"{b} {p}" OR "{b2} {p2}"'
    if shape == 2:
        return f"{b} NEAR/3 ({adj} OR {rng.choice(ADJECTIVES)})"
    if shape == 3:
        return f"{b} ONEAR/2 {p}"
    if shape == 4:
        return f"{b[:4]}* AND {p} AND lang:{rng.choice(LANGS)}"
    if shape == 5:
        return f"({b} OR {b2}) AND NOT source:{rng.choice(SOURCES)}"
    if shape == 6:
        return f"{b} {p} {adj}"
    if shape == 7:
        return f'"{b}" AND (site:{b2}.example OR author:{b})'
    if shape == 8:
        return f"{b} OR {b2} OR {rng.choice(brands)}"
    return f"({b} AND {p}) OR ({b2} NEAR/5 {adj})"


def make_post(rng: random.Random, brands: list[str], weights: list[float]) -> Post:
    words = [rng.choice(COMMON) for _ in range(rng.randint(6, 30))]
    for _ in range(rng.randint(0, 3)):
        mention = rng.choices(brands, weights)[0]
        extra = [mention, rng.choice(PRODUCTS)] if rng.random() < 0.6 else [mention]
        if rng.random() < 0.4:
            extra.append(rng.choice(ADJECTIVES))
        at = rng.randint(0, len(words))
        words[at:at] = extra
    text = " ".join(words).capitalize()
    if rng.random() < 0.3:
        text += f" #{rng.choice(PRODUCTS)}"
    if rng.random() < 0.2:
        text += f" https://{rng.choice(brands)}.example/p/{rng.randint(1, 999)}"
    if rng.random() < 0.2:
        text += " 🔥🙌"
    return Post(
        text=text,
        lang=rng.choice(LANGS),
        author=rng.choice(brands) if rng.random() < 0.05 else f"user{rng.randint(1, 50_000)}",
        site=f"{rng.choice(brands)}.example" if rng.random() < 0.2 else "",
        source=rng.choice(SOURCES),
    )


def pin() -> str:
    cores = sorted(os.sched_getaffinity(0))
    core = cores[1] if len(cores) > 1 else cores[0]
    os.sched_setaffinity(0, {core})
    return f"core {core}"


def main() -> None:
    where = pin()
    rng = random.Random(SEED)
    brands = brand_names(rng, 30_000)
    weights = [1 / (i + 1) ** 0.8 for i in range(len(brands))]
    posts = [make_post(rng, brands, weights) for _ in range(STREAM)]
    # Word statistics from an earlier sample of the stream (as the app learns them from stored posts).
    stats = KeyStats()
    for _ in range(2_000):
        stats.observe(make_post(rng, brands, weights))
    print(f"{STREAM:,} posts, pinned to {where}; brands drawn from {len(brands):,} names (Zipf)")
    results: dict[int, tuple[float, float, float]] = {}
    for size in SIZES:
        qrng = random.Random(SEED + size)
        texts = [make_query(qrng, brands) for _ in range(size)]
        t0 = CLOCK()
        parsed = [(i, parse(t)) for i, t in enumerate(texts)]
        matcher = Matcher(stats)
        for i, node in parsed:
            matcher.add(i, node)
        build = CLOCK() - t0
        t0 = CLOCK()
        matched = 0
        for post in posts:
            matched += len(matcher.match(post))
        elapsed = CLOCK() - t0
        fast = len(posts) / elapsed
        sample = posts[: max(10, 500_000 // size)]
        queries: list[tuple[int, Node]] = parsed
        t0 = CLOCK()
        reference = [brute_force(queries, post) for post in sample]
        slow = len(sample) / (CLOCK() - t0)
        agree = sum(1 for post, ref in zip(sample, reference, strict=True) if matcher.match(post) == ref) / len(sample)
        candidates = sum(len(matcher.candidates(prepare(p))) for p in posts[:2000]) / 2000
        results[size] = (fast, slow, agree)
        print(
            f"{size:>7,} queries: {fast:>9,.0f} posts/s indexed, {slow:>8,.1f} posts/s brute force "
            f"(ratio {fast / slow:,.0f}x), agreement {agree:.4f} on {len(sample)} posts, "
            f"{candidates:.1f} candidates/post, {matched / len(posts):.2f} matches/post, index built in {build:.1f} s"
        )
    agreement = min(r[2] for r in results.values())
    ratio10 = results[10_000][0] / results[10_000][1]
    rates = " ".join(f"q{n // 1000}k={results[n][0]:.0f}" for n in SIZES)
    print(f"BENCH matcher {rates} ratio10k={ratio10:.0f} agreement={agreement:.4f}{' quick=1' if QUICK else ''}")


if __name__ == "__main__":
    main()

"""Match posts against many stored queries by indexing the terms each query requires.

The Lucene Monitor / Elasticsearch percolator idea: for every query we compute a set of *anchor keys* such
that the query can only match a post that contains at least one of them (a word, a three-letter word start
for wildcards, or a field value). The index maps each key to the queries anchored on it. A post looks up its
own keys, and only those candidate queries are evaluated, so the cost follows the post's words, not the
number of queries.

``reference_match`` is the brute-force evaluator written independently of the compiled one: it is the
specification that the property tests and ``bench/matcher`` compare the matcher with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from groundswell.listening.query import And, Field, Near, Node, Not, Or, Phrase, Prefix, Term, parse
from groundswell.listening.text import normalise, site_keys, tokenize

PREFIX_KEY_LENGTH = 3  # the evaluator groups a post's words by their first three letters
#: A wildcard query is indexed under the first (up to) six letters of its stem; a post looks up the first
#: 3, 4, 5 and 6 letters of each of its words, so ``northw*`` is only a candidate for posts with a word
#: starting "northw", not for every word starting "nor".
PREFIX_INDEX_MAX = 6
#: Rough cost of anchoring on a key, used to pick the most selective side of an AND. Like Lucene Monitor's
#: default, longer words are taken to be rarer; word starts and field values are shared by many posts.
PREFIX_COST = 40
FIELD_COST = 400


@dataclass(frozen=True)
class Post:
    text: str
    lang: str = ""
    author: str = ""
    site: str = ""
    source: str = ""


@dataclass
class Prepared:
    """A post as the compiled queries read it."""

    tokens: list[str]
    positions: dict[str, list[int]]
    by_prefix: dict[str, list[str]]  # three-letter start -> distinct words starting with it
    fields: set[str]


def field_values(post: Post) -> set[str]:
    values = set()
    if post.lang:
        values.add(f"lang:{normalise(post.lang)}")
    if post.author:
        values.add(f"author:{normalise(post.author.lstrip('@'))}")
    if post.source:
        values.add(f"source:{normalise(post.source)}")
    for key in site_keys(post.site) if post.site else ():
        values.add(f"site:{key}")
    return values


def prepare(post: Post) -> Prepared:
    tokens = tokenize(post.text)
    positions: dict[str, list[int]] = {}
    for i, word in enumerate(tokens):
        positions.setdefault(word, []).append(i)
    by_prefix: dict[str, list[str]] = {}
    for word in positions:
        if len(word) >= PREFIX_KEY_LENGTH:
            by_prefix.setdefault(word[:PREFIX_KEY_LENGTH], []).append(word)
    return Prepared(tokens, positions, by_prefix, field_values(post))


# --- Anchors --------------------------------------------------------------------------------------


CostFn = Callable[[str], float]


def anchors(node: Node, cost: CostFn | None = None) -> frozenset[str] | None:
    """Keys of which a matching post must contain at least one; ``None`` if there is no such set.

    Where there is a choice (the sides of an AND or a NEAR), the cheapest set is taken: ``cost`` estimates
    how often a key occurs in posts (``KeyStats``); without it, longer words count as rarer.
    """
    cost = cost or _key_cost
    return _anchors(node, cost)


def _anchors(node: Node, cost: CostFn) -> frozenset[str] | None:
    if isinstance(node, Term):
        return frozenset({f"w:{node.word}"})
    if isinstance(node, Prefix):
        return frozenset({f"p:{node.stem[:PREFIX_INDEX_MAX]}"})
    if isinstance(node, Phrase):
        return frozenset({min((f"w:{w}" for w in node.words), key=cost)})
    if isinstance(node, Field):
        return frozenset({f"f:{node.name}:{node.value}"})
    if isinstance(node, Not):
        return None
    if isinstance(node, Near):
        options = [a for a in (_anchors(node.left, cost), _anchors(node.right, cost)) if a is not None]
        return min(options, key=lambda keys: sum(cost(k) for k in keys)) if options else None
    if isinstance(node, And):
        options = [a for a in (_anchors(c, cost) for c in node.children) if a is not None]
        return min(options, key=lambda keys: sum(cost(k) for k in keys)) if options else None
    union: set[str] = set()
    for child in node.children:
        a = _anchors(child, cost)
        if a is None:
            return None
        union |= a
    return frozenset(union)


def _key_cost(key: str) -> float:
    kind = key[0]
    if kind == "w":
        return 16 - min(len(key) - 2, 12)
    return PREFIX_COST if kind == "p" else FIELD_COST


class KeyStats:
    """How many of the posts seen so far contain each key (document frequency), to pick rare anchors.

    Feed it a sample of recent posts before adding queries; keys never seen cost almost nothing, keys in
    every post cost the most.
    """

    def __init__(self) -> None:
        self.posts = 0
        self.counts: dict[str, int] = defaultdict(int)

    def observe(self, post: Post) -> None:
        prepared = prepare(post)
        self.posts += 1
        counts = self.counts
        for word in prepared.positions:
            counts["w:" + word] += 1
            for k in range(PREFIX_KEY_LENGTH, min(PREFIX_INDEX_MAX, len(word)) + 1):
                counts["p:" + word[:k]] += 1
        for value in prepared.fields:
            counts["f:" + value] += 1

    def cost(self, key: str) -> float:
        if not self.posts:
            return _key_cost(key)
        # Smoothed frequency, with the length heuristic breaking ties among unseen keys.
        return (self.counts.get(key, 0) + 0.01 * _key_cost(key)) / self.posts


# --- Compiled evaluation --------------------------------------------------------------------------

Spans = list[tuple[int, int]]
Check = Callable[[Prepared], bool]
SpanFn = Callable[[Prepared], Spans]


def _spans_fn(node: Node) -> SpanFn:
    if isinstance(node, Term):
        word = node.word

        def term_spans(p: Prepared) -> Spans:
            return [(i, i) for i in p.positions.get(word, ())]

        return term_spans
    if isinstance(node, Prefix):
        stem, key = node.stem, node.stem[:PREFIX_KEY_LENGTH]

        def prefix_spans(p: Prepared) -> Spans:
            out: Spans = []
            for word in p.by_prefix.get(key, ()):
                if word.startswith(stem):
                    out.extend((i, i) for i in p.positions[word])
            return out

        return prefix_spans
    if isinstance(node, Phrase):
        words, n = node.words, len(node.words)

        def phrase_spans(p: Prepared) -> Spans:
            tokens = p.tokens
            return [(i, i + n - 1) for i in p.positions.get(words[0], ()) if tuple(tokens[i : i + n]) == words]

        return phrase_spans
    if isinstance(node, Or):
        parts = [_spans_fn(c) for c in node.children]

        def or_spans(p: Prepared) -> Spans:
            out: Spans = []
            for part in parts:
                out.extend(part(p))
            return out

        return or_spans
    raise TypeError(f"not positional: {node!r}")  # pragma: no cover - the parser refuses it


def compile_query(node: Node) -> Check:
    if isinstance(node, Term):
        word = node.word
        return lambda p: word in p.positions
    if isinstance(node, Prefix):
        stem, key = node.stem, node.stem[:PREFIX_KEY_LENGTH]
        return lambda p: any(w.startswith(stem) for w in p.by_prefix.get(key, ()))
    if isinstance(node, Phrase):
        spans = _spans_fn(node)
        first = node.words[0]
        return lambda p: first in p.positions and bool(spans(p))
    if isinstance(node, Field):
        value = f"{node.name}:{node.value}"
        return lambda p: value in p.fields
    if isinstance(node, Not):
        inner = compile_query(node.child)
        return lambda p: not inner(p)
    if isinstance(node, And):
        checks = [compile_query(c) for c in node.children]
        return lambda p: all(c(p) for c in checks)
    if isinstance(node, Or):
        checks = [compile_query(c) for c in node.children]
        return lambda p: any(c(p) for c in checks)
    left, right, distance, ordered = _spans_fn(node.left), _spans_fn(node.right), node.distance, node.ordered

    def near(p: Prepared) -> bool:
        a_spans = left(p)
        if not a_spans:
            return False
        b_spans = right(p)
        return any(_near(a, b, distance, ordered) for a in a_spans for b in b_spans)

    return near


def _near(a: tuple[int, int], b: tuple[int, int], distance: int, ordered: bool) -> bool:
    if a[1] < b[0]:
        return b[0] - a[1] - 1 <= distance
    if not ordered and b[1] < a[0]:
        return a[0] - b[1] - 1 <= distance
    return False


# --- The index ------------------------------------------------------------------------------------


class Matcher:
    """Stored queries by id, indexed by their anchor keys (one dictionary per kind of key)."""

    def __init__(self, stats: KeyStats | None = None) -> None:
        self.stats = stats
        self._words: dict[str, list[int]] = defaultdict(list)
        self._prefixes: dict[str, list[int]] = defaultdict(list)
        self._fields: dict[str, list[int]] = defaultdict(list)
        self._checks: dict[int, Check] = {}
        self._anchors: dict[int, frozenset[str]] = {}

    def __len__(self) -> int:
        return len(self._checks)

    def _table(self, key: str) -> dict[str, list[int]]:
        return {"w": self._words, "p": self._prefixes, "f": self._fields}[key[0]]

    def add(self, query_id: int, query: str | Node) -> None:
        node = parse(query) if isinstance(query, str) else query
        keys = anchors(node, self.stats.cost if self.stats else None)
        if keys is None:  # pragma: no cover - parse() refuses queries without anchors
            raise ValueError("query has no anchor terms")
        if query_id in self._checks:
            self.remove(query_id)
        self._checks[query_id] = compile_query(node)
        self._anchors[query_id] = keys
        for key in keys:
            self._table(key)[key[2:]].append(query_id)

    def remove(self, query_id: int) -> None:
        self._checks.pop(query_id, None)
        for key in self._anchors.pop(query_id, frozenset()):
            ids = self._table(key).get(key[2:])
            if ids and query_id in ids:
                ids.remove(query_id)

    def candidates(self, prepared: Prepared) -> set[int]:
        out: set[int] = set()
        words, prefixes, fields = self._words, self._prefixes, self._fields
        for word in prepared.positions:
            ids = words.get(word)
            if ids:
                out.update(ids)
            if prefixes:
                for k in range(PREFIX_KEY_LENGTH, min(PREFIX_INDEX_MAX, len(word)) + 1):
                    ids = prefixes.get(word[:k])
                    if ids:
                        out.update(ids)
        for value in prepared.fields:
            ids = fields.get(value)
            if ids:
                out.update(ids)
        return out

    def match(self, post: Post) -> list[int]:
        prepared = prepare(post)
        checks = self._checks
        return sorted(q for q in self.candidates(prepared) if checks[q](prepared))


# --- The reference: brute force, written independently --------------------------------------------


def reference_match(node: Node, post: Post) -> bool:
    """Evaluate ``node`` on ``post`` directly from its definition (slow, obviously right)."""
    tokens = tokenize(post.text)
    return _ref(node, tokens, post)


def _ref_spans(node: Node, tokens: list[str]) -> list[tuple[int, int]]:
    if isinstance(node, Term):
        return [(i, i) for i, t in enumerate(tokens) if t == node.word]
    if isinstance(node, Prefix):
        return [(i, i) for i, t in enumerate(tokens) if t.startswith(node.stem)]
    if isinstance(node, Phrase):
        n = len(node.words)
        return [(i, i + n - 1) for i in range(len(tokens) - n + 1) if tuple(tokens[i : i + n]) == node.words]
    if isinstance(node, Or):
        return [span for child in node.children for span in _ref_spans(child, tokens)]
    raise TypeError(node)  # pragma: no cover


def _ref(node: Node, tokens: list[str], post: Post) -> bool:
    if isinstance(node, Term | Prefix | Phrase):
        return bool(_ref_spans(node, tokens))
    if isinstance(node, Field):
        if node.name == "lang":
            return normalise(post.lang) == node.value
        if node.name == "author":
            return normalise(post.author.lstrip("@")) == node.value
        if node.name == "source":
            return normalise(post.source) == node.value
        host = post.site.lower().removeprefix("www.").strip(".")
        return host == node.value or host.endswith("." + node.value)
    if isinstance(node, Not):
        return not _ref(node.child, tokens, post)
    if isinstance(node, And):
        return all(_ref(c, tokens, post) for c in node.children)
    if isinstance(node, Or):
        return any(_ref(c, tokens, post) for c in node.children)
    for a in _ref_spans(node.left, tokens):
        for b in _ref_spans(node.right, tokens):
            if a[1] < b[0] and b[0] - a[1] - 1 <= node.distance:
                return True
            if not node.ordered and b[1] < a[0] and a[0] - b[1] - 1 <= node.distance:
                return True
    return False


def brute_force(queries: Iterable[tuple[int, Node]], post: Post) -> list[int]:
    return sorted(q for q, node in queries if reference_match(node, post))

"""The boolean query language of listening topics, and its parser.

Syntax (what listening professionals already know from Brandwatch, Talkwalker or Meltwater)::

    northwind AND (tent OR "sleeping bag") NOT recall
    "trail runner" NEAR/3 (review OR unboxing)        within 3 words, either order
    northwind ONEAR/2 outage                          "northwind" first, then "outage" within 2 words
    hik* AND lang:en AND NOT site:northwind.example   trailing wildcard (3+ letters before *), fields
    author:alex source:reddit

* Operators are upper case: ``AND``, ``OR``, ``NOT``, ``NEAR/n``, ``ONEAR/n``. Two terms side by side mean
  AND. Precedence, loosest first: OR, AND, NOT, NEAR/ONEAR; use parentheses to be explicit.
* Words are compared case- and accent-insensitively (``text.normalise``). A phrase in double quotes matches
  those words in that order, next to each other.
* ``NEAR/n``: at most ``n`` other words between the two sides. Sides of NEAR are words, wildcards,
  phrases, or OR-groups of those.
* Fields: ``lang:`` (language code), ``author:`` (handle, without @), ``site:`` (a host; matches its
  subdomains too), ``source:`` (rss, bluesky, mastodon, reddit, hackernews, csv).
* A query must look for at least one word or field (a query of only ``NOT …`` would match everything).

A query that does not parse raises :class:`QueryError` with the position (1-based character) and what was
expected there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from groundswell.listening.text import normalise, tokenize

FIELDS = ("lang", "author", "site", "source")
MIN_PREFIX = 3
MAX_NEAR = 50
MAX_QUERY_LENGTH = 4000
MAX_DEPTH = 40


class QueryError(ValueError):
    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at position {position})")
        self.message = message
        self.position = position


# --- The syntax tree ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    word: str


@dataclass(frozen=True)
class Prefix:
    stem: str


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]


@dataclass(frozen=True)
class Field:
    name: str
    value: str


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Near:
    left: Node
    right: Node
    distance: int
    ordered: bool


Node = Term | Prefix | Phrase | Field | Not | And | Or | Near
Positional = (Term, Prefix, Phrase)


def render(node: Node) -> str:
    """The query text of ``node`` (parse(render(n)) == n for every tree the parser makes)."""
    if isinstance(node, Term):
        return node.word
    if isinstance(node, Prefix):
        return f"{node.stem}*"
    if isinstance(node, Phrase):
        return '"' + " ".join(node.words) + '"'
    if isinstance(node, Field):
        return f"{node.name}:{node.value}"
    if isinstance(node, Not):
        return f"NOT {_wrap(node.child)}"
    if isinstance(node, And):
        return " AND ".join(_wrap(c) for c in node.children)
    if isinstance(node, Or):
        return " OR ".join(_wrap(c) for c in node.children)
    op = "ONEAR" if node.ordered else "NEAR"
    return f"{_wrap(node.left)} {op}/{node.distance} {_wrap(node.right)}"


def _wrap(node: Node) -> str:
    text = render(node)
    return f"({text})" if isinstance(node, And | Or | Near) else text


# --- Tokens ---------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<quote>")
  | (?P<near>(?:O?NEAR)/(?P<dist>\S*?)(?=[\s()"]|$))
  | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)
_KEYWORDS = {"AND", "OR", "NOT"}


@dataclass(frozen=True)
class Tok:
    kind: str  # lparen rparen phrase near and or not word
    text: str
    position: int  # 1-based
    distance: int = 0
    ordered: bool = False


def _lex(text: str) -> list[Tok]:
    tokens: list[Tok] = []
    i = 0
    while i < len(text):
        if text[i] == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise QueryError('This phrase has no closing "', i + 1)
            tokens.append(Tok("phrase", text[i + 1 : end], i + 1))
            i = end + 1
            continue
        m = _TOKEN.match(text, i)
        if m is None:  # pragma: no cover - the word alternative matches any non-space character
            raise QueryError("Unexpected character", i + 1)
        kind = m.lastgroup
        if kind == "dist":
            kind = "near"
        if kind == "near":
            raw = m.group("dist")
            if not raw.isdigit():
                raise QueryError(f"{m.group('near').split('/')[0]}/ needs a number of words, like NEAR/3", i + 1)
            distance = int(raw)
            if not 0 <= distance <= MAX_NEAR:
                raise QueryError(f"NEAR distances go from 0 to {MAX_NEAR} words", i + 1)
            tokens.append(Tok("near", m.group("near"), i + 1, distance, m.group("near").startswith("O")))
        elif kind == "word":
            word = m.group("word")
            kind = word.lower() if word in _KEYWORDS else "word"
            tokens.append(Tok(kind, word, i + 1))
        elif kind in ("lparen", "rparen"):
            tokens.append(Tok(kind, m.group(kind), i + 1))
        i = m.end()
    return tokens


# --- Parser ---------------------------------------------------------------------------------------


class _Parser:
    """Recursive descent: or := and (OR and)*; and := not ((AND)? not)*; not := NOT not | near;
    near := atom ((NEAR/n | ONEAR/n) atom)*; atom := word | phrase | field | ( or )."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _lex(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> Tok | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def end_position(self) -> int:
        return len(self.text) + 1

    def expect_operand(self, after: str) -> None:
        tok = self.peek()
        if tok is None:
            raise QueryError(f"Expected a word, phrase or ( after {after}, but the query ends", self.end_position())
        if tok.kind in ("and", "or", "rparen", "near"):
            raise QueryError(f"Expected a word, phrase or ( after {after}, found {tok.text}", tok.position)

    def parse(self) -> Node:
        if not self.tokens:
            raise QueryError("The query is empty: type the words to look for", 1)
        node = self.parse_or()
        tok = self.peek()
        if tok is not None:
            if tok.kind == "rparen":
                raise QueryError("This ) has no matching (", tok.position)
            raise QueryError(
                f"Expected AND, OR or the end of the query, found {tok.text}", tok.position
            )  # pragma: no cover
        return node

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.i += 1
            self.expect_operand("OR")
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self) -> Node:
        children = [self.parse_not()]
        while (tok := self.peek()) is not None and tok.kind in ("and", "not", "word", "phrase", "lparen"):
            if tok.kind == "and":
                self.i += 1
                self.expect_operand("AND")
            children.append(self.parse_not())
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_not(self) -> Node:
        tok = self.peek()
        if tok is not None and tok.kind == "not":
            self.i += 1
            self.expect_operand("NOT")
            return Not(self.parse_not())
        return self.parse_near()

    def parse_near(self) -> Node:
        left = self.parse_atom()
        while (tok := self.peek()) is not None and tok.kind == "near":
            self.i += 1
            self.expect_operand(tok.text)
            right_tok = self.peek()
            right = self.parse_atom()
            _check_positional(left, tok)
            _check_positional(right, right_tok or tok)
            left = Near(left, right, tok.distance, tok.ordered)
        return left

    def parse_atom(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise QueryError("Expected a word, phrase or (, but the query ends", self.end_position())
        if tok.kind == "lparen":
            self.i += 1
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QueryError(f"Parentheses nest more than {MAX_DEPTH} deep", tok.position)
            self.expect_operand("(")
            node = self.parse_or()
            close = self.peek()
            if close is None or close.kind != "rparen":
                where = close.position if close else self.end_position()
                raise QueryError(f"Expected ) to close the ( at position {tok.position}", where)
            self.i += 1
            self.depth -= 1
            return node
        if tok.kind == "phrase":
            self.i += 1
            words = tuple(tokenize(tok.text))
            if not words:
                raise QueryError("This phrase has no words in it", tok.position)
            return Term(words[0]) if len(words) == 1 else Phrase(words)
        if tok.kind == "word":
            self.i += 1
            return _word(tok)
        raise QueryError(f"Expected a word, phrase or (, found {tok.text}", tok.position)


def _word(tok: Tok) -> Node:
    raw = tok.text
    name, sep, value = raw.partition(":")
    if sep and name.lower() in FIELDS:
        value = value.strip()
        if not value:
            raise QueryError(
                f"{name}: needs a value, like {name}:{'en' if name == 'lang' else 'example'}", tok.position
            )
        if name.lower() == "site":
            value = value.lower().removeprefix("www.").strip(".")
        elif name.lower() == "author":
            value = normalise(value.lstrip("@"))
        else:
            value = normalise(value)
        if not value or any(c.isspace() for c in value):
            raise QueryError(f"{name}: needs a single value without spaces", tok.position)
        return Field(name.lower(), value)
    if sep and re.fullmatch(r"[A-Za-z]+", name):
        raise QueryError(f"Unknown field {name}: (use lang:, author:, site: or source:)", tok.position)
    if raw.endswith("*"):
        stem_words = tokenize(raw[:-1])
        if "*" in raw[:-1] or len(stem_words) != 1:
            raise QueryError("A wildcard goes at the end of one word, like hik*", tok.position)
        if len(stem_words[0]) < MIN_PREFIX:
            raise QueryError(f"A wildcard needs at least {MIN_PREFIX} letters before the *", tok.position)
        return Prefix(stem_words[0])
    if "*" in raw:
        raise QueryError("A wildcard goes at the end of a word, like hik*", tok.position)
    words = tokenize(raw)
    if not words:
        raise QueryError(f"Expected a word, found {raw}", tok.position)
    # "e-bike" or "co.op" are one query word but several post words: a phrase.
    return Term(words[0]) if len(words) == 1 else Phrase(tuple(words))


def _check_positional(node: Node, tok: Tok) -> None:
    ok = isinstance(node, Positional) or (
        isinstance(node, Or) and all(isinstance(c, Positional) for c in node.children)
    )
    if not ok:
        raise QueryError("Each side of NEAR must be a word, a wildcard, a phrase or an OR-group of those", tok.position)


def parse(text: str) -> Node:
    """Parse a query, or raise :class:`QueryError` saying where and what was expected."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"A query can be at most {MAX_QUERY_LENGTH} characters long", MAX_QUERY_LENGTH + 1)
    node = _Parser(text).parse()
    if not _looks_for_something(node):
        raise QueryError("A query must look for at least one word or field, not only exclude things", 1)
    return node


def _looks_for_something(node: Node) -> bool:
    """False when the query can match a post that contains none of its words or fields (pure negation)."""
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_looks_for_something(c) for c in node.children)
    if isinstance(node, Or):
        return all(_looks_for_something(c) for c in node.children)
    return True

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.listening.matcher import Matcher, Post, brute_force, reference_match
from groundswell.listening.query import (
    And,
    Field,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    QueryError,
    Term,
    parse,
    render,
)

# --- Parser ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "position", "fragment"),
    [
        ("", 1, "empty"),
        ("AND tent", 1, "found AND"),
        ("tent AND", 9, "after AND, but the query ends"),
        ("tent OR OR bag", 9, "after OR, found OR"),
        ("(tent OR bag", 13, "Expected ) to close the ( at position 1"),
        ("tent) bag", 5, "has no matching ("),
        ('tent "sleeping bag', 6, 'no closing "'),
        ("hi*", 1, "at least 3 letters"),
        ("h*ke", 1, "at the end of a word"),
        ("tent NEAR/x bag", 6, "needs a number"),
        ("tent NEAR/99 bag", 6, "from 0 to 50"),
        ("tent NEAR/2 (bag AND rain)", 13, "Each side of NEAR"),
        ("colour:red", 1, "Unknown field colour:"),
        ("site:", 1, "needs a value"),
        ("NOT tent", 1, "at least one word"),
        ("tent OR NOT bag", 1, "at least one word"),
        ("(tent", 6, "Expected ) to close"),
        ("()", 2, "after (, found )"),
    ],
)
def test_parse_errors_name_the_position_and_what_was_expected(query: str, position: int, fragment: str) -> None:
    with pytest.raises(QueryError) as info:
        parse(query)
    assert info.value.position == position, str(info.value)
    assert fragment in info.value.message


def test_the_syntax_professionals_know() -> None:
    assert parse('northwind AND (tent OR "sleeping bag") NOT recall') == And(
        (Term("northwind"), Or((Term("tent"), Phrase(("sleeping", "bag")))), Not(Term("recall")))
    )
    assert parse("Café ONEAR/2 outage") == Near(Term("cafe"), Term("outage"), 2, True)
    assert parse("hik* lang:EN site:www.Example.com author:@Alex source:reddit") == And(
        (
            Prefix("hik"),
            Field("lang", "en"),
            Field("site", "example.com"),
            Field("author", "alex"),
            Field("source", "reddit"),
        )
    )
    assert parse("a OR b AND c") == Or((Term("a"), And((Term("b"), Term("c")))))
    assert parse("e-bike") == Phrase(("e", "bike"))


def test_matching_is_case_and_accent_insensitive_and_phrases_are_exact() -> None:
    post = Post("Le CAFÉ du coin a rouvert, super café!", lang="fr", site="blog.example.com", source="rss")
    assert reference_match(parse("cafe AND lang:fr AND site:example.com"), post)
    assert reference_match(parse('"du coin"'), post)
    assert not reference_match(parse('"coin du"'), post)
    assert not reference_match(parse("site:other.example.com"), post)


def test_near_counts_the_words_between() -> None:
    post = Post("northwind tents are not waterproof")
    assert reference_match(parse("northwind NEAR/3 waterproof"), post)
    assert not reference_match(parse("northwind NEAR/2 waterproof"), post)
    assert reference_match(parse("waterproof NEAR/3 northwind"), post)
    assert not reference_match(parse("waterproof ONEAR/3 northwind"), post)
    assert reference_match(parse("tents NEAR/0 are"), post)
    assert not reference_match(parse("tents NEAR/5 tents"), post)  # needs two distinct words


# --- Matcher against the reference (property tests) -----------------------------------------------

WORDS = ["tent", "tents", "trail", "north", "northwind", "boots", "hike", "hiking", "hiker", "rain", "bag", "cafe"]
words = st.sampled_from(WORDS)
positional: st.SearchStrategy[Node] = st.one_of(
    words.map(Term),
    st.sampled_from(["ten", "hik", "nort", "trai", "boo"]).map(Prefix),
    st.lists(words, min_size=2, max_size=3).map(lambda ws: Phrase(tuple(ws))),
)
near_side = st.one_of(positional, st.lists(positional, min_size=2, max_size=3).map(lambda cs: Or(tuple(cs))))
leaf: st.SearchStrategy[Node] = st.one_of(
    positional,
    st.sampled_from(
        [("lang", "en"), ("lang", "de"), ("source", "reddit"), ("site", "example.com"), ("author", "ana")]
    ).map(lambda kv: Field(*kv)),
    st.builds(Near, near_side, near_side, st.integers(0, 4), st.booleans()),
)


def _trees(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    return st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda cs: And(tuple(cs))),
        st.lists(children, min_size=2, max_size=3).map(lambda cs: Or(tuple(cs))),
        children.map(Not),
    )


trees = st.recursive(leaf, _trees, max_leaves=8)
posts = st.builds(
    Post,
    st.lists(st.sampled_from([*WORDS, "the", "is", "Northwind!", "HIKING", "Café"]), max_size=14).map(" ".join),
    st.sampled_from(["", "en", "de"]),
    st.sampled_from(["", "ana", "@Ana", "bo"]),
    st.sampled_from(["", "example.com", "blog.example.com", "other.org"]),
    st.sampled_from(["", "reddit", "rss"]),
)


def _queryable(node: Node) -> bool:
    try:
        parse(render(node))
    except QueryError:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(st.lists(trees, min_size=1, max_size=12), st.lists(posts, min_size=1, max_size=8))
def test_the_index_gives_exactly_the_brute_force_answers(nodes: list[Node], sample: list[Post]) -> None:
    queries = [(i, node) for i, node in enumerate(nodes) if _queryable(node)]
    matcher = Matcher()
    for i, node in queries:
        matcher.add(i, render(node))  # through the parser, as a stored query would be
    parsed = [(i, parse(render(node))) for i, node in queries]
    for post in sample:
        assert matcher.match(post) == brute_force(parsed, post)


@settings(max_examples=300, deadline=None)
@given(trees)
def test_rendered_queries_parse_back_to_the_same_tree(node: Node) -> None:
    if _queryable(node):
        assert parse(render(node)) == node


def test_removing_a_query_removes_its_matches() -> None:
    matcher = Matcher()
    matcher.add(1, "tent")
    matcher.add(2, "tent AND rain")
    assert matcher.match(Post("tent in the rain")) == [1, 2]
    matcher.remove(1)
    assert matcher.match(Post("tent in the rain")) == [2]
    matcher.add(2, "boots")  # replacing a query re-indexes it
    assert matcher.match(Post("tent in the rain")) == []

"""Avatars: initials in a circle whose colour follows the member id, and a silhouette for anonymous rows."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from groundswell.core.templatetags.avatars import AVATAR_HUES, avatar_hue, initials


def render(source: str, **context: object) -> str:
    return Template("{% load avatars %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ana María López", "AL"),
        ("bob", "B"),
        ("Jean-Luc Picard", "JP"),
        ("  ", "?"),
        ("Émile Zola", "ÉZ"),
        ("(Contractor) Sam Lee", "SL"),
    ],
    ids=["three-words", "one-word", "hyphen", "blank", "accents", "punctuation"],
)
def test_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


def test_the_colour_follows_the_member_id_not_the_name() -> None:
    assert avatar_hue(42) == avatar_hue(42)
    assert {avatar_hue(n) for n in range(1, 60)} == set(range(AVATAR_HUES))  # every hue is used
    assert avatar_hue(1) != avatar_hue(2)  # neighbours differ
    a = render("{% avatar 7 'Bob Stone' %}")
    b = render("{% avatar 7 'Robert Stone' %}")
    assert f"avatar-h{avatar_hue(7)}" in a and f"avatar-h{avatar_hue(7)}" in b


def test_the_avatar_is_decorative_and_shows_initials() -> None:
    html = render("{% avatar 3 'Carol Danvers' size='lg' %}")
    assert 'class="avatar avatar-lg avatar-h' in html and 'aria-hidden="true"' in html and ">CD</span>" in html
    assert "avatar-md" in render("{% avatar 3 'Carol' size='huge' %}")  # an unknown size falls back


def test_an_anonymous_row_shows_neither_initials_nor_the_members_colour() -> None:
    html = render("{% avatar 3 'Carol Danvers' anonymous=True %}")
    assert "avatar-anon" in html and "CD" not in html and "avatar-h" not in html
    assert "<svg" in html  # a neutral silhouette


def test_names_are_escaped() -> None:
    assert "<" not in render("{% avatar 3 name %}", name="<script>").split(">", 1)[1].split("</span>")[0]

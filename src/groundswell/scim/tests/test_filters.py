"""The SCIM filter parser: the grammar of RFC 7644 §3.4.2.2, and a clear invalidFilter for everything else."""

from __future__ import annotations

import pytest

from groundswell.scim.errors import ScimError
from groundswell.scim.filters import And, Compare, Not, Or, Present, as_pk, normalise_attribute, parse_filter


def test_comparisons_and_values() -> None:
    assert parse_filter('userName eq "bjensen"') == Compare("username", "eq", "bjensen")
    assert parse_filter('title EQ "A \\"quoted\\" title"') == Compare("title", "eq", 'A "quoted" title')
    assert parse_filter("active eq true") == Compare("active", "eq", True)
    assert parse_filter("active ne False") == Compare("active", "ne", False)
    assert parse_filter("externalId eq null") == Compare("externalid", "eq", None)
    assert parse_filter("meta.version gt 2.5") == Compare("meta.version", "gt", 2.5)
    assert parse_filter("title pr") == Present("title")


def test_precedence_grouping_and_not() -> None:
    a, b, c = (Compare(n, "eq", "x") for n in ("a", "b", "c"))
    assert parse_filter('a eq "x" or b eq "x" and c eq "x"') == Or(a, And(b, c))
    assert parse_filter('(a eq "x" or b eq "x") and c eq "x"') == And(Or(a, b), c)
    assert parse_filter('not (a eq "x") and b eq "x"') == And(Not(a), b)


def test_value_paths_flatten_into_sub_attributes() -> None:
    assert parse_filter('emails[type eq "work"].value eq "a@b.c"') == And(
        Compare("emails.type", "eq", "work"), Compare("emails.value", "eq", "a@b.c")
    )
    assert parse_filter('emails[type eq "work" and value co "@b"]') == And(
        Compare("emails.type", "eq", "work"), Compare("emails.value", "co", "@b")
    )


def test_schema_urns_are_normalised() -> None:
    assert normalise_attribute("urn:ietf:params:scim:schemas:core:2.0:User:userName") == "username"
    assert normalise_attribute("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber") == (
        "enterprise:employeenumber"
    )
    assert parse_filter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "7"') == Compare(
        "enterprise:manager.value", "eq", "7"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("userName", "ends too early"),
        ('userName eq "a" extra', "Unexpected"),
        ('userName like "a"', "not an operator"),
        ('userName eq "a" and', "ends too early"),
        ('(userName eq "a"', "ends too early"),
        ('userName eq "unterminated', "Unexpected character"),
        ("userName eq bare", "Expected a value"),
        ('42 eq "a"', "attribute name"),
        ('emails[type eq "work"', "ends too early"),
        ('emails[type eq "a"][x eq "b"]', "Unexpected"),
        ('emails[value[x eq "a"] eq "b"]', "cannot contain another"),
        ("(" * 30 + 'a eq "b"' + ")" * 30, "nested too deeply"),
        ("a" * 3000, "longer than"),
        ('userName eq "a" ; drop', "Unexpected character"),
        ('userName eq "a\\u0000"', "control characters"),
    ],
)
def test_invalid_filters_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ScimError) as caught:
        parse_filter(text)
    assert caught.value.status == 400 and caught.value.scim_type == "invalidFilter"
    assert message in caught.value.detail


def test_ids() -> None:
    assert as_pk("12") == 12 and as_pk(" 7 ") == 7
    assert as_pk("abc") is None and as_pk("-1") is None and as_pk("1" * 19) is None and as_pk("²") is None

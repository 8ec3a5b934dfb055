"""SCIM filter expressions (RFC 7644 §3.4.2.2): a small parser, and a compiler to Django ``Q`` objects.

The parser knows the whole grammar (``and``, ``or``, ``not``, parentheses, ``pr``, value paths such as
``emails[type eq "work"].value``); the compiler knows only the attributes a resource maps to columns and
answers ``invalidFilter`` for the others, so an identity provider learns at once what it cannot ask.

Attribute names are case-insensitive and may carry their schema URN; both are normalised away by
:func:`normalise_attribute` (``urn:…:enterprise:2.0:User:employeeNumber`` → ``enterprise:employeenumber``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from groundswell.scim.errors import invalid_filter

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:user"
CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:group"
ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user"

COMPARISONS = {"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"}
MAX_FILTER_LENGTH = 2000
MAX_DEPTH = 20
_PK = re.compile(r"[0-9]{1,18}")
#: C0 control characters other than whitespace (PostgreSQL refuses NUL in text; none belongs in a directory).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalise_attribute(name: str) -> str:
    """Lower case, without the core schema URN; the enterprise extension becomes ``enterprise:``."""
    lowered = name.lower()
    for urn in (CORE_USER, CORE_GROUP):
        if lowered.startswith(urn + ":"):
            return lowered[len(urn) + 1 :]
    if lowered.startswith(ENTERPRISE_USER + ":"):
        return "enterprise:" + lowered[len(ENTERPRISE_USER) + 1 :]
    return lowered


# --- Syntax tree ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Compare:
    attribute: str  # normalised: "username", "emails.value", "enterprise:employeenumber"
    op: str  # one of COMPARISONS
    value: Any  # str, bool, int, float or None


@dataclass(frozen=True)
class Present:
    attribute: str


@dataclass(frozen=True)
class And:
    left: Node
    right: Node


@dataclass(frozen=True)
class Or:
    left: Node
    right: Node


@dataclass(frozen=True)
class Not:
    node: Node


Node = Compare | Present | And | Or | Not


# --- Tokens ---------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<punct>[()\[\]])
      | (?P<sub>\.[A-Za-z][\w$-]*)
      | (?P<word>[A-Za-z$_][\w:.$-]*|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str  # "string", "punct", "sub", "word"
    text: str
    position: int


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise invalid_filter(f"Unexpected character at position {position + 1} of the filter.")
        kind = match.lastgroup
        assert kind is not None
        out.append(_Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    return out


# --- Parser ---------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise invalid_filter("The filter ends too early: an attribute, operator or value is missing.")
        self.index += 1
        return token

    def is_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "word" and token.text.lower() in words

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise invalid_filter(f"Expected “{text}” at position {token.position + 1}, found “{token.text}”.")

    def parse(self) -> Node:
        node = self.expression("")
        token = self.peek()
        if token is not None:
            raise invalid_filter(f"Unexpected “{token.text}” at position {token.position + 1} of the filter.")
        return node

    def expression(self, prefix: str) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise invalid_filter("The filter is nested too deeply.")
        node = self.conjunction(prefix)
        while self.is_word("or"):
            self.take()
            node = Or(node, self.conjunction(prefix))
        self.depth -= 1
        return node

    def conjunction(self, prefix: str) -> Node:
        node = self.factor(prefix)
        while self.is_word("and"):
            self.take()
            node = And(node, self.factor(prefix))
        return node

    def factor(self, prefix: str) -> Node:
        if self.is_word("not"):
            self.take()
            self.expect("(")
            inner = self.expression(prefix)
            self.expect(")")
            return Not(inner)
        token = self.peek()
        if token is not None and token.text == "(":
            self.take()
            inner = self.expression(prefix)
            self.expect(")")
            return inner
        return self.comparison(prefix)

    def comparison(self, prefix: str) -> Node:
        token = self.take()
        if token.kind != "word" or token.text[0].isdigit() or token.text[0] == "-":
            raise invalid_filter(f"Expected an attribute name at position {token.position + 1}, found “{token.text}”.")
        attribute = prefix + normalise_attribute(token.text)
        after = self.peek()
        if after is not None and after.text == "[":
            if prefix:
                raise invalid_filter("A value filter cannot contain another one.")
            self.take()
            inner = self.expression(attribute + ".")
            self.expect("]")
            sub = self.peek()
            if sub is None or sub.kind != "sub":
                return inner
            self.take()
            return And(inner, self.comparison_rest(attribute + "." + sub.text[1:].lower()))
        return self.comparison_rest(attribute)

    def comparison_rest(self, attribute: str) -> Node:
        token = self.take()
        op = token.text.lower()
        if token.kind != "word" or (op not in COMPARISONS and op != "pr"):
            raise invalid_filter(
                f"“{token.text}” at position {token.position + 1} is not an operator "
                "(eq, ne, co, sw, ew, gt, ge, lt, le, pr)."
            )
        if op == "pr":
            return Present(attribute)
        return Compare(attribute, op, self.value())

    def value(self) -> Any:
        token = self.take()
        if token.kind == "string":
            try:
                text = json.loads(token.text)
            except ValueError:
                raise invalid_filter(f"The string at position {token.position + 1} is not valid.") from None
            if CONTROL.search(text):
                raise invalid_filter(f"The string at position {token.position + 1} contains control characters.")
            return text
        if token.kind == "word":
            lowered = token.text.lower()
            if lowered in ("true", "false"):
                return lowered == "true"
            if lowered == "null":
                return None
            try:
                return json.loads(token.text)
            except ValueError:
                pass
        raise invalid_filter(
            f"Expected a value at position {token.position + 1} (a quoted string, a number, true, false or null), "
            f"found “{token.text}”."
        )


def parse_filter(text: str) -> Node:
    """The syntax tree of a SCIM filter; ``invalidFilter`` for anything that is not one."""
    if len(text) > MAX_FILTER_LENGTH:
        raise invalid_filter(f"The filter is longer than {MAX_FILTER_LENGTH} characters.")
    if not text.strip():
        raise invalid_filter("The filter is empty.")
    return _Parser(text).parse()


# --- Compiler -------------------------------------------------------------------------------------

#: An attribute's translation: (operator, value) → Q. ``None`` as operator means "pr" (present).
Translate = Callable[[str | None, Any], Q]

_STRING_LOOKUPS = {
    "eq": "iexact",
    "co": "icontains",
    "sw": "istartswith",
    "ew": "iendswith",
    "gt": "gt",
    "ge": "gte",
    "lt": "lt",
    "le": "lte",
}
_EXACT_LOOKUPS = {**_STRING_LOOKUPS, "eq": "exact", "co": "contains", "sw": "startswith", "ew": "endswith"}

NOTHING = Q(pk__in=[])


def text_field(*paths: str, case_exact: bool = False) -> Translate:
    """A string attribute stored in one or more columns (any of them may match)."""
    lookups = _EXACT_LOOKUPS if case_exact else _STRING_LOOKUPS

    def present() -> Q:
        q = Q()
        for path in paths:
            q |= Q(**{f"{path}__gt": ""})
        return q

    def translate(op: str | None, value: Any) -> Q:
        q = Q()
        if op is None:
            return present()
        if value is None:  # "eq null" asks for the attribute to be absent
            if op not in ("eq", "ne"):
                raise invalid_filter("Compare with null using eq or ne only.")
            return ~present() if op == "eq" else present()
        if not isinstance(value, str):
            raise invalid_filter("Compare this attribute with a quoted string.")
        negate = op == "ne"
        lookup = lookups["eq" if negate else op]
        for path in paths:
            q |= Q(**{f"{path}__{lookup}": value})
        return ~q if negate else q

    return translate


def boolean_field(path: str) -> Translate:
    def translate(op: str | None, value: Any) -> Q:
        if op is None:
            return Q()
        if op not in ("eq", "ne") or not isinstance(value, bool):
            raise invalid_filter("Compare a boolean attribute with eq or ne and true or false.")
        return Q(**{path: value if op == "eq" else not value})

    return translate


def as_pk(value: str) -> int | None:
    """A SCIM id as a primary key, or None for one that cannot be ours (so lookups answer "not found")."""
    value = value.strip()
    return int(value) if _PK.fullmatch(value) else None


def id_field(path: str) -> Translate:
    def translate(op: str | None, value: Any) -> Q:
        if op is None:
            return Q()
        if op not in ("eq", "ne"):
            raise invalid_filter("Compare an id with eq or ne.")
        if not isinstance(value, str):
            raise invalid_filter("Compare an id with a quoted string.")
        pk = as_pk(value)
        q = Q(**{path: pk}) if pk is not None else NOTHING
        return ~q if op == "ne" else q

    return translate


def constant_field(constant: str) -> Translate:
    """An attribute with one value for every resource (``emails.type`` is always "work")."""

    def translate(op: str | None, value: Any) -> Q:
        if op is None:
            return Q()
        if op not in ("eq", "ne") or not isinstance(value, str):
            raise invalid_filter("Compare this attribute with eq or ne and a quoted string.")
        same = value.lower() == constant
        return Q() if same == (op == "eq") else NOTHING

    return translate


def compile_filter(node: Node, attributes: dict[str, Translate]) -> Q:
    """A ``Q`` for ``node`` over the columns that ``attributes`` (normalised name → translation) describe."""

    def translation(attribute: str) -> Translate:
        found = attributes.get(attribute)
        if found is None:
            names = ", ".join(sorted(a for a in attributes if ":" not in a))
            raise invalid_filter(f"Filtering on “{attribute}” is not supported. Supported attributes: {names}.")
        return found

    if isinstance(node, Compare):
        return translation(node.attribute)(node.op, node.value)
    if isinstance(node, Present):
        return translation(node.attribute)(None, None)
    if isinstance(node, And):
        return compile_filter(node.left, attributes) & compile_filter(node.right, attributes)
    if isinstance(node, Or):
        return compile_filter(node.left, attributes) | compile_filter(node.right, attributes)
    return ~compile_filter(node.node, attributes)

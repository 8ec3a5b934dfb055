"""Control characters in user input: found once here, refused at the edge (core/input_guard.py), in forms
and in CSV imports.

PostgreSQL cannot store NUL in text (``ValueError: A string literal cannot contain NUL``, a 500), and the
other C0 controls and DEL have no business in a name, a caption or a query. Tab, newline and carriage
return are allowed in bodies (a multi-line post), never in a query string.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

#: C0 controls and DEL, except tab, newline and carriage return.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Every C0 control and DEL (query strings, one-line values).
ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def first_control(value: str, *, allow_whitespace: bool = True) -> str | None:
    """The first control character in ``value`` as ``U+0000``, or None."""
    match = (CONTROL if allow_whitespace else ANY_CONTROL).search(value)
    return f"U+{ord(match.group()):04X}" if match else None


def control_message(where: str, code: str) -> str:
    return (
        f"{where} contains a control character ({code}), which Groundswell does not accept. "
        "Remove it (it often comes from copying text out of another program) and try again."
    )


@deconstructible
class NoControlCharactersValidator:
    """Form and model field validator: refuses control characters (tab, newline and CR are fine)."""

    code = "control_characters"

    def __call__(self, value: object) -> None:
        if isinstance(value, str):
            code = first_control(value)
            if code:
                raise ValidationError(control_message("This field", code), code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoControlCharactersValidator)

    def __hash__(self) -> int:
        return hash(self.code)


no_control_characters = NoControlCharactersValidator()

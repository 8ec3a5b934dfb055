"""Labels for the stored keys of an answer: ``{{ key|activity_label }}``, ``network_label``, ``language_label``."""

from __future__ import annotations

from django import template

from groundswell.enrolment.models import LANGUAGES, NETWORKS, Activity

register = template.Library()
_ACTIVITIES = dict(Activity.choices)


@register.filter
def activity_label(key: str) -> str:
    return str(_ACTIVITIES.get(key, key))


@register.filter
def network_label(key: str) -> str:
    return NETWORKS.get(key, key)


@register.filter
def language_label(key: str) -> str:
    return LANGUAGES.get(key, key)


@register.filter
def paragraphs(text: str) -> list[str]:
    """A plain-text message as paragraphs: blank lines separate them, single hard line breaks (an e-mail's
    72-column wrapping) are joined with a space so the text reflows to the screen."""
    blocks = (
        " ".join(line.strip() for line in block.splitlines()) for block in text.replace("\r\n", "\n").split("\n\n")
    )
    return [b.strip() for b in blocks if b.strip()]

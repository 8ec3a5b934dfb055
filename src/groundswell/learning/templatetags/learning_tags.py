from __future__ import annotations

from django import template

from groundswell.learning.queries import Score

register = template.Library()


@register.filter
def get_score(scores: dict[int, Score], lesson_id: int) -> Score | None:
    return scores.get(lesson_id)

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LessonDraft:
    """A lesson as typed by an admin (or shipped in the starter track), before it is checked and saved."""

    title: str
    body_markdown: str
    question: str = ""
    choices: tuple[str, ...] = ()
    correct_choice: int | None = None  # 0-based index into ``choices``
    explanation: str = ""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QuestionDraft:
    """One quiz question as typed by an admin (or shipped with a starter lesson)."""

    text: str
    choices: tuple[str, ...]
    correct_choice: int | None  # 0-based index into ``choices``
    explanation: str


@dataclass(frozen=True)
class LessonDraft:
    """A lesson as typed by an admin (or shipped in a starter track), before it is checked and saved."""

    title: str
    body_markdown: str
    questions: tuple[QuestionDraft, ...] = ()
    pass_percent: int = 100


@dataclass(frozen=True)
class TrackDraft:
    """A track's settings as typed by an admin (audience: no department and no role means everyone)."""

    title: str
    description: str = ""
    department_ids: tuple[int, ...] = ()
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class TipDraft:
    title: str
    text: str
    url: str = ""

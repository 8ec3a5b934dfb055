"""Every write of the stories feed: stories, images, reactions, comments, reports and moderation.

One transaction per action. The workspace's blocked words (the posting policy's list, ``networks.policy``) are
checked before anything is written: a refused story or comment is not stored, and the refusal is logged
(``ModerationEvent`` REFUSED, with the phrase, not the text).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from groundswell.content.models import Topic
from groundswell.lib.storage import rename_image_upload
from groundswell.networks.policy import find_blocked, get_policy
from groundswell.stories.models import (
    Audience,
    ModerationAction,
    ModerationEvent,
    Reaction,
    ReportReason,
    Story,
    StoryComment,
    StoryImage,
    StoryKind,
    StoryPrompt,
    StoryReaction,
    StoryReport,
    Visibility,
)
from groundswell.teams.models import Team
from groundswell.videos.actions import VideoRejected, create_video, erase_video
from groundswell.videos.models import Video
from groundswell.workspaces.models import Department, Membership

MAX_IMAGES = 4


class StoryError(Exception):
    """A write that cannot be made; the message is for the member."""


class StoryRefused(StoryError):
    """The text contains one of the workspace's blocked words or phrases."""

    def __init__(self, phrase: str) -> None:
        self.phrase = phrase
        super().__init__(
            f"“{phrase}” is on your workspace's list of blocked words, so this cannot be posted. "
            "Rephrase it and try again."
        )


@dataclass
class NewImage:
    upload: UploadedFile[bytes]
    alt_text: str


@dataclass
class StoryData:
    title: str
    body_markdown: str = ""
    kind: str = StoryKind.STORY
    audience: str = Audience.EVERYONE
    department: Department | None = None
    team: Team | None = None
    topics: Sequence[Topic] = ()
    new_images: Sequence[NewImage] = ()
    remove_image_ids: Sequence[int] = ()
    #: New descriptions of images already posted (image id → text).
    alt_texts: Mapping[int, str] = field(default_factory=dict)
    video_upload: UploadedFile[bytes] | None = None
    remove_video: bool = False
    #: The call for stories it answers (a new story only), and the author's consent to share it outside.
    prompt: StoryPrompt | None = None
    share_consent: bool = False


def _log(
    member: Membership | None,
    action: str,
    *,
    workspace_id: int,
    story: Story | None = None,
    comment: StoryComment | None = None,
    reason: str = "",
) -> ModerationEvent:
    return ModerationEvent.objects.create(
        workspace_id=workspace_id, actor=member, story=story, comment=comment, action=action, reason=reason[:300]
    )


def check_blocked(member: Membership, *texts: str, what: str) -> None:
    """Raise :class:`StoryRefused` (and log the refusal, without the text) if any text has a blocked phrase."""
    policy = get_policy(member.workspace)
    for text in texts:
        phrase = find_blocked(text, policy)
        if phrase is not None:
            _log(member, ModerationAction.REFUSED, workspace_id=member.workspace_id, reason=f"{what}: “{phrase}”")
            raise StoryRefused(phrase)


def _check_audience(member: Membership, data: StoryData) -> tuple[Department | None, Team | None]:
    """The department or team the story is for, checked against the author (a team: one they serve on)."""
    from groundswell.stories.queries import teams_for_author

    if data.audience == Audience.DEPARTMENT:
        if data.department is None or data.department.workspace_id != member.workspace_id:
            raise StoryError("Choose the department the story is for.")
        return data.department, None
    if data.audience == Audience.TEAM:
        if data.team is None or not teams_for_author(member).filter(pk=data.team.pk).exists():
            raise StoryError("Choose one of the teams you serve on.")
        return None, data.team
    if data.audience != Audience.EVERYONE:
        raise StoryError("Choose who the story is for.")
    return None, None


def _create_video(member: Membership, upload: UploadedFile[bytes], title: str) -> Video:
    """The videos app's ``create_video``; its ``VideoRejected`` (wrong type, too long, corrupt) becomes a
    StoryError with the same message."""
    try:
        return create_video(member=member, upload=upload, title=title)
    except VideoRejected as exc:
        raise StoryError(str(exc)) from exc


def _apply(story: Story, member: Membership, data: StoryData) -> None:
    """Images removed, described and added (at most MAX_IMAGES in all), and the topics, of a saved story."""
    removing = set(data.remove_image_ids)
    images = list(story.images.all())
    keep = [i for i in images if i.pk not in removing]
    if len(keep) + len(data.new_images) > MAX_IMAGES:
        raise StoryError(f"A story has at most {MAX_IMAGES} images.")
    removed = [i for i in images if i.pk in removing]
    if removed:
        StoryImage.objects.filter(pk__in=[i.pk for i in removed]).delete()
        files = [i.image for i in removed]
        transaction.on_commit(lambda: [f.delete(save=False) for f in files])
    for image in keep:
        text = data.alt_texts.get(image.pk)
        if text is not None and text != image.alt_text:
            image.alt_text = text[:300]
            image.save(update_fields=["alt_text"])
    start = max((i.position for i in keep), default=-1) + 1
    for offset, new in enumerate(data.new_images):
        StoryImage.objects.create(
            story=story, image=rename_image_upload(new.upload), alt_text=new.alt_text.strip(), position=start + offset
        )
    story.topics.set([t for t in data.topics if t.workspace_id == story.workspace_id])


def create_story(*, member: Membership, data: StoryData) -> Story:
    check_blocked(member, data.title, data.body_markdown, *(i.alt_text for i in data.new_images), what="A story")
    department, team = _check_audience(member, data)
    with transaction.atomic():
        video = _create_video(member, data.video_upload, data.title) if data.video_upload else None
        story = Story.objects.create(
            workspace_id=member.workspace_id,
            author=member,
            title=data.title.strip(),
            body_markdown=data.body_markdown,
            kind=data.kind,
            audience=data.audience,
            department=department,
            team=team,
            video=video,
            prompt=data.prompt if data.prompt and data.prompt.workspace_id == member.workspace_id else None,
            share_consent=data.share_consent,
            share_consent_at=timezone.now() if data.share_consent else None,
        )
        _apply(story, member, data)
    return story


def edit_story(*, member: Membership, story: Story, data: StoryData) -> Story:
    """The author edits their story (admins hide or delete, they do not rewrite colleagues' words)."""
    if story.author_id != member.pk:
        raise StoryError("Only the author can edit a story.")
    check_blocked(
        member,
        data.title,
        data.body_markdown,
        *(i.alt_text for i in data.new_images),
        *data.alt_texts.values(),
        what="A story",
    )
    department, team = _check_audience(member, data)
    with transaction.atomic():
        story = Story.objects.select_for_update().get(pk=story.pk)
        old_video = story.video
        if data.video_upload:
            story.video = _create_video(member, data.video_upload, data.title)
        elif data.remove_video:
            story.video = None
        story.title = data.title.strip()
        story.body_markdown = data.body_markdown
        story.kind = data.kind
        story.audience = data.audience
        story.department = department
        story.team = team
        story.edited_at = timezone.now()
        story.save(
            update_fields=[
                "title", "body_markdown", "kind", "audience", "department", "team", "video", "edited_at"
            ]
        )  # fmt: skip
        if old_video is not None and old_video.pk != story.video_id:
            _drop_unused_video(old_video)
        _apply(story, member, data)
    return story


def delete_story(*, member: Membership, story: Story, reason: str = "") -> None:
    """The author deletes their story, or an admin deletes anyone's (logged). Images' files go too."""
    if story.author_id != member.pk and not member.is_admin:
        raise StoryError("Only the author or an admin can delete a story.")
    files = [i.image for i in story.images.all()]
    with transaction.atomic():
        if story.author_id != member.pk:
            _log(
                member,
                ModerationAction.DELETED,
                workspace_id=story.workspace_id,
                story=story,
                reason=f"“{story.title}” by {story.author.display_name}" + (f": {reason}" if reason else ""),
            )
        video = story.video
        story.delete()
        _drop_unused_video(video)
        transaction.on_commit(lambda: [f.delete(save=False) for f in files])


def _drop_unused_video(video: Video | None) -> None:
    """A video that left its story (deleted, replaced, removed) goes too, unless another story or an item
    shows it: left behind, it would be no story's and so visible to every member (the audience rule is the
    story's)."""
    if video is None or video.items.exists() or Story.objects.filter(video=video).exists():
        return
    erase_video(video)


def toggle_reaction(*, member: Membership, story: Story, reaction: str) -> str:
    """One reaction per member and story: the same one again takes it back, another replaces it.
    Returns the member's reaction now ("" for none)."""
    if reaction not in Reaction.values:
        raise StoryError("Choose one of the reactions.")
    with transaction.atomic():
        existing = StoryReaction.objects.select_for_update().filter(story=story, member=member)
        had = {r.reaction for r in existing}
        existing.delete()
        if reaction in had:
            return ""
        StoryReaction.objects.create(workspace_id=story.workspace_id, story=story, member=member, reaction=reaction)
    return reaction


def add_comment(*, member: Membership, story: Story, body: str) -> StoryComment:
    body = body.strip()
    if not body:
        raise StoryError("Write something first.")
    check_blocked(member, body, what="A comment")
    with transaction.atomic():
        return StoryComment.objects.create(workspace_id=story.workspace_id, story=story, author=member, body=body)


def edit_comment(*, member: Membership, comment: StoryComment, body: str) -> StoryComment:
    if comment.author_id != member.pk:
        raise StoryError("Only the author can edit a comment.")
    body = body.strip()
    if not body:
        raise StoryError("Write something first.")
    check_blocked(member, body, what="A comment")
    with transaction.atomic():
        comment.body = body
        comment.edited_at = timezone.now()
        comment.save(update_fields=["body", "edited_at"])
    return comment


def delete_comment(*, member: Membership, comment: StoryComment) -> None:
    if comment.author_id != member.pk and not member.is_admin:
        raise StoryError("Only the author or an admin can delete a comment.")
    with transaction.atomic():
        if comment.author_id != member.pk:
            _log(
                member,
                ModerationAction.DELETED,
                workspace_id=comment.workspace_id,
                story=comment.story,
                reason=f"A comment by {comment.author.display_name}",
            )
        comment.delete()


# --- Reports and moderation ------------------------------------------------------------------------------


def report(
    *, member: Membership, story: Story, comment: StoryComment | None = None, reason: str, note: str = ""
) -> StoryReport:
    """``member`` reports a story or one of its comments, once each."""
    if reason not in ReportReason.values:
        raise StoryError("Choose a reason.")
    if comment is not None and comment.story_id != story.pk:
        raise StoryError("That comment is not on this story.")
    with transaction.atomic():
        Story.objects.select_for_update().filter(pk=story.pk).first()  # one report per member: serialise per story
        if StoryReport.objects.filter(reporter=member, story=story, comment=comment).exists():
            raise StoryError("You have already reported this. A moderator will look at it.")
        filed = StoryReport.objects.create(
            workspace_id=story.workspace_id,
            story=story,
            comment=comment,
            reporter=member,
            reason=reason,
            note=note.strip()[:500],
        )
        _log(
            member,
            ModerationAction.REPORTED,
            workspace_id=story.workspace_id,
            story=story,
            comment=comment,
            reason=ReportReason(reason).label,
        )
    return filed


def _resolve_reports(admin: Membership, story: Story, comment: StoryComment | None, resolution: str) -> int:
    return StoryReport.objects.filter(story=story, comment=comment, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=admin, resolution=resolution[:300]
    )


def _require_admin(member: Membership) -> None:
    if not member.is_admin:
        raise StoryError("Only admins moderate stories.")


def hide(*, admin: Membership, story: Story, comment: StoryComment | None = None, reason: str) -> None:
    """Hide a story or a comment from everyone but its author and admins; open reports on it are resolved."""
    _require_admin(admin)
    reason = reason.strip()
    if not reason:
        raise StoryError("Say why it is hidden: the author sees the reason.")
    target: Story | StoryComment = comment if comment is not None else story
    with transaction.atomic():
        target.visibility = Visibility.HIDDEN
        target.hidden_reason = reason[:300]
        target.hidden_by = admin
        target.hidden_at = timezone.now()
        target.save(update_fields=["visibility", "hidden_reason", "hidden_by", "hidden_at"])
        _resolve_reports(admin, story, comment, f"Hidden: {reason}")
        _log(
            admin, ModerationAction.HIDDEN, workspace_id=story.workspace_id, story=story, comment=comment, reason=reason
        )


def restore(*, admin: Membership, story: Story, comment: StoryComment | None = None) -> None:
    _require_admin(admin)
    target: Story | StoryComment = comment if comment is not None else story
    with transaction.atomic():
        target.visibility = Visibility.PUBLISHED
        target.hidden_reason = ""
        target.hidden_by = None
        target.hidden_at = None
        target.save(update_fields=["visibility", "hidden_reason", "hidden_by", "hidden_at"])
        _log(admin, ModerationAction.RESTORED, workspace_id=story.workspace_id, story=story, comment=comment)


def dismiss(*, admin: Membership, report: StoryReport, note: str = "") -> None:
    """Close the open reports on the same story or comment without hiding it."""
    _require_admin(admin)
    with transaction.atomic():
        _resolve_reports(admin, report.story, report.comment, f"Dismissed{': ' + note.strip() if note.strip() else ''}")
        _log(
            admin,
            ModerationAction.DISMISSED,
            workspace_id=report.workspace_id,
            story=report.story,
            comment=report.comment,
            reason=note.strip(),
        )

"""The harvesting write layer (stories/harvest.py): prompts and their audience, consent, story → item with
credit and story points once, the deadline reminder, the digest section and the home panel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from groundswell.content.models import Item, ItemKind, ItemState, Topic
from groundswell.lib.periods import local_day
from groundswell.rewards.models import Action, PointsEntry
from groundswell.stories import harvest
from groundswell.stories.harvest import HarvestError, PromptData
from groundswell.stories.models import Audience, ModerationAction, ModerationEvent, Story, StoryPrompt, Visibility
from groundswell.stories.tests.conftest_harvest import *  # noqa: F403  (the fixtures)
from groundswell.stories.tests.conftest_harvest import harvest_data
from groundswell.teams.models import Seat, Team
from groundswell.workspaces.models import Department, Membership, Workspace

pytestmark = pytest.mark.django_db


def ws_today(ws: Workspace) -> dt.date:
    return local_day(timezone.now(), ws.timezone)


# --- Prompts ---------------------------------------------------------------------------------------


def test_admin_creates_edits_and_closes_a_prompt(alice: Membership, prompt: StoryPrompt) -> None:
    assert prompt.created_by == alice and harvest.is_open(prompt, ws_today(alice.workspace))
    data = PromptData(title="  A win  ", body_markdown="x", deadline=prompt.deadline + dt.timedelta(days=3))
    harvest.update_prompt(member=alice, prompt=prompt, data=data)
    prompt.refresh_from_db()
    assert (prompt.title, prompt.deadline.toordinal() - ws_today(alice.workspace).toordinal()) == ("A win", 13)
    harvest.close_prompt(member=alice, prompt=prompt)
    prompt.refresh_from_db()
    assert prompt.closed_at is not None and not harvest.is_open(prompt, ws_today(alice.workspace))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": " "}, "title"),
        ({"deadline": dt.date(2020, 1, 1)}, "past"),
        ({"audience": Audience.DEPARTMENT}, "department"),
        ({"audience": Audience.TEAM}, "team"),
        ({"kind": "poem"}, "kind"),
    ],
)
def test_prompt_input_is_checked(alice: Membership, change: dict[str, Any], message: str) -> None:
    values: dict[str, Any] = {"title": "T", "body_markdown": "", "deadline": ws_today(alice.workspace)}
    values.update(change)
    with pytest.raises(HarvestError, match=message):
        harvest.create_prompt(member=alice, data=PromptData(**values))
    assert not StoryPrompt.objects.exists()


def test_employees_cannot_create_prompts(bob: Membership) -> None:
    with pytest.raises(HarvestError, match="admins"):
        harvest.create_prompt(
            member=bob, data=PromptData(title="T", body_markdown="", deadline=ws_today(bob.workspace))
        )


def test_prompt_audience_department_and_team(
    alice: Membership, bob: Membership, carol: Membership, sales: Department, workspace: Workspace
) -> None:
    from groundswell.conftest import make_member

    dave = make_member(workspace, "dave@acme.test")  # no department, no team
    team = Team.objects.create(workspace=workspace, name="Ambassadors", term_start=ws_today(workspace),
                               term_end=ws_today(workspace) + dt.timedelta(days=90))  # fmt: skip
    Seat.objects.create(team=team, member=dave, served_from=ws_today(workspace))
    Seat.objects.create(
        team=team,
        member=carol,
        served_from=ws_today(workspace) - dt.timedelta(days=9),
        served_until=ws_today(workspace),
    )  # fmt: skip  (carol left the team)
    deadline = ws_today(workspace) + dt.timedelta(days=5)
    for_sales = harvest.create_prompt(
        member=alice,
        data=PromptData(title="Sales", body_markdown="", deadline=deadline, audience="department", department=sales),
    )
    for_team = harvest.create_prompt(
        member=alice, data=PromptData(title="Team", body_markdown="", deadline=deadline, audience="team", team=team)
    )
    everyone = harvest.create_prompt(member=alice, data=PromptData(title="All", body_markdown="", deadline=deadline))

    def visible(m: Membership) -> set[str]:
        qs = harvest.for_audience_of(m, harvest.open_prompts(workspace.pk, ws_today(workspace)))
        return set(qs.values_list("title", flat=True))

    assert visible(bob) == {"Sales", "All"}
    assert visible(carol) == {"Sales", "All"}
    assert visible(dave) == {"Team", "All"}
    assert visible(alice) == {"Sales", "Team", "All"}
    assert set(harvest.audience_members(for_sales)) == {bob, carol}
    assert set(harvest.audience_members(for_team)) == {dave}
    assert harvest.audience_members(everyone).count() == 4
    with pytest.raises(HarvestError):
        harvest.answer_prompt(member=dave, prompt=for_sales, title="t", body_markdown="b")


def test_a_department_of_another_workspace_is_refused(alice: Membership, other_workspace: Workspace) -> None:
    theirs = Department.objects.create(workspace=other_workspace, name="Globex sales")
    data = PromptData(
        title="T", body_markdown="", deadline=ws_today(alice.workspace), audience="department", department=theirs
    )
    with pytest.raises(HarvestError, match="department"):
        harvest.create_prompt(member=alice, data=data)


def test_closed_prompt_takes_no_stories(alice: Membership, bob: Membership, prompt: StoryPrompt) -> None:
    harvest.close_prompt(member=alice, prompt=prompt)
    with pytest.raises(HarvestError, match="closed"):
        harvest.answer_prompt(member=bob, prompt=prompt, title="t", body_markdown="b")


def test_participation_counts_who_answered(
    prompt: StoryPrompt, consenting_story: Story, private_story: Story, bob: Membership
) -> None:
    harvest.answer_prompt(member=bob, prompt=prompt, title="Second", body_markdown="again")
    counts = harvest.participation(prompt)
    assert (counts.answered, counts.stories, counts.audience) == (2, 3, 3)  # alice, bob, carol in the workspace
    assert {s.author for s in harvest.answers(prompt)} == {bob, private_story.author}


# --- Consent ---------------------------------------------------------------------------------------


def test_author_gives_and_withdraws_consent(bob: Membership, private_story: Story, carol: Membership) -> None:
    harvest.set_share_consent(carol, private_story, True)
    private_story.refresh_from_db()
    assert private_story.share_consent and private_story.share_consent_at is not None
    harvest.set_share_consent(carol, private_story, False)
    private_story.refresh_from_db()
    assert not private_story.share_consent
    with pytest.raises(HarvestError, match="Only the author"):
        harvest.set_share_consent(bob, private_story, True)
    private_story.refresh_from_db()
    assert not private_story.share_consent


def test_consent_cannot_be_withdrawn_after_harvest(alice: Membership, bob: Membership, consenting_story: Story) -> None:
    harvest.harvest_story(member=alice, story=consenting_story, data=harvest_data())
    with pytest.raises(HarvestError, match="already been shared"):
        harvest.set_share_consent(bob, consenting_story, False)
    consenting_story.refresh_from_db()
    assert consenting_story.share_consent


# --- Harvest ---------------------------------------------------------------------------------------


def test_harvest_makes_a_credited_item_and_awards_points_once(
    alice: Membership,
    bob: Membership,
    consenting_story: Story,
    workspace: Workspace,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    topic = Topic.objects.create(workspace=workspace, name="Launches", slug="launches")
    with django_capture_on_commit_callbacks(execute=True):
        item = harvest.harvest_story(
            member=alice, story=consenting_story, data=harvest_data(topics=[topic], publish=True)
        )
    item.refresh_from_db()
    consenting_story.refresh_from_db()
    assert consenting_story.item == item
    assert (item.kind, item.state, item.submitted_by, item.created_by) == (
        ItemKind.TEXT, ItemState.PUBLISHED, bob, alice,
    )  # fmt: skip
    assert item.description == f"Story by {bob.display_name} · A launch saved by hand"
    assert list(item.topics.all()) == [topic]
    assert [c.text for c in item.captions.all()] == ["Proud of this team"]
    entry = PointsEntry.objects.get(key=f"story:{consenting_story.pk}")
    assert (entry.member, entry.action, entry.points) == (bob, Action.SUBMISSION_APPROVED, 25)
    event = ModerationEvent.objects.get(story=consenting_story)
    assert (event.action, event.actor) == (ModerationAction.HARVESTED, alice)
    assert [m.subject for m in mail.outbox] == ["Your story is now shared outside"]
    assert mail.outbox[0].to == [bob.user.email]

    # A second attempt (double click, retry) is refused and awards nothing more.
    with pytest.raises(HarvestError, match="already"):
        harvest.harvest_story(member=alice, story=consenting_story, data=harvest_data())
    assert PointsEntry.objects.filter(member=bob).count() == 1
    assert Item.objects.count() == 1


def test_points_key_is_idempotent_even_if_the_item_link_is_lost(
    alice: Membership, bob: Membership, consenting_story: Story
) -> None:
    """A retry after the story lost its item (the item deleted: Story.item is SET_NULL) makes a new item but
    pays the author nothing more: the ledger key is the story's."""
    first = harvest.harvest_story(member=alice, story=consenting_story, data=harvest_data())
    first.delete()
    consenting_story.refresh_from_db()
    assert consenting_story.item_id is None
    harvest.harvest_story(member=alice, story=consenting_story, data=harvest_data())
    assert sum(PointsEntry.objects.filter(member=bob).values_list("points", flat=True)) == 25


def test_draft_harvest(alice: Membership, consenting_story: Story) -> None:
    item = harvest.harvest_story(member=alice, story=consenting_story, data=harvest_data(publish=False))
    assert item.state == ItemState.DRAFT and item.published_at is None


def test_harvest_without_consent_is_refused(alice: Membership, private_story: Story) -> None:
    assert not harvest.can_harvest(private_story)
    with pytest.raises(HarvestError, match="not agreed"):
        harvest.harvest_story(member=alice, story=private_story, data=harvest_data())
    assert not Item.objects.exists() and not PointsEntry.objects.filter(key__startswith="story:").exists()


def test_hidden_story_cannot_be_harvested(alice: Membership, consenting_story: Story) -> None:
    Story.objects.filter(pk=consenting_story.pk).update(visibility=Visibility.HIDDEN)
    consenting_story.refresh_from_db()
    assert not harvest.can_harvest(consenting_story)
    with pytest.raises(HarvestError, match="hidden"):
        harvest.harvest_story(member=alice, story=consenting_story, data=harvest_data())


def test_employees_and_other_workspaces_cannot_harvest(
    bob: Membership, charlie: Membership, consenting_story: Story
) -> None:
    for who in (bob, charlie):
        with pytest.raises(HarvestError):
            harvest.harvest_story(member=who, story=consenting_story, data=harvest_data())
    assert not Item.objects.exists()


def test_story_with_a_video_becomes_a_video_item(
    alice: Membership, bob: Membership, consenting_story: Story, workspace: Workspace
) -> None:
    from groundswell.videos.models import Video

    video = Video.objects.create(workspace=workspace, uploaded_by=bob, title="Lisbon", state="ready")
    Story.objects.filter(pk=consenting_story.pk).update(video=video)
    consenting_story.refresh_from_db()
    item = harvest.harvest_story(member=alice, story=consenting_story, data=harvest_data())
    item.refresh_from_db()
    assert (item.kind, item.video) == (ItemKind.VIDEO, video)


def test_harvested_item_shares_with_a_tracked_link_counted_to_the_member(
    alice: Membership, bob: Membership, carol: Membership, consenting_story: Story, client: Any
) -> None:
    from groundswell.links.ingest import ClickEvent, write_clicks
    from groundswell.sharing.actions import create_share

    item = harvest.harvest_story(member=alice, story=consenting_story, data=harvest_data())
    share = create_share(member=carol, item=item, network="linkedin", caption="Read this")
    assert share.code and share.item == item
    assert write_clicks([ClickEvent.new(code=share.code, clicked_at=timezone.now(), visitor_hash="v1")]) == 1
    share.refresh_from_db()
    assert (share.member, share.human_clicks, share.unique_clicks) == (carol, 1, 1)
    page = client.get(f"/p/{share.code}")  # the public page of a text item, where the short link lands
    assert page.status_code == 200
    assert f"Story by {bob.display_name}" in page.content.decode()


# --- Reminder, digest, home panel ------------------------------------------------------------------


def _prompt_due_in(alice: Membership, days: int, **extra: Any) -> StoryPrompt:
    data = PromptData(
        title=f"Due in {days}", body_markdown="", deadline=ws_today(alice.workspace) + dt.timedelta(days=days), **extra
    )
    return harvest.create_prompt(member=alice, data=data)


def test_reminder_once_two_days_before_to_those_who_did_not_answer(
    alice: Membership,
    bob: Membership,
    carol: Membership,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    soon = _prompt_due_in(alice, 2)
    later = _prompt_due_in(alice, 5)
    harvest.answer_prompt(member=bob, prompt=soon, title="Mine", body_markdown="Done")
    with django_capture_on_commit_callbacks(execute=True):
        assert harvest.send_deadline_reminders() == 1
    assert sorted(to for m in mail.outbox for to in m.to) == sorted([alice.user.email, carol.user.email])
    assert all("Due in 2" in m.subject for m in mail.outbox)
    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.reminded_at is not None and later.reminded_at is None
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert harvest.send_deadline_reminders() == 0  # claimed: never twice
    assert mail.outbox == []


def test_no_reminder_for_a_closed_prompt(alice: Membership) -> None:
    soon = _prompt_due_in(alice, 1)
    harvest.close_prompt(member=alice, prompt=soon)
    assert harvest.send_deadline_reminders() == 0


def test_moving_the_deadline_rearms_the_reminder(alice: Membership) -> None:
    soon = _prompt_due_in(alice, 2)
    assert harvest.send_deadline_reminders() == 1
    data = PromptData(title=soon.title, body_markdown="", deadline=soon.deadline + dt.timedelta(days=7))
    harvest.update_prompt(member=alice, prompt=soon, data=data)
    soon.refresh_from_db()
    assert soon.reminded_at is None


def test_reminder_periodic_job_is_registered() -> None:
    from groundswell.core.scheduler import registered_jobs
    from groundswell.stories import tasks

    assert any(j.resolve() is tasks.remind_prompt_deadlines for j in registered_jobs())


def test_digest_section_lists_open_prompts_and_is_news_when_one_opened(
    alice: Membership, bob: Membership, prompt: StoryPrompt
) -> None:
    from groundswell.stories.prompt_hooks import digest_section
    from groundswell.updates.digest import DigestContext

    now = timezone.now()
    ctx = DigestContext(member=bob, since=now - dt.timedelta(days=7), now=now, today=ws_today(bob.workspace))
    section = digest_section(ctx)
    assert section is not None and section.news and section.title == "Calls for stories"
    assert section.lines[0].text == prompt.title and f"/stories/prompts/{prompt.pk}/" in section.lines[0].url
    old = DigestContext(member=bob, since=now + dt.timedelta(seconds=1), now=now, today=ws_today(bob.workspace))
    section = digest_section(old)
    assert section is not None and not section.news  # still listed, but no reason to send a digest
    harvest.close_prompt(member=alice, prompt=prompt)
    assert digest_section(ctx) is None


def test_digest_section_is_registered() -> None:
    from groundswell.updates.digest import registered_sections

    assert "story_prompts" in registered_sections()


def test_home_panel_asks_for_stories_until_answered(bob: Membership, prompt: StoryPrompt, client: Any) -> None:
    from groundswell.conftest import client_for
    from groundswell.stories.prompt_views import write_url

    c = client_for(bob)
    link = write_url(bob.workspace.slug, prompt.pk)
    html = c.get(f"/w/{bob.workspace.slug}/").content.decode()
    assert "love your story" in html and f'href="{link}"' in html
    harvest.answer_prompt(member=bob, prompt=prompt, title="Done", body_markdown="Told")
    html = c.get(f"/w/{bob.workspace.slug}/").content.decode()
    assert "love your story" not in html


def test_home_panel_is_not_hidden_by_a_story_without_a_call(bob: Membership, prompt: StoryPrompt) -> None:
    """A NOT IN over stories whose prompt is NULL would hide every call: stories outside calls are ignored."""
    from groundswell.stories.prompt_hooks import home_panel

    Story.objects.create(workspace=bob.workspace, author=bob, title="Free story", body_markdown="x")
    from groundswell.core.home import Home

    now = timezone.now()
    context = home_panel(Home(member=bob, workspace=bob.workspace, now=now, today=ws_today(bob.workspace)))
    assert context is not None and [p for p, _ in context["story_prompts"]] == [prompt]  # type: ignore[attr-defined]


def test_participation_of_many_calls_in_constant_queries(
    alice: Membership,
    bob: Membership,
    carol: Membership,
    sales: Department,
    workspace: Workspace,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    def make(n: int) -> list[StoryPrompt]:
        out = []
        for i in range(Team.objects.count(), Team.objects.count() + n):
            audience = ("everyone", "department", "team")[i % 3]
            team = Team.objects.create(workspace=workspace, name=f"T{i}", term_start=ws_today(workspace),
                                       term_end=ws_today(workspace))  # fmt: skip
            Seat.objects.create(team=team, member=bob, served_from=ws_today(workspace))
            p = harvest.create_prompt(
                member=alice,
                data=PromptData(title=f"P{i}", body_markdown="", deadline=ws_today(workspace), audience=audience,
                                department=sales, team=team),
            )  # fmt: skip
            harvest.answer_prompt(member=bob, prompt=p, title="t", body_markdown="b")
            out.append(p)
        return out

    prompts = make(3)
    with django_assert_num_queries(4):
        counts = harvest.participation_many(prompts)
    assert [(c.answered, c.stories, c.audience) for c in counts.values()] == [(1, 1, 3), (1, 1, 2), (1, 1, 1)]
    prompts += make(6)
    with django_assert_num_queries(4):
        harvest.participation_many(prompts)

"""The calls-for-stories and harvest pages: who sees what, forms, the CSV, and 404 for outsiders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.conftest import client_for
from groundswell.content.models import Item
from groundswell.lib.periods import local_day
from groundswell.rewards.models import PointsEntry
from groundswell.stories import harvest
from groundswell.stories.models import Story, StoryPrompt
from groundswell.stories.tests.conftest_harvest import *  # noqa: F403  (the fixtures)
from groundswell.workspaces.models import Department, Membership, Workspace

pytestmark = pytest.mark.django_db


def url(ws: str, rest: str = "") -> str:
    return f"/w/{ws}/stories/prompts/{rest}"


def days_from_now(ws: Workspace, n: int) -> str:
    return (local_day(timezone.now(), ws.timezone) + dt.timedelta(days=n)).isoformat()


def test_admin_opens_a_call_through_the_form(alice: Membership) -> None:
    c = client_for(alice)
    assert c.get(url("acme", "new/")).status_code == 200
    response = c.post(
        url("acme", "new/"),
        {"title": "Your best customer day", "body_markdown": "Tell us **how**.", "deadline": days_from_now(alice.workspace, 7),
         "kind": "customer", "audience": "everyone"},
    )  # fmt: skip
    prompt = StoryPrompt.objects.get()
    assert response.status_code == 302 and response["Location"] == url("acme", f"{prompt.pk}/")
    page = c.get(url("acme", f"{prompt.pk}/")).content.decode()
    assert "<strong>how</strong>" in page and "0 of 1 people answered" in page


def test_prompt_form_errors_are_shown_not_500(alice: Membership) -> None:
    c = client_for(alice)
    response = c.post(
        url("acme", "new/"),
        {"title": "", "deadline": "not a date", "kind": "story", "audience": "department", "department": "99999"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "errorlist" in body and not StoryPrompt.objects.exists()
    response = c.post(
        url("acme", "new/"), {"title": "Old", "deadline": "2020-01-01", "kind": "story", "audience": "everyone"}
    )
    assert response.status_code == 200 and "in the past" in response.content.decode()


def test_admin_edits_and_closes_early(alice: Membership, prompt: StoryPrompt) -> None:
    c = client_for(alice)
    assert c.get(url("acme", f"{prompt.pk}/edit/")).status_code == 200
    response = c.post(
        url("acme", f"{prompt.pk}/edit/"),
        {"title": "Renamed", "deadline": prompt.deadline.isoformat(), "kind": "win", "audience": "everyone"},
    )
    assert response.status_code == 302
    prompt.refresh_from_db()
    assert (prompt.title, prompt.kind) == ("Renamed", "win")
    assert c.get(url("acme", f"{prompt.pk}/close/")).status_code == 405
    assert c.post(url("acme", f"{prompt.pk}/close/")).status_code == 302
    prompt.refresh_from_db()
    assert prompt.closed_at is not None
    assert "closed" in c.get(url("acme", f"{prompt.pk}/")).content.decode()


def test_employee_sees_open_calls_of_their_audience_only(
    alice: Membership, bob: Membership, prompt: StoryPrompt, workspace: Workspace
) -> None:
    marketing = Department.objects.create(workspace=workspace, name="Marketing")
    other = harvest.create_prompt(
        member=alice,
        data=harvest.PromptData(title="Marketing only", body_markdown="", deadline=prompt.deadline,
                                audience="department", department=marketing),
    )  # fmt: skip
    c = client_for(bob)
    page = c.get(url("acme")).content.decode()
    assert prompt.title in page and "Marketing only" not in page and "New call" not in page
    assert c.get(url("acme", f"{other.pk}/")).status_code == 404
    # The writer ignores a call that is not for them: the form starts blank, answering nothing.
    page = c.get(reverse("stories:create", kwargs={"ws": "acme"}) + f"?prompt={other.pk}").content.decode()
    assert "Marketing only" not in page


def test_empty_states(alice: Membership, bob: Membership) -> None:
    assert "Open the first call" in client_for(alice).get(url("acme")).content.decode()
    assert "No open calls for stories" in client_for(bob).get(url("acme")).content.decode()


def test_member_writes_a_story_for_a_call_with_consent(bob: Membership, prompt: StoryPrompt) -> None:
    c = client_for(bob)
    call_page = c.get(url("acme", f"{prompt.pk}/")).content.decode()
    write = reverse("stories:create", kwargs={"ws": "acme"}) + f"?prompt={prompt.pk}"
    assert write.replace("?", "?") in call_page.replace("&amp;", "&")
    page = c.get(write).content.decode()
    assert "The program team may share this story outside the company, with my name" in page
    assert f'value="{prompt.pk}"' in page and prompt.title in page  # the call, kept in a hidden field
    response = c.post(
        reverse("stories:create", kwargs={"ws": "acme"}),
        {"title": "The Lisbon launch", "body_markdown": "We carried the boxes.", "share_consent": "on",
         "prompt": prompt.pk, "kind": prompt.kind, "audience": "everyone", "action": "save"},
    )  # fmt: skip
    assert response.status_code == 302
    story = Story.objects.get()
    assert (story.author, story.prompt, story.share_consent, story.kind) == (bob, prompt, True, prompt.kind)
    assert story.share_consent_at is not None


def test_closed_call_is_not_answered(alice: Membership, bob: Membership, prompt: StoryPrompt) -> None:
    harvest.close_prompt(member=alice, prompt=prompt)
    response = client_for(bob).post(
        reverse("stories:create", kwargs={"ws": "acme"}),
        {"title": "t", "body_markdown": "b", "prompt": prompt.pk, "kind": "story", "audience": "everyone",
         "action": "save"},
    )  # fmt: skip
    assert response.status_code == 200 and not Story.objects.exists()  # the form says the call is not open
    with pytest.raises(harvest.HarvestError):
        harvest.answer_prompt(member=bob, prompt=prompt, title="t", body_markdown="b")


def test_author_toggles_consent_others_get_404(
    bob: Membership, carol: Membership, private_story: Story, prompt: StoryPrompt
) -> None:
    page = client_for(carol).get(url("acme", f"{prompt.pk}/")).content.decode()
    assert "Your stories for this call" in page and 'name="consent" value="1"' in page
    assert client_for(bob).post(url("acme", f"story/{private_story.pk}/consent/"), {"consent": "1"}).status_code == 404
    private_story.refresh_from_db()
    assert not private_story.share_consent
    response = client_for(carol).post(url("acme", f"story/{private_story.pk}/consent/"), {"consent": "1"})
    assert response.status_code == 302
    private_story.refresh_from_db()
    assert private_story.share_consent
    client_for(carol).post(url("acme", f"story/{private_story.pk}/consent/"), {"consent": "0"})
    private_story.refresh_from_db()
    assert not private_story.share_consent


def test_answers_page_lists_only_who_answered_with_consent_state(
    alice: Membership, bob: Membership, carol: Membership, consenting_story: Story, private_story: Story,
    prompt: StoryPrompt, workspace: Workspace,
) -> None:  # fmt: skip
    from groundswell.conftest import make_member

    make_member(workspace, "dora@acme.test")  # in the audience, did not answer
    page = client_for(alice).get(url("acme", f"{prompt.pk}/answers/")).content.decode()
    assert bob.display_name in page and carol.display_name in page
    assert "dora" not in page.lower()  # non-participation is never shown
    assert "2 of 4 people answered" in page
    harvest_link = url("acme", f"story/{consenting_story.pk}/harvest/")
    assert harvest_link in page
    assert url("acme", f"story/{private_story.pk}/harvest/") not in page  # no button without consent


def test_answers_csv(alice: Membership, bob: Membership, consenting_story: Story, prompt: StoryPrompt) -> None:
    Story.objects.filter(pk=consenting_story.pk).update(title="=HYPERLINK(1)")
    response = client_for(alice).get(url("acme", f"{prompt.pk}/answers.csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "story_id,title,author,written_on,consent_to_share,consent_on,item_id"
    assert lines[1].startswith(f"{consenting_story.pk},'=HYPERLINK(1),{bob.display_name},") and ",yes," in lines[1]
    assert len(lines) == 2


def test_admin_harvests_through_the_prefilled_form(alice: Membership, bob: Membership, consenting_story: Story) -> None:
    c = client_for(alice)
    page = c.get(url("acme", f"story/{consenting_story.pk}/harvest/")).content.decode()
    assert consenting_story.title in page and "We carried the boxes ourselves." in page
    assert f"Story by {bob.display_name}" in page
    response = c.post(
        url("acme", f"story/{consenting_story.pk}/harvest/"),
        {"title": "Lisbon", "summary": "Saved by hand", "text": "The team carried the boxes.",
         "captions": "One\nTwo", "publish": "1"},
    )  # fmt: skip
    item = Item.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/w/acme/content/{item.pk}/"
    assert item.state == "published" and item.submitted_by == bob
    detail = c.get(response["Location"]).content.decode()
    assert f"Story by {bob.display_name}" in detail
    card = client_for(bob).get("/w/acme/content/list/").content.decode()
    assert f"Story by {bob.display_name}" in card
    # Asking again goes to the item; nothing is created or awarded twice.
    again = c.post(url("acme", f"story/{consenting_story.pk}/harvest/"), {"title": "x", "text": "y", "publish": "1"})
    assert again.status_code == 302 and Item.objects.count() == 1
    assert PointsEntry.objects.filter(key=f"story:{consenting_story.pk}").count() == 1


def test_harvest_page_refuses_without_consent(alice: Membership, private_story: Story) -> None:
    c = client_for(alice)
    for response in (
        c.get(url("acme", f"story/{private_story.pk}/harvest/")),
        c.post(url("acme", f"story/{private_story.pk}/harvest/"), {"title": "x", "text": "y", "publish": "1"}),
    ):
        assert response.status_code == 302
    assert not Item.objects.exists()


def test_employees_get_404_on_admin_pages(bob: Membership, prompt: StoryPrompt, consenting_story: Story) -> None:
    c = client_for(bob)
    for path in ("new/", f"{prompt.pk}/edit/", f"{prompt.pk}/answers/", f"{prompt.pk}/answers.csv",
                 f"story/{consenting_story.pk}/harvest/"):  # fmt: skip
        assert c.get(url("acme", path)).status_code == 404, path
    for path in ("new/", f"{prompt.pk}/edit/", f"{prompt.pk}/close/", f"story/{consenting_story.pk}/harvest/"):
        assert c.post(url("acme", path), {"title": "x", "text": "y", "publish": "1"}).status_code == 404, path
    assert not Item.objects.exists()
    prompt.refresh_from_db()
    assert prompt.closed_at is None


ALL_PATHS = ("", "new/", "{p}/", "{p}/edit/", "{p}/close/", "{p}/answers/", "{p}/answers.csv",
             "story/{s}/consent/", "story/{s}/harvest/")  # fmt: skip


def test_outsider_gets_404_everywhere(
    charlie: Membership, prompt: StoryPrompt, consenting_story: Story, other_workspace: Workspace
) -> None:
    c = client_for(charlie)
    for template in ALL_PATHS:
        rest = template.format(p=prompt.pk, s=consenting_story.pk)
        for ws in ("acme", other_workspace.slug):
            if ws == other_workspace.slug and "{" not in template:
                continue  # charlie's own workspace pages without ids are his to see
            get = c.get(url(ws, rest)).status_code
            post = c.post(url(ws, rest), {"consent": "0", "title": "x", "text": "y"}).status_code
            if ws == other_workspace.slug:
                # In his own workspace a page may answer 405 for the method it does not take (as the isolation
                # sweep allows); the method it takes must give 404 for Acme's ids.
                assert sorted((get, post)) in ([404, 404], [404, 405]), (ws, rest, get, post)
            else:
                assert (get, post) == (404, 404), (ws, rest)
    consenting_story.refresh_from_db()
    assert consenting_story.share_consent and consenting_story.item_id is None


def test_anonymous_is_sent_to_sign_in(prompt: StoryPrompt) -> None:
    response = Client().get(url("acme", f"{prompt.pk}/"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_wrong_ids_404(alice: Membership) -> None:
    c = client_for(alice)
    assert c.get(url("acme", "999999/")).status_code == 404
    assert c.get(url("acme", "story/999999/harvest/")).status_code == 404


def test_navigation_lists_calls_for_stories(bob: Membership) -> None:
    from groundswell.core.navigation import build

    nav = build(bob, "story_prompts:list")
    assert nav.current is not None
    assert any(p.label == "Calls for stories" and p.current for p in nav.current.pages)

"""Issue 13's whole path in a real browser: a member writes a story with a video from a phone, a colleague
reacts, an admin turns it (with the author's consent) into an item to share; a colleague's tracked link to it
opens the public page that credits the author and plays the video, the click counts for the sharer and the
author earns the story points once. (Slack and Teams deliver the same item: chat/tests, chat/teams/tests.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from groundswell.content.models import Item, ItemKind
from groundswell.links.buffer import get_buffer
from groundswell.links.models import Click
from groundswell.rewards.actions import ensure_default_rules
from groundswell.rewards.models import Action, PointsEntry
from groundswell.sharing.actions import create_share
from groundswell.stories.models import Story, StoryReaction
from groundswell.videos.models import VideoState
from groundswell.videos.tests.conftest import make_clip
from groundswell.workspaces.models import Membership, Role, Workspace
from tests.e2e.test_core_loop import HUMAN_UA, make_user, sign_in
from tests.e2e.test_steward_phone import assert_fits, sign_in_on_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_story_with_a_video_reacted_harvested_shared_and_credited(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    base = live_server.url
    ws = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(ws)
    make_user(ws, "alice@acme.test", Role.ADMIN)
    make_user(ws, "bob@acme.test", Role.EMPLOYEE)
    make_user(ws, "dana@acme.test", Role.EMPLOYEE)
    clip = make_clip(tmp_path / "summit.mp4", seconds=2, size="180x320")  # a phone's portrait clip

    with override_settings(SITE_URL=base):
        # 1. Bob, on his phone, writes a story with a video and agrees that it may be shared outside.
        bob = sign_in_on_phone(browser, base, "bob@acme.test")
        bob.goto(f"{base}/w/acme/stories/new/")
        bob.get_by_label("Title", exact=True).fill("The tent that came back from Patagonia")
        bob.get_by_label("Your story").fill("She filmed it on the summit. **This is why we do the job.**")
        bob.get_by_label("A short video (optional)").set_input_files(str(clip))
        bob.get_by_label(re.compile("may share this story outside")).check()
        assert_fits(bob, "inside-write")
        bob.get_by_role("button", name="Post the story").click()
        bob.wait_for_url(re.compile(r"/w/acme/stories/\d+/$"))
        story = Story.objects.get()
        assert story.share_consent and story.video is not None
        assert story.video.state == VideoState.READY  # transcoded by ffmpeg (the test runs tasks at once)
        bob.reload()
        player = bob.locator("video").first
        player.wait_for()
        duration = player.evaluate(
            "v => new Promise(r => v.readyState >= 1 ? r(v.duration) : v.addEventListener('loadedmetadata', () => r(v.duration)))"
        )
        assert duration > 1, duration
        assert_fits(bob, "inside-story")

        # 2. Dana reacts.
        dana = sign_in_on_phone(browser, base, "dana@acme.test")
        dana.goto(f"{base}/w/acme/stories/")
        dana.get_by_role("link", name="The tent that came back from Patagonia").click()
        dana.get_by_role("button", name=re.compile("Celebrate")).click()
        dana.wait_for_url(re.compile(r"#reactions$"))
        assert StoryReaction.objects.get().member.display_name == "Dana"

        # 3. Alice turns it into an item to share; Bob is credited.
        alice = sign_in(browser, base, "alice@acme.test")
        alice.goto(f"{base}/w/acme/stories/{story.pk}/")
        alice.get_by_role("link", name="Turn into an item to share").click()
        alice.get_by_role("button", name="Create the item").click()
        alice.wait_for_load_state()
        item = Item.objects.get(workspace=ws)
        assert item.kind == ItemKind.VIDEO and item.video_id == story.video_id and item.state == "published"
        assert "Story by Bob" in item.description
        story.refresh_from_db()
        assert story.item_id == item.pk

        # 4. Dana shares the item; someone opens her tracked link and watches the video.
        dana_member = Membership.objects.get(user__email="dana@acme.test")
        share = create_share(member=dana_member, item=item, network="linkedin", caption="Look at this")
        visitor = browser.new_context(user_agent=HUMAN_UA).new_page()
        response = visitor.goto(f"{base}/{share.code}")
        assert response is not None and response.ok
        assert "Story by Bob" in visitor.locator("body").inner_text()
        video = visitor.locator("video").first
        assert f"/watch/{share.code}/" in (
            video.get_attribute("src") or video.locator("source").first.get_attribute("src") or ""
        )
        public_duration = video.evaluate(
            "v => new Promise(r => v.readyState >= 1 ? r(v.duration) : v.addEventListener('loadedmetadata', () => r(v.duration)))"
        )
        assert public_duration > 1
        assert get_buffer().flush() >= 1
        assert Click.objects.filter(share=share, is_bot=False).count() == 1

        # 5. Bob earned the story points once (the existing "submitted item approved" rule).
        bob_member = Membership.objects.get(user__email="bob@acme.test")
        assert PointsEntry.objects.filter(member=bob_member, action=Action.SUBMISSION_APPROVED).count() == 1

        for page in (bob, dana, alice, visitor):
            page.context.close()

"""A member on a phone (390 px) writes a story with a photo, a colleague reacts to it from the feed.
Nothing overflows the narrow screen and the photo is served to members only."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from groundswell.rewards.actions import ensure_default_rules
from groundswell.stories.models import Story, StoryImage, StoryReaction
from groundswell.workspaces.models import Role, Workspace
from tests.e2e.test_core_loop import make_user
from tests.e2e.test_steward_phone import assert_fits, sign_in_on_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_write_a_story_with_a_photo_and_react(browser: Any, live_server: Any, tmp_path: Path) -> None:
    base = live_server.url
    ws = Workspace.objects.create(name="Acme", slug="acme")
    ensure_default_rules(ws)
    make_user(ws, "bob@acme.test", Role.EMPLOYEE)
    make_user(ws, "dana@acme.test", Role.EMPLOYEE)
    photo = tmp_path / "summit.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (60, 120, 200)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())

    bob = sign_in_on_phone(browser, base, "bob@acme.test")
    bob.goto(f"{base}/w/acme/stories/")
    assert_fits(bob, "stories-feed-empty")
    bob.get_by_role("link", name="Write the first story").click()
    bob.get_by_label("Title", exact=True).fill("The tent that came back from Patagonia")
    bob.get_by_label("Your story").fill("She sent us a photo from the summit. **This is why we do the job.**")
    bob.get_by_label("Image 1", exact=True).set_input_files(str(photo))
    bob.get_by_label("Describe image 1").fill("A blue tent on a snowy summit")
    assert_fits(bob, "stories-write")
    bob.get_by_role("button", name="Post the story").click()
    bob.wait_for_url(re.compile(r"/w/acme/stories/\d+/$"))
    assert_fits(bob, "stories-detail")
    story = Story.objects.get()
    image = StoryImage.objects.get(story=story)
    alt = bob.get_by_role("img", name="A blue tent on a snowy summit")
    assert alt.evaluate("img => img.complete && img.naturalWidth > 0")
    assert f"/images/{image.pk}/" in (alt.get_attribute("src") or "")

    dana = sign_in_on_phone(browser, base, "dana@acme.test")
    dana.goto(f"{base}/w/acme/stories/")
    assert dana.get_by_role("link", name="The tent that came back from Patagonia").is_visible()
    assert_fits(dana, "stories-feed")
    dana.get_by_role("link", name="The tent that came back from Patagonia").click()
    dana.get_by_role("button", name=re.compile("Celebrate")).click()
    dana.wait_for_url(re.compile(r"#reactions$"))
    assert dana.get_by_role("button", name=re.compile("Celebrate")).get_attribute("aria-pressed") == "true"
    assert StoryReaction.objects.get().reaction == "celebrate"
    assert_fits(dana, "stories-reacted")

    # The photo is not public: signed out, its address does not serve it.
    anonymous = browser.new_context().new_page()
    response = anonymous.goto(f"{base}/w/acme/stories/{story.pk}/images/{image.pk}/")
    assert response is not None
    assert "/accounts/login/" in anonymous.url or response.status == 404

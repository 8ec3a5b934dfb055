"""What the calls for stories add to other pages: the home panel "We'd love your story" and the digest
section "Calls for stories". Registered from ``StoriesConfig.ready`` through ``register()``."""

from __future__ import annotations

from collections.abc import Mapping

from groundswell.core.home import Home, HomePanel, register_panel
from groundswell.stories import harvest
from groundswell.stories.models import Story
from groundswell.updates.digest import DigestContext, DigestLine, DigestSection, register_section

MAX_LINES = 3


def home_panel(home: Home) -> Mapping[str, object] | None:
    """The open calls of the member's audience that they have not answered yet (none: no panel)."""
    if home.member.is_admin:
        return None  # admins see their calls on the calls page; the panel asks for stories
    # prompt_id IS NOT NULL: a NULL in a NOT IN subquery would hide every prompt.
    answered = Story.objects.filter(author=home.member, deleted_at__isnull=True, prompt__isnull=False).values(
        "prompt_id"
    )
    prompts = list(
        harvest.for_audience_of(home.member, harvest.open_prompts(home.workspace.pk, home.today))
        .exclude(pk__in=answered)
        .order_by("deadline", "pk")[:MAX_LINES]
    )
    if not prompts:
        return None
    from groundswell.stories.prompt_views import write_url

    return {"story_prompts": [(p, write_url(home.workspace.slug, p.pk)) for p in prompts]}


PANEL = HomePanel(name="story_prompts", order=35, template="stories/prompts/_home_panel.html", context=home_panel)


def digest_section(ctx: DigestContext) -> DigestSection | None:
    """Open calls with their deadline; news when one opened since the last digest."""
    member = ctx.member
    open_ones = harvest.for_audience_of(member, harvest.open_prompts(member.workspace_id, ctx.today))
    prompts = list(open_ones.order_by("deadline", "pk")[:MAX_LINES])
    if not prompts:
        return None
    return DigestSection(
        title="Calls for stories",
        intro="We'd love your story.",
        news=open_ones.filter(created_at__gt=ctx.since, created_at__lte=ctx.now).exists(),
        lines=[
            DigestLine(p.title, ctx.url("story_prompts:detail", prompt_id=p.pk), f"Open until {p.deadline:%d %b}")
            for p in prompts
        ],
    )


def register() -> None:
    register_panel(PANEL)
    register_section("story_prompts", digest_section, order=40)

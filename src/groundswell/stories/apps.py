from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "groundswell.stories"
    label = "stories"
    verbose_name = "Stories"

    def ready(self) -> None:
        from groundswell.core.home import register_panel
        from groundswell.stories import privacy  # noqa: F401  (registers the privacy provider)
        from groundswell.stories.home import PANEL

        register_panel(PANEL)

        from groundswell.stories.queries import can_watch_story_video
        from groundswell.videos.access import register_watch_rule

        register_watch_rule(can_watch_story_video)

        from groundswell.privacy.registry import register
        from groundswell.stories import prompt_hooks
        from groundswell.stories.prompt_privacy import StoryHarvestPrivacy

        # Harvesting (calls for stories): home panel, digest section, privacy provider (ADR 0043).
        prompt_hooks.register()
        register(StoryHarvestPrivacy())

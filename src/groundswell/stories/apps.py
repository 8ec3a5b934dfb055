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

from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "groundswell.listening"
    label = "listening"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from groundswell.listening.privacy import ListeningProvider
        from groundswell.listening.sources import (
            base,
            bluesky,  # noqa: F401  (registers the plug-in)
        )
        from groundswell.listening.sources.csv import CsvPlugin
        from groundswell.listening.sources.hackernews import HackerNewsPlugin
        from groundswell.listening.sources.mastodon import MastodonPlugin
        from groundswell.listening.sources.reddit import RedditPlugin
        from groundswell.listening.sources.rss import RssPlugin
        from groundswell.privacy.registry import register

        register(ListeningProvider())
        for plugin in (RssPlugin(), MastodonPlugin(), RedditPlugin(), HackerNewsPlugin(), CsvPlugin()):
            base.register(plugin)

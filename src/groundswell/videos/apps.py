from django.apps import AppConfig


class VideosConfig(AppConfig):
    name = "groundswell.videos"
    label = "videos"
    verbose_name = "Videos"

    def ready(self) -> None:
        from groundswell.videos import privacy  # noqa: F401  (registers the privacy provider)

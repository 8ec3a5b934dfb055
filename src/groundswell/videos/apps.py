from django.apps import AppConfig


class VideosConfig(AppConfig):
    name = "groundswell.videos"
    label = "videos"
    verbose_name = "Videos"

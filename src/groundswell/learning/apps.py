from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "groundswell.learning"
    label = "learning"
    verbose_name = "Lessons and tips"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from groundswell.learning.privacy import LearningPrivacy
        from groundswell.learning.sections import next_lesson_section, tip_section
        from groundswell.privacy.registry import register
        from groundswell.updates.digest import register_section

        register(LearningPrivacy())
        register_section("lesson", next_lesson_section, order=40)
        register_section("tip", tip_section, order=45)

        from groundswell.learning.queries import can_watch_lesson_video
        from groundswell.videos.access import register_watch_rule

        register_watch_rule(can_watch_lesson_video)

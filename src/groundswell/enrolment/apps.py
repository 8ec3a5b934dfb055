from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    name = "groundswell.enrolment"
    label = "enrolment"
    default_auto_field = "django.db.models.BigAutoField"

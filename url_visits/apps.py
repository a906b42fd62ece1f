from django.apps import AppConfig


class UrlVisitsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "url_visits"

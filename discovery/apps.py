from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "discovery"
    verbose_name = "Shadow-IT discovery"

    def ready(self) -> None:
        from discovery import signals  # noqa: F401 - connects the receivers

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self) -> None:
        from accounts import schema  # noqa: F401 - registers the schema extensions

        # The settings checks (the console email backend in production) are
        # registered here because procure_site is not an app of its own.
        from procure_site import checks  # noqa: F401

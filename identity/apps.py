from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """The organization's identity provider: the SCIM tokens an admin hands
    to it, and the people it provisions and deprovisions through /scim/v2/.
    Above accounts and organizations (whose services create, change and
    deactivate people), below nothing."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "identity"

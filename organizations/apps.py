from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    """The organization's own endpoints: its name, its members and their
    roles, invitations, and its three settings (tracking, discovery,
    notifications). No models: Organization and User stay in accounts, which
    authentication needs first; the settings' rows stay with the app that
    reads them. It sits above the apps whose settings it changes."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "organizations"

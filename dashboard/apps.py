from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The staff console: the Django admin's pages for organizations and
    users, with their usage, over the other apps' selectors and services. It
    sits on top of the stack: it imports the domain apps, none imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboard"
    verbose_name = "Staff console"

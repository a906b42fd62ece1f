from django.apps import AppConfig


class ReclaimsConfig(AppConfig):
    """Reclaiming idle seats with the people who hold them: an admin asks,
    each person answers Keep or Release on an emailed page, and an admin
    confirms the seats removed in the vendor's tool, which counts the
    saving. Above contracts and url_visits (whose activity says who is
    idle), below analytics and alerts (which report the savings)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reclaims"

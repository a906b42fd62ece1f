from django.urls import path

from alerts import views

urlpatterns = [
    path(
        "organizations/<str:organization_id>/notifications",
        views.NotificationSettingsView.as_view(),
        name="organization-notifications",
    ),
    path(
        "organizations/<str:organization_id>/notifications/test",
        views.WebhookTestView.as_view(),
        name="organization-notifications-test",
    ),
]

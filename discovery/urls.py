from django.urls import path

from discovery import views

urlpatterns = [
    path(
        "organizations/<str:organization_id>/discovered-apps",
        views.DiscoveredAppsView.as_view(),
        name="organization-discovered-apps",
    ),
    path(
        "organizations/<str:organization_id>/discovered-apps/<int:application_id>",
        views.DiscoveredAppView.as_view(),
        name="organization-discovered-app",
    ),
]

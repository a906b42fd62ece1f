from django.urls import path

from discovery import views

urlpatterns = [
    path(
        "organizations/<str:organization_id>/discovered-apps",
        views.DiscoveredAppsView.as_view(),
        name="organization-discovered-apps",
    ),
]

from django.urls import path

from url_visits import views

urlpatterns = [
    path("url-visits", views.UrlVisitsView.as_view(), name="url-visits"),
    path(
        "url-visits/monitored-hosts",
        views.MonitoredHostsView.as_view(),
        name="url-visits-monitored-hosts",
    ),
    path("me/activity", views.MeActivityView.as_view(), name="me-activity"),
]

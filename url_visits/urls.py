from django.urls import path

from url_visits import views

urlpatterns = [
    path("url-visits", views.UrlVisitsView.as_view(), name="url-visits"),
    path("me/activity", views.MeActivityView.as_view(), name="me-activity"),
]

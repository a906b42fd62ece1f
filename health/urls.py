from django.urls import path

from health import views

urlpatterns = [
    path("", views.ServiceInfoView.as_view(), name="service-info"),
    path("ping", views.PingView.as_view(), name="ping"),
    path("healthz", views.LivenessView.as_view(), name="healthz"),
    path("readyz", views.ReadinessView.as_view(), name="readyz"),
]

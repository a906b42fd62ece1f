from django.urls import path

from audit import views

urlpatterns = [
    path(
        "organizations/<str:organization_id>/audit-log",
        views.AuditLogView.as_view(),
        name="organization-audit-log",
    ),
]

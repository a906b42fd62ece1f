from django.urls import path

from analytics import views

urlpatterns = [
    path(
        "organizations/<str:organization_id>/spend-by-department",
        views.SpendByDepartmentView.as_view(),
        name="organization-spend-by-department",
    ),
    path(
        "organizations/<str:organization_id>/contract-usage",
        views.ContractUsageView.as_view(),
        name="organization-contract-usage",
    ),
    path(
        "organizations/<str:organization_id>/usage-trend",
        views.UsageTrendView.as_view(),
        name="organization-usage-trend",
    ),
    path(
        "organizations/<str:organization_id>/inactive-users",
        views.InactiveUsersView.as_view(),
        name="organization-inactive-users",
    ),
    path(
        "organizations/<str:organization_id>/renewals",
        views.RenewalsView.as_view(),
        name="organization-renewals",
    ),
]

from django.urls import path

from reclaims import views

PREFIX = "organizations/<str:organization_id>/"

urlpatterns = [
    path(
        PREFIX + "reclaims",
        views.ReclaimListView.as_view(),
        name="organization-reclaims",
    ),
    path(
        PREFIX + "reclaims/remove",
        views.ReclaimRemoveView.as_view(),
        name="organization-reclaims-remove",
    ),
    path(
        PREFIX + "reclaims/cancel",
        views.ReclaimCancelView.as_view(),
        name="organization-reclaims-cancel",
    ),
    path(
        PREFIX + "contracts/<int:contract_id>/reclaims",
        views.ContractReclaimsView.as_view(),
        name="organization-contract-reclaims",
    ),
]

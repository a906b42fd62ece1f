from django.urls import path
from rest_framework.routers import SimpleRouter

from contracts import views

# The clients call paths without a trailing slash and a redirect would break
# their POSTs, so the router's paths have none either.
router = SimpleRouter(trailing_slash=False)
router.register("contracts", views.ContractViewSet, basename="contract")

urlpatterns = [
    path("contract", views.ContractUpsertView.as_view(), name="contract-upsert"),
    path(
        "contracts/import", views.ContractImportView.as_view(), name="contract-import"
    ),
    *router.urls,
]

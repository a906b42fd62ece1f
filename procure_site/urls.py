from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

api_v1 = [
    path("", include("accounts.urls")),
    path("", include("contracts.urls")),
    path("", include("url_visits.urls")),
    path("", include("discovery.urls")),
    path("", include("analytics.urls")),
    path("", include("audit.urls")),
]

urlpatterns = [
    path("", include("health.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler400 = "procure_site.exceptions.bad_request"
handler403 = "procure_site.exceptions.permission_denied"
handler404 = "procure_site.exceptions.not_found"
handler500 = "procure_site.exceptions.server_error"

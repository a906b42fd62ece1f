import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView

from procure_site.api_docs import RedocView, SwaggerView
from procure_site.exceptions import not_found
from reclaims.pages import reclaim_page

# url-visits first: the extension's request, the busiest by far, is resolved
# without trying every other app's patterns (no two apps share a path).
_admin_path = re.escape(settings.ADMIN_URL.rstrip("/"))

api_v1 = [
    path("", include("url_visits.urls")),
    path("", include("accounts.urls")),
    path("", include("contracts.urls")),
    path("", include("discovery.urls")),
    path("", include("analytics.urls")),
    path("", include("audit.urls")),
    path("", include("organizations.urls")),
    path("", include("reclaims.urls")),
    path("", include("identity.urls")),
]

urlpatterns = [
    path("", include("health.urls")),
    path("api/v1/", include(api_v1)),
    # The organization's identity provider provisions people here (SCIM 2.0).
    path("scim/v2/", include("identity.scim.urls")),
    # The pages emailed links open (Django templates, not the API).
    path("account/", include("accounts.page_urls")),
    path("reclaim", reclaim_page, name="reclaim-answer"),
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc", RedocView.as_view(url_name="schema"), name="redoc"),
    path(settings.ADMIN_URL, admin.site.urls),
    # Last: whatever nothing above serves is the API's JSON 404. handler404
    # alone would do it with DEBUG off only; with DEBUG on (`make run`)
    # Django would answer its debug page, which lists every URL pattern.
    # The admin's path is left out, so that `/admin` still redirects to
    # `/admin/` (APPEND_SLASH) and the admin answers its own unknown paths.
    # Exempt from CSRF: a POST with the session cookie to a path nothing
    # serves is a 404 like any other, not Django's HTML CSRF page.
    re_path(rf"^(?!{_admin_path}$|{_admin_path}/)", csrf_exempt(not_found)),
]

handler400 = "procure_site.exceptions.bad_request"
handler403 = "procure_site.exceptions.permission_denied"
handler404 = "procure_site.exceptions.not_found"
handler500 = "procure_site.exceptions.server_error"

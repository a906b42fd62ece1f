"""Swagger UI and ReDoc pages that load nothing from outside the service.

Their scripts and styles are drf-spectacular-sidecar's pinned copies, served
by whitenoise. A Content-Security-Policy also stops the browser from reaching
anywhere else (ReDoc's bundle fetches a logo from its vendor), so the pages
work on a network without internet access and tell no third party they were
opened.
"""

from typing import Any

from django.http import HttpRequest, HttpResponseBase
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

# The pages' own inline script and styles, the sidecar's files, the schema
# from this origin, and ReDoc's search worker, which starts from a blob URL.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ]
)


class _OfflineOnly:
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response: HttpResponseBase = super().dispatch(  # type: ignore[misc]
            request, *args, **kwargs
        )
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response


class SwaggerView(_OfflineOnly, SpectacularSwaggerView):
    pass


class RedocView(_OfflineOnly, SpectacularRedocView):
    template_name = "procure_site/redoc.html"

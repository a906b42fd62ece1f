"""How the API's authentication classes appear in the OpenAPI schema."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter

from accounts.serializers import DetailSerializer


class BearerAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.BearerAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A simplejwt access token, or the extension's device token.",
        }


class CookieAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.CookieAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.AUTH_COOKIE_NAME,
            "description": "The web app's session cookie, set by sign-in.",
        }


# Shared by every endpoint under /api/v1/organizations/{organization_id}/.
ORGANIZATION_ID_PARAMETER = OpenApiParameter(
    "organization_id",
    str,
    OpenApiParameter.PATH,
    description="The organization's public id, org_ followed by 32 letters and digits.",
)
# Not signed in; another organization or the wrong role; no such organization.
ORGANIZATION_ERRORS = {
    401: DetailSerializer,
    403: DetailSerializer,
    404: DetailSerializer,
}

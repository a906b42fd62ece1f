"""How the API's authentication classes appear in the OpenAPI schema."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension


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

"""The settings dicts of the libraries under the API (Django REST framework,
simplejwt, drf-spectacular) and of logging, for procure_site/settings.py,
which passes in what they depend on."""

from datetime import timedelta
from typing import Any

from procure_site.environment import env, positive_int


def rest_framework(*, trusted_proxy_count: int) -> dict[str, Any]:
    return {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "accounts.authentication.BearerAuthentication",
            "accounts.authentication.CookieAuthentication",
        ],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        # JSON only, checked for depth and unsafe text (procure_site/parsers.py);
        # the contracts import alone adds multipart for its file.
        "DEFAULT_PARSER_CLASSES": ["procure_site.parsers.JSONBodyParser"],
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        "DEFAULT_FILTER_BACKENDS": [
            "django_filters.rest_framework.DjangoFilterBackend"
        ],
        "DEFAULT_PAGINATION_CLASS": "procure_site.pagination.PageNumberPagination",
        "PAGE_SIZE": 50,
        "EXCEPTION_HANDLER": "procure_site.exceptions.exception_handler",
        "DEFAULT_THROTTLE_RATES": {
            "sign_in": env.str("THROTTLE_SIGN_IN_RATE", default="10/minute"),
            "sign_up": env.str("THROTTLE_SIGN_UP_RATE", default="20/hour"),
            # Emails proCure sends on request: a fresh verification link (per
            # user) and a password-reset link (per client address).
            "verify_email": env.str("THROTTLE_VERIFY_EMAIL_RATE", default="5/hour"),
            "password_reset": env.str("THROTTLE_PASSWORD_RESET_RATE", default="5/hour"),
            # Test messages an admin sends to the organization's webhook, per user:
            # each is an outbound request to a URL a customer typed.
            "webhook_test": env.str("THROTTLE_WEBHOOK_TEST_RATE", default="10/hour"),
            # Invitations an admin sends, per user: each is an email to a person.
            "invitation": env.str("THROTTLE_INVITATION_RATE", default="30/hour"),
        },
        "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
        "NUM_PROXIES": trusted_proxy_count,
    }


def simple_jwt(*, secret_key: str) -> dict[str, Any]:
    return {
        "ACCESS_TOKEN_LIFETIME": timedelta(
            minutes=positive_int("JWT_ACCESS_MINUTES", 15)
        ),
        "REFRESH_TOKEN_LIFETIME": timedelta(days=positive_int("JWT_REFRESH_DAYS", 7)),
        "ROTATE_REFRESH_TOKENS": True,
        "BLACKLIST_AFTER_ROTATION": True,
        "UPDATE_LAST_LOGIN": False,
        # Tokens carry a hash of the password: changing it ends every session.
        "CHECK_REVOKE_TOKEN": True,
        "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default=secret_key),
        "USER_ID_FIELD": "id",
        "USER_ID_CLAIM": "user_id",
    }


def logging_config() -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "plain"}
        },
        "root": {
            "handlers": ["console"],
            "level": env.str("LOG_LEVEL", default="INFO"),
        },
        "loggers": {
            # Request logs would carry paths; keep Django's at WARNING.
            "django.request": {"level": "ERROR"},
            # django-axes announces its version at INFO in every process, so every
            # management command would print it before its own output.
            "axes.apps": {"level": "WARNING"},
        },
    }


SPECTACULAR_SETTINGS = {
    "TITLE": "proCure API",
    "DESCRIPTION": (
        "proCure matches employees' SaaS usage, reported by the browser "
        "extension, to the organization's contracts, and shows admins "
        "active users against seats and spend."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ReclaimStateEnum": "reclaims.models.ReclaimState",
        "ApplicationStateEnum": "discovery.models.ApplicationState",
    },
    # Swagger UI and ReDoc come from drf-spectacular-sidecar's pinned copies,
    # served by whitenoise: the docs work offline and no third-party script
    # runs on the API's origin.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One group per area of the API, in this order.
    "TAGS": [
        {"name": "auth", "description": "Sign-up, sign-in and out, tokens, email"},
        {"name": "url-visits", "description": "What the extension reports"},
        {"name": "me", "description": "What is recorded about the signed-in user"},
        {"name": "contracts", "description": "The organization's SaaS contracts"},
        {
            "name": "organizations",
            "description": "Members, roles, tracking and the audit log",
        },
        {
            "name": "analytics",
            "description": "Active users against seats and spend",
        },
        {
            "name": "reclaims",
            "description": "Asking people about idle seats, and the savings",
        },
        {
            "name": "identity",
            "description": "The identity provider: SCIM tokens (SCIM itself "
            "is at /scim/v2/)",
        },
        {"name": "health", "description": "Service information, liveness, readiness"},
    ],
    # Adds the 503, 413 and page 404 that every operation can answer.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "procure_site.schema.add_common_error_responses",
    ],
}

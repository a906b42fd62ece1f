"""/account/sso: signing in with the organization's identity provider
(OpenID Connect), into the web app's cookie session, or, for staff, into
the Django admin.

Authlib runs the protocol: the authorization code flow with PKCE (S256), a
`state` kept in the Django session and used once, a `nonce`, and the ID
token checked against the provider's JWKS, issuer, audience (proCure's
client id) and expiry. identity.services.oidc then decides who the verified
claims make signed in. Every refusal is a page with a sentence, never a
500.
"""

from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from joserfc.errors import JoseError

from accounts import selectors
from accounts.authentication import auth_cookie_set
from accounts.models import Organization
from accounts.pages import in_a_while, page_throttle_wait
from accounts.services.sessions import session_token_issue
from identity.services import oidc
from procure_site.exceptions import DomainError

SESSION_KEY = "procure_sso"
SCOPE = "openid email profile"
HTTP_TIMEOUT = 10


def _authlib_app(client: oidc.OidcClient) -> Any:
    registry = OAuth()
    registry.register(
        name=client.key,
        client_id=client.client_id,
        client_secret=client.client_secret,
        server_metadata_url=client.metadata_url,
        client_kwargs={
            "scope": SCOPE,
            "code_challenge_method": "S256",
            "default_timeout": HTTP_TIMEOUT,
        },
    )
    return registry.create_client(client.key)


def _page(
    request: HttpRequest, *, refusal: str | None = None, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {
        "refusal": refusal,
        "web_app_url": settings.WEB_APP_URL,
        "next": request.GET.get("next", ""),
        "email": request.GET.get("email", ""),
        **extra,
    }
    return render(request, "identity/sso.html", context, status=status)


def _admin_path() -> str:
    return "/" + str(settings.ADMIN_URL)


def _safe_next(raw: str) -> str:
    """Where to go once signed in: a path of this site, or a page of the web
    app; anything else is the web app's home, so that the page cannot send
    a signed-in person to someone else's site."""
    if raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    parts = urlsplit(raw)
    origin = f"{parts.scheme}://{parts.netloc}"
    if parts.scheme in ("http", "https") and origin in settings.CORS_ALLOWED_ORIGINS:
        return raw
    return str(settings.WEB_APP_URL) + "/"


@never_cache
@require_GET
def sso_start_page(request: HttpRequest) -> HttpResponse:
    """The form (a work address) and, once it is given, the redirect to the
    organization's provider; with `next` in the admin, the staff's."""
    next_url = _safe_next(request.GET.get("next", ""))
    staff = next_url.startswith(_admin_path())
    email = request.GET.get("email", "").strip()
    if email or staff:
        # Each start reads the provider's discovery document: counted with
        # the sign-ins of the client's address, so that nobody makes
        # proCure call a provider in a loop.
        wait = page_throttle_wait(request, scope="sign_in")
        if wait is not None:
            return _page(
                request,
                status=429,
                refusal=f"Too many sign-ins from your network: try again in "
                f"{in_a_while(wait)}.",
            )
    organization: Organization | None = None
    try:
        if staff:
            client = oidc.oidc_client_for_staff()
            if client is None:
                return _page(
                    request,
                    status=404,
                    refusal="Staff do not sign in with an identity provider here: "
                    "sign in to the admin with your password.",
                )
        else:
            if not email:
                return _page(request)
            domain = email.rsplit("@", 1)[-1].lower()
            organization = selectors.organization_for_domain(domain=domain)
            if organization is None:
                return _page(
                    request,
                    status=404,
                    refusal=f"proCure has no organization for {domain}: check the "
                    "address, or ask whoever runs proCure for your company.",
                )
            found = oidc.oidc_client_for_organization(organization)
            if found is None:
                return _page(
                    request,
                    status=404,
                    refusal=f"{organization.company_name} does not sign in with an "
                    "identity provider: sign in with your password in the web app.",
                )
            client = found
        request.session[SESSION_KEY] = {
            "organization": organization.pk if organization else None,
            "staff": staff,
            "next": next_url,
        }
        redirect_uri = request.build_absolute_uri(reverse("account-sso-callback"))
        hint = {"login_hint": email} if email else {}
        response: HttpResponse = _authlib_app(client).authorize_redirect(
            request, redirect_uri, **hint
        )
        return response
    except DomainError as refusal:
        return _page(request, status=refusal.status_code, refusal=refusal.detail)
    except (AuthlibBaseError, requests.RequestException, ValueError):
        return _page(
            request,
            status=502,
            refusal="proCure could not reach your identity provider: try again "
            "in a minute, or ask your IT team.",
        )


@never_cache
@require_GET
def sso_callback_page(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the browser back: the code is exchanged and
    the ID token checked, then the person is signed in."""
    started = request.session.pop(SESSION_KEY, None)
    if not isinstance(started, dict):
        return _page(
            request,
            status=400,
            refusal="This sign-in has already been used or has expired: start again.",
        )
    try:
        organization_pk = started.get("organization")
        client = oidc.oidc_client_resumed(
            organization_id=organization_pk
            if isinstance(organization_pk, int)
            else None,
            staff=bool(started.get("staff")),
        )
        if client is None:
            return _page(
                request,
                status=400,
                refusal="This identity provider is no longer set up: start again.",
            )
        app = _authlib_app(client)
        # The audience is checked explicitly: Authlib's default only
        # requires an azp claim when the audience is not proCure.
        token = app.authorize_access_token(
            request,
            claims_options={
                "iss": {"essential": True, "values": [client.issuer]},
                "aud": {"essential": True, "values": [client.client_id]},
            },
        )
        claims = dict(token.get("userinfo") or {})
        if not claims:
            return _page(
                request,
                status=403,
                refusal="Your identity provider sent no ID token: ask your IT "
                "team to set up proCure's app for OpenID Connect.",
            )
        if "email" not in claims:
            # Providers that keep scope claims out of the ID token (as the
            # specification allows) give them at the UserInfo endpoint, for
            # the same subject.
            extra = dict(app.userinfo(token=token))
            if extra.get("sub") != claims.get("sub"):
                return _page(
                    request,
                    status=403,
                    refusal="Your identity provider described someone else than "
                    "the person it signed in: start again.",
                )
            claims = {**extra, **claims}
        if client.organization is None:
            user = oidc.sso_staff(claims=claims)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return HttpResponseRedirect(started["next"])
        user = oidc.sso_person(organization=client.organization, claims=claims)
    except DomainError as refusal:
        return _page(request, status=refusal.status_code, refusal=refusal.detail)
    except AuthlibBaseError as error:
        detail = getattr(error, "description", None) or str(error)
        return _page(
            request,
            status=403,
            refusal=f"Your identity provider's answer was refused ({detail}): "
            "start again.",
        )
    except JoseError as error:
        return _page(
            request,
            status=403,
            refusal="The ID token your identity provider sent could not be "
            f"trusted ({error.error}: {error.description}): start again, or ask "
            "your IT team to check proCure's app.",
        )
    except (requests.RequestException, ValueError):
        return _page(
            request,
            status=502,
            refusal="proCure could not reach your identity provider: try again "
            "in a minute.",
        )
    response = HttpResponseRedirect(started["next"])
    auth_cookie_set(response, session_token_issue(user=user))
    return response

"""OpenID Connect sign-in: an organization's provider (set by an admin),
the staff's provider (set in the environment), and who a verified ID
token makes signed in.

The protocol itself (authorization code with PKCE, state, nonce, the ID
token's signature against the provider's JWKS, its issuer, audience and
expiry) is Authlib's; identity/sso.py drives it. This module decides who
the person is once the token is valid.
"""

import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import IntegrityError, transaction

from accounts import selectors
from accounts.models import Organization, Role, User, UserManager
from accounts.services import seats
from alerts.webhooks import address_refusal
from audit.models import AuditAction
from audit.services import audit_record
from identity.models import OidcProvider
from identity.secrets import secret_decrypt, secret_encrypt
from procure_site import clock
from procure_site.error_codes import ErrorCode
from procure_site.exceptions import Conflict, DomainError, Forbidden

DISCOVERY_PATH = "/.well-known/openid-configuration"
DISCOVERY_TIMEOUT = 5.0


class SignInRefused(DomainError):
    """The provider answered, and proCure says no: the sentence is shown on
    the sign-in page."""

    status_code = 403
    code = ErrorCode.PERMISSION_DENIED


@dataclass(frozen=True)
class OidcClient:
    """What Authlib needs for one provider. `organization` is None for the
    staff's provider."""

    key: str
    issuer: str
    client_id: str
    client_secret: str
    organization: Organization | None

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + DISCOVERY_PATH


def oidc_provider_of(*, organization: Organization) -> OidcProvider | None:
    """The organization's OpenID provider, if an admin set one."""
    return OidcProvider.objects.filter(organization=organization).first()


def oidc_client_for_organization(organization: Organization) -> OidcClient | None:
    provider = oidc_provider_of(organization=organization)
    if provider is None:
        return None
    secret = secret_decrypt(provider.client_secret_encrypted)
    if secret is None:
        raise SignInRefused(
            f"{organization.company_name}'s sign-in with its identity provider "
            "cannot be used until an admin enters the client secret again "
            "(proCure's secret key changed)."
        )
    return OidcClient(
        key=f"org{organization.pk}",
        issuer=provider.issuer,
        client_id=provider.client_id,
        client_secret=secret,
        organization=organization,
    )


def oidc_client_for_staff() -> OidcClient | None:
    if not settings.STAFF_OIDC_ISSUER:
        return None
    return OidcClient(
        key="staff",
        issuer=settings.STAFF_OIDC_ISSUER,
        client_id=settings.STAFF_OIDC_CLIENT_ID,
        client_secret=settings.STAFF_OIDC_CLIENT_SECRET,
        organization=None,
    )


def oidc_client_resumed(
    *, organization_id: int | None, staff: bool
) -> OidcClient | None:
    """The provider a sign-in under way started with: the staff's, or the
    organization's, if it is still set up."""
    if staff:
        return oidc_client_for_staff()
    organization = (
        Organization.objects.filter(pk=organization_id).first()
        if organization_id is not None
        else None
    )
    return oidc_client_for_organization(organization) if organization else None


def _issuer_problem(issuer: str) -> str | None:
    """Why proCure will not fetch `issuer`, or None. Loopback and private
    addresses only where OIDC_ALLOW_PRIVATE_ISSUERS says so (development
    and tests): an admin-typed URL must not reach the service's own
    network."""
    parts = urlsplit(issuer)
    allow_private = settings.OIDC_ALLOW_PRIVATE_ISSUERS
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        return "The issuer must be an https:// URL."
    if not parts.hostname or parts.username or parts.password or parts.query:
        return "The issuer must be a URL such as https://acme.okta.com."
    if allow_private:
        return None
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443)
    except (socket.gaierror, UnicodeError):
        return f"The issuer's host {parts.hostname} could not be resolved."
    for info in infos:
        refusal = address_refusal(str(info[4][0]))
        if refusal is not None:
            return (
                f"The issuer's host {parts.hostname} resolves to {refusal}: an "
                "issuer that is not public is not allowed."
            )
    return None


def oidc_discovery(issuer: str) -> dict[str, Any]:
    """The provider's discovery document, once it names this issuer and the
    endpoints sign-in needs; DomainError with what is wrong otherwise."""
    problem = _issuer_problem(issuer)
    if problem is not None:
        raise DomainError(problem, code=ErrorCode.INVALID_FIELD)
    url = issuer.rstrip("/") + DISCOVERY_PATH
    try:
        answer = requests.get(url, timeout=DISCOVERY_TIMEOUT, allow_redirects=False)
        answer.raise_for_status()
        document = answer.json()
    except (requests.RequestException, ValueError):
        raise DomainError(
            f"proCure could not read {url}: check the issuer (it is the "
            "identity provider's address that this document is under).",
            code=ErrorCode.INVALID_FIELD,
        ) from None
    if not isinstance(document, dict):
        raise DomainError(f"{url} is not a discovery document.")
    if str(document.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
        raise DomainError(
            f"{url} names the issuer {document.get('issuer')!r}, not {issuer!r}: "
            "send the issuer exactly as the provider names it.",
            code=ErrorCode.INVALID_FIELD,
        )
    missing = [
        name
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri")
        if not document.get(name)
    ]
    if missing:
        raise DomainError(
            f"{url} has no {', '.join(missing)}: the provider cannot sign people in "
            "with the authorization code flow."
        )
    return document


def oidc_provider_set(
    *,
    organization: Organization,
    issuer: str,
    client_id: str,
    client_secret: str | None,
    password_sign_in: bool,
    actor: User | None,
) -> OidcProvider:
    """Sets the organization's provider, once its discovery document says it
    is one; the secret is kept when none is sent. Audited, never with the
    secret."""
    issuer = issuer.strip().rstrip("/")
    oidc_discovery(issuer)
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        provider = OidcProvider.objects.filter(organization=locked).first()
        if provider is None and not client_secret:
            raise DomainError(
                "Send the client secret the identity provider gave proCure's app.",
                code=ErrorCode.INVALID_FIELD,
            )
        provider = provider or OidcProvider(organization=locked)
        before = {
            "issuer": provider.issuer,
            "client_id": provider.client_id,
            "password_sign_in": locked.password_sign_in,
        }
        provider.issuer = issuer
        provider.client_id = client_id.strip()
        if client_secret:
            provider.client_secret_encrypted = secret_encrypt(client_secret)
            provider.client_secret_hint = client_secret[-4:]
        provider.updated_at = clock.now()
        provider.updated_by = actor
        provider.save()
        locked.password_sign_in = password_sign_in
        locked.save(update_fields=["password_sign_in"])
        after = {
            "issuer": provider.issuer,
            "client_id": provider.client_id,
            "password_sign_in": password_sign_in,
        }
        audit_record(
            action=AuditAction.IDENTITY_PROVIDER_CHANGED,
            organization=locked,
            actor=actor,
            target=f"organization:{locked.public_id}",
            details={
                "changed": {
                    name: {"from": before[name], "to": after[name]}
                    for name in after
                    if before[name] != after[name]
                },
                "client_credentials_changed": bool(client_secret),
            },
        )
    return provider


def oidc_provider_remove(*, organization: Organization, actor: User | None) -> None:
    """Removes the organization's provider; password sign-in is on again."""
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        deleted, _ = OidcProvider.objects.filter(organization=locked).delete()
        if not deleted:
            return
        locked.password_sign_in = True
        locked.save(update_fields=["password_sign_in"])
        audit_record(
            action=AuditAction.IDENTITY_PROVIDER_REMOVED,
            organization=locked,
            actor=actor,
            target=f"organization:{locked.public_id}",
        )


def _verified_address(claims: dict[str, Any], provider_name: str) -> str:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise SignInRefused(
            f"{provider_name} did not send your email address, which proCure "
            "needs: ask your IT team to release the email claim to proCure's app."
        )
    # Entra ID sends no email_verified: its xms_edov claim says the
    # address's domain is one the tenant verified.
    if claims.get("email_verified") is not True and claims.get("xms_edov") is not True:
        raise SignInRefused(
            f"{provider_name} does not say that {email} is verified, so proCure "
            "cannot sign you in with it. Verify the address with your identity "
            "provider, or ask your IT team."
        )
    return UserManager.normalize_email(email)


def sso_person(*, organization: Organization, claims: dict[str, Any]) -> User:
    """The organization's person the verified claims name. Someone signing
    in for the first time joins as a member, address verified, within the
    seats; an address outside the organization's domains is refused."""
    email = _verified_address(
        claims, f"{organization.company_name}'s identity provider"
    )
    user: User | None = (
        User.objects.select_related("organization").filter(email=email).first()
    )
    if user is not None:
        if user.organization_id != organization.pk:
            raise SignInRefused(
                f"{email} belongs to another organization in proCure, not to "
                f"{organization.company_name}: sign in there."
            )
        if not user.is_active:
            raise SignInRefused(
                f"{email} is deactivated in {organization.company_name}: ask an "
                "admin to reactivate you."
            )
        if not user.email_verified:
            seats.user_email_verified_mark(user=user, via="sso")
        return user
    domains = selectors.organization_domain_names(organization=organization)
    if email.rsplit("@", 1)[-1] not in domains:
        raise SignInRefused(
            f"{email} is not an address at {selectors.domains_sentence(domains)}, "
            f"so it cannot join {organization.company_name}. Sign in with your "
            f"{organization.company_name} address, or ask an admin to add your "
            "domain."
        )
    try:
        with transaction.atomic():
            locked = Organization.objects.select_for_update().get(pk=organization.pk)
            seats.seat_check_available(organization=locked, role=Role.MEMBER)
            user = User(
                email=email,
                organization=locked,
                role=Role.MEMBER,
                email_verified_at=clock.now(),
            )
            user.set_unusable_password()
            user.save()
            audit_record(
                action=AuditAction.USER_SIGNED_UP,
                organization=locked,
                actor=user,
                target=email,
                details={"role": Role.MEMBER, "via": "sso"},
            )
    except IntegrityError:
        raise Conflict(f"An account for {email} already exists.") from None
    return user


def sso_staff(*, claims: dict[str, Any]) -> User:
    """The staff account the staff provider's verified claims name. Staff
    accounts are never created by signing in."""
    email = _verified_address(claims, "The staff identity provider")
    user: User | None = User.objects.filter(
        email=email, is_staff=True, is_active=True
    ).first()
    if user is None:
        raise Forbidden(
            f"{email} is not an active staff account of proCure: a superuser "
            "makes staff accounts in the admin."
        )
    return user

"""SCIM tokens: an admin creates one for the organization's identity
provider, sees it once, and revokes it when it is replaced or leaked."""

import secrets
from dataclasses import dataclass

from django.db import transaction

from accounts.models import Organization, User
from audit.models import AuditAction
from audit.services import audit_record
from identity.models import (
    SCIM_TOKEN_PREFIX,
    SCIM_TOKEN_SHOWN,
    ScimToken,
    hash_scim_token,
)
from procure_site import clock
from procure_site.exceptions import Conflict, NotFound

# Enough for a rotation with overlap (the new token is pasted into the
# provider before the old one is revoked), and for a second provider.
LIVE_TOKENS_MAX = 5


@dataclass(frozen=True)
class IssuedScimToken:
    token: ScimToken
    raw: str


def scim_token_create(
    *, organization: Organization, name: str, actor: User | None
) -> IssuedScimToken:
    """Creates a token for the organization's identity provider. The raw
    token is in the answer only: what is stored is its SHA-256."""
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=organization.pk)
        live = ScimToken.objects.live().filter(organization=organization).count()
        if live >= LIVE_TOKENS_MAX:
            raise Conflict(
                f"{organization.company_name} already has {live} live SCIM "
                f"tokens, the most it can have. Revoke one it no longer uses "
                "(POST …/scim-tokens/{token_id}/revoke), then create this one."
            )
        raw = SCIM_TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ScimToken.objects.create(
            organization=organization,
            name=name,
            prefix=raw[:SCIM_TOKEN_SHOWN],
            token_hash=hash_scim_token(raw),
            created_by=actor,
        )
        audit_record(
            action=AuditAction.SCIM_TOKEN_CREATED,
            organization=organization,
            actor=actor,
            target=f"scim_token:{token.pk}",
            details={"name": name, "prefix": token.prefix},
        )
    return IssuedScimToken(token=token, raw=raw)


def scim_token_revoke(
    *, organization: Organization, token_id: int, actor: User | None
) -> ScimToken:
    """Revokes a token: the provider's next call with it answers 401.
    Revoking a revoked token changes nothing."""
    with transaction.atomic():
        token = (
            ScimToken.objects.select_for_update()
            .filter(organization=organization, pk=token_id)
            .first()
        )
        if token is None:
            raise NotFound(
                f"{organization.company_name} has no SCIM token with the id {token_id}."
            )
        if token.revoked_at is None:
            token.revoked_at = clock.now()
            token.save(update_fields=["revoked_at"])
            audit_record(
                action=AuditAction.SCIM_TOKEN_REVOKED,
                organization=organization,
                actor=actor,
                target=f"scim_token:{token.pk}",
                details={"name": token.name, "prefix": token.prefix},
            )
    return token


def scim_token_authenticate(raw: str) -> ScimToken | None:
    """The live token `raw` is, with its organization; None for anything
    else. Marks when it was last used, at most once a minute."""
    if not raw.startswith(SCIM_TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = (
        ScimToken.objects.live()
        .select_related("organization")
        .filter(token_hash=hash_scim_token(raw))
        .first()
    )
    if token is None:
        return None
    now = clock.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token

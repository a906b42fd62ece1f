"""An organization's other email domains: an admin asks for one, staff
verify it once they have checked that the company owns it, an admin
removes one. Only verified domains let people in; people already in keep
their accounts when a domain is removed."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction

from accounts.models import (
    Organization,
    OrganizationDomain,
    User,
    domain_name_validator,
)
from audit.models import AuditAction
from audit.services import audit_record
from procure_site import clock
from procure_site.error_codes import ErrorCode
from procure_site.exceptions import Conflict, DomainError, NotFound

# Enough for a group of brands; more is a conversation with staff.
DOMAINS_MAX = 20


def _clean(domain: str) -> str:
    domain = domain.strip().lower().rstrip(".")
    try:
        domain_name_validator(domain)
    except DjangoValidationError:
        raise DomainError(
            f"{domain!r} is not a domain name: send one such as acme.co.uk.",
            code=ErrorCode.INVALID_FIELD,
        ) from None
    return domain


def organization_domain_request(
    *, organization: Organization, domain: str, actor: User | None
) -> OrganizationDomain:
    """Asks for `domain` to be the organization's too. It lets nobody in
    until staff verify it."""
    domain = _clean(domain)
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        owner = Organization.objects.filter(domain_name=domain).first()
        if owner is not None:
            raise Conflict(
                f"{domain} is already "
                + (
                    f"{locked.company_name}'s first domain."
                    if owner.pk == locked.pk
                    else "another organization's domain in proCure."
                ),
                code=ErrorCode.ALREADY_EXISTS,
            )
        if (
            OrganizationDomain.objects.filter(organization=locked).count()
            >= DOMAINS_MAX
        ):
            raise Conflict(
                f"{locked.company_name} has {DOMAINS_MAX} domains, the most an "
                "organization can have; remove one it no longer uses first."
            )
        try:
            with transaction.atomic():
                row = OrganizationDomain.objects.create(
                    organization=locked, domain=domain, requested_by=actor
                )
        except IntegrityError:
            raise Conflict(
                f"{domain} has already been asked for, by "
                + (
                    f"{locked.company_name}."
                    if OrganizationDomain.objects.filter(
                        organization=locked, domain=domain
                    ).exists()
                    else "another organization; proCure's staff can tell which "
                    "is the company that owns it."
                ),
                code=ErrorCode.ALREADY_EXISTS,
            ) from None
        audit_record(
            action=AuditAction.ORGANIZATION_DOMAIN_REQUESTED,
            organization=locked,
            actor=actor,
            target=domain,
        )
    return row


def organization_domain_verify(
    *, domain: OrganizationDomain, actor: User | None
) -> OrganizationDomain:
    """Staff checked that the company owns the domain: from now on its
    addresses join the organization. Verifying twice changes nothing."""
    with transaction.atomic():
        row = OrganizationDomain.objects.select_for_update().get(pk=domain.pk)
        if row.verified_at is None:
            row.verified_at = clock.now()
            row.save(update_fields=["verified_at"])
            audit_record(
                action=AuditAction.ORGANIZATION_DOMAIN_VERIFIED,
                organization=row.organization,
                actor=actor,
                target=row.domain,
            )
    return row


def organization_domain_remove(
    *, organization: Organization, domain_id: int, actor: User | None
) -> None:
    """Removes one of the organization's other domains: nobody new joins
    from it. Its people stay, and keep their addresses."""
    with transaction.atomic():
        row = (
            OrganizationDomain.objects.select_for_update()
            .filter(organization=organization, pk=domain_id)
            .first()
        )
        if row is None:
            raise NotFound(
                f"{organization.company_name} has no domain with the id {domain_id}."
            )
        row.delete()
        audit_record(
            action=AuditAction.ORGANIZATION_DOMAIN_REMOVED,
            organization=organization,
            actor=actor,
            target=row.domain,
            details={"was_verified": row.verified_at is not None},
        )

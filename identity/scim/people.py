"""Provisioning through SCIM: what an identity provider sends, made into
proCure's people, and proCure's people shown back as SCIM Users.

Every member of the organization is a SCIM User, whether the provider
created them or they signed up with a password (their address is then
their userName), so that a provider connected later finds and takes over
the people already there. A person the provider deletes is deactivated and
hidden from it; their history stays.

The rules are proCure's: people join as members within the seat caps with
their address verified (the provider vouches for it), an address at a
domain another organization owns is refused, and deprovisioning is the
deactivation the API does (device tokens and sessions revoked, seat freed,
open seat questions withdrawn), recorded as one audit event.
"""

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from scim2_models import (
    ConflictException,
    Email,
    InvalidValueException,
    Meta,
    NotFoundException,
    ScimFilter,
    UniquenessException,
)
from scim2_models.path import CompareOperator, Comparison

from accounts import selectors
from accounts.models import Organization, Role, User
from accounts.services import seats
from accounts.services.organizations import user_department_set, user_reactivate
from audit.models import AuditAction
from audit.services import audit_record
from identity.models import ScimToken, ScimUser
from identity.scim.resources import (
    Department,
    Person,
    PersonEmail,
    PersonName,
    PersonResource,
)
from organizations.services import member_deactivate
from procure_site import clock
from procure_site.exceptions import DomainError


@dataclass(frozen=True)
class ScimCaller:
    """The organization a SCIM request acts for, through which token, and
    the base URL its resources are located under."""

    organization: Organization
    token: ScimToken
    base_url: str

    @property
    def via(self) -> dict[str, Any]:
        return {"via": "scim", "scim_prefix": self.token.prefix}

    def location(self, user: User) -> str:
        return f"{self.base_url}/Users/{user.pk}"


def _people(organization: Organization) -> QuerySet[User]:
    """The organization's people as the provider sees them: all but those
    it deleted."""
    return (
        User.objects.filter(organization=organization)
        .exclude(scim__deleted_at__isnull=False)
        .select_related("scim")
        .order_by("date_joined", "pk")
    )


def _scim_of(user: User) -> ScimUser | None:
    try:
        return user.scim
    except ScimUser.DoesNotExist:
        return None


def person_resource(user: User, caller: ScimCaller) -> Person:
    """`user` as a SCIM User."""
    scim = _scim_of(user)
    attributes = scim.attributes if scim is not None else {}
    emails = [
        PersonEmail.model_validate(email) for email in attributes.get("emails", [])
    ]
    name = attributes.get("name")
    resource: Person = PersonResource(
        id=str(user.pk),
        external_id=(scim.external_id or None) if scim else None,
        user_name=scim.user_name if scim else user.email,
        name=PersonName.model_validate(name) if name else None,
        display_name=attributes.get("displayName"),
        active=None
        if attributes.get("activeUnassigned") and user.is_active
        else user.is_active,
        emails=emails
        or [PersonEmail(value=user.email, type=Email.Type.work, primary=True)],
        meta=Meta(
            resource_type="User",
            created=scim.created_at if scim else user.date_joined,
            last_modified=scim.updated_at if scim else user.date_joined,
            location=caller.location(user),
        ),
    )
    if user.department:
        resource[Department] = Department(department=user.department)
    return resource


def _work_email(address: str) -> PersonEmail:
    return PersonEmail(value=address, type=Email.Type.work, primary=True)


def person_get(caller: ScimCaller, person_id: str) -> User:
    pk = _uuid_or_none(person_id)
    user = _people(caller.organization).filter(pk=pk).first() if pk else None
    if user is None:
        raise NotFoundException(
            detail=f"{caller.organization.company_name} has no person with the "
            f"id {person_id}."
        )
    return user


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def people_find(
    caller: ScimCaller, scim_filter: ScimFilter[Any] | None
) -> Iterable[User]:
    """The people a filter selects, in the order they joined.

    `userName eq "…"` and `externalId eq "…"`, what Okta and Entra ID ask
    before creating someone, are one indexed query; any other filter is
    matched by scim2-models against each person of the organization.
    """
    people = _people(caller.organization)
    if scim_filter is None:
        return people
    node = scim_filter.ast
    if (
        isinstance(node, Comparison)
        and node.op == CompareOperator.eq
        and node.attr_path.sub_attr is None
        and isinstance(node.value, str)
    ):
        attr = node.attr_path.attr.lower()
        if attr == "username":
            return people.filter(_user_name_is(node.value))
        if attr == "externalid":
            return people.filter(scim__external_id=node.value)
    return [user for user in people if scim_filter.match(person_resource(user, caller))]


def _user_name_is(user_name: str) -> Q:
    return Q(scim__user_name__iexact=user_name) | Q(
        scim__isnull=True, email__iexact=user_name
    )


def _address_of(resource: Person) -> str:
    """The person's address: their primary email, else their first, else
    their userName if it is an address."""
    emails = [email for email in resource.emails or [] if email.value]
    chosen = next((email for email in emails if email.primary), None) or (
        emails[0] if emails else None
    )
    address = str(chosen.value) if chosen else (resource.user_name or "")
    try:
        validate_email(address)
    except DjangoValidationError:
        raise InvalidValueException(
            detail="proCure needs the person's email address: send it in "
            "emails (the primary one is used) or as userName."
        ) from None
    return address.strip().lower()


def _check_domain(organization: Organization, address: str) -> None:
    """Refuses an address at a domain another organization owns: its people
    join that organization."""
    domain = address.rsplit("@", 1)[-1]
    owner = selectors.organization_for_domain(domain=domain)
    if owner is not None and owner.pk != organization.pk:
        raise InvalidValueException(
            detail=f"{address} is an address at {domain}, which belongs to "
            f"another organization in proCure; {organization.company_name} "
            "can provision addresses at its own domains, and at domains no "
            "organization owns (contractors' addresses, for example)."
        )


def _check_user_name_free(
    organization: Organization, user_name: str, user: User | None
) -> None:
    taken = _people(organization).filter(_user_name_is(user_name))
    if user is not None:
        taken = taken.exclude(pk=user.pk)
    if taken.exists():
        raise UniquenessException(
            detail=f"Another person of {organization.company_name} has the "
            f"userName {user_name}."
        )


def _stored_attributes(resource: Person) -> dict[str, Any]:
    """The attributes kept as the provider sent them, as SCIM JSON."""

    def dumped(value: Any) -> dict[str, Any]:
        return dict(
            value.model_dump(
                scim_ctx=None, mode="json", by_alias=True, exclude_none=True
            )
        )

    attributes: dict[str, Any] = {}
    if resource.name is not None and (name := dumped(resource.name)):
        attributes["name"] = name
    if resource.display_name:
        attributes["displayName"] = resource.display_name
    if resource.active is None:
        # RFC 7644 §3.5.2.2: a removed attribute is unassigned; for proCure
        # an unassigned `active` is the default, active.
        attributes["activeUnassigned"] = True
    department = _department_of(resource)
    if department is not None:
        attributes["department"] = department
    if resource.emails:
        attributes["emails"] = [dumped(email) for email in resource.emails]
    return attributes


def _department_of(resource: Person) -> str | None:
    extension = resource[Department]
    if extension is None:
        return None
    return (extension.department or "").strip()[:100]


@contextmanager
def _provisioning() -> Iterator[None]:
    """One transaction for a provider's request; proCure's own refusals (no
    seat left, the last admin) answer as SCIM 409s with their sentence."""
    try:
        with transaction.atomic():
            yield
    except DomainError as error:
        raise ConflictException(detail=error.detail) from error


def _scim_row(caller: ScimCaller, user: User) -> ScimUser:
    """The person's SCIM row, made for someone the provider finds in proCure
    (their address standing for the userName until it sends one)."""
    scim, _ = ScimUser.objects.get_or_create(
        user=user,
        defaults={
            "organization": caller.organization,
            "user_name": user.email,
            "created_at": user.date_joined,
            "updated_at": user.date_joined,
        },
    )
    return scim


def person_create(caller: ScimCaller, resource: Person) -> User:
    """Creates the person the provider sent, or links the one of the
    organization who already has that address and is not the provider's
    yet (someone who signed up with a password)."""
    organization = caller.organization
    address = _address_of(resource)
    user_name = (resource.user_name or "").strip()
    _check_domain(organization, address)
    active = resource.active is not False
    with _provisioning():
        Organization.objects.select_for_update().get(pk=organization.pk)
        _check_user_name_free(organization, user_name, None)
        user = (
            User.objects.select_for_update(of=("self",)).filter(email=address).first()
        )
        linked = False
        if user is not None:
            scim = _scim_of(user)
            if user.organization_id != organization.pk or (
                scim is not None and scim.deleted_at is None
            ):
                raise UniquenessException(
                    detail=f"{address} is already someone's address in "
                    "proCure"
                    + (
                        f" (the person {user.pk} of this organization)."
                        if user.organization_id == organization.pk
                        else "."
                    )
                )
            linked = True
            if scim is not None:
                scim.delete()
        else:
            if active:
                seats.seat_check_available(organization=organization, role=Role.MEMBER)
            user = User(
                email=address,
                organization=organization,
                role=Role.MEMBER,
                is_active=active,
                email_verified_at=clock.now(),
            )
            user.set_unusable_password()
            user.save()
        now = clock.now()
        ScimUser.objects.create(
            user=user,
            organization=organization,
            user_name=user_name,
            external_id=resource.external_id or "",
            attributes=_stored_attributes(resource),
            created_at=now,
            updated_at=now,
        )
        department = _department_of(resource)
        if department is not None and not linked:
            user.department = department
            user.save(update_fields=["department"])
        audit_record(
            action=AuditAction.USER_PROVISIONED,
            organization=organization,
            actor=None,
            target=user.email,
            details={**caller.via, "user_name": user_name, "linked": linked},
        )
        if linked:
            _apply(caller, user, resource, user_name, address)
    provisioned: User = User.objects.select_related("scim").get(pk=user.pk)
    return provisioned


def person_update(caller: ScimCaller, user: User, resource: Person) -> User:
    """Stores a replaced or patched resource: the attributes the provider
    keeps, the address, the department and whether the person is active."""
    address = _address_of(resource)
    user_name = (resource.user_name or "").strip()
    if not user_name:
        raise InvalidValueException(detail="userName cannot be empty.")
    _check_domain(caller.organization, address)
    with _provisioning():
        Organization.objects.select_for_update().get(pk=caller.organization.pk)
        user = User.objects.select_for_update(of=("self",)).get(pk=user.pk)
        _check_user_name_free(caller.organization, user_name, user)
        _apply(caller, user, resource, user_name, address)
    provisioned: User = User.objects.select_related("scim").get(pk=user.pk)
    return provisioned


def _apply(
    caller: ScimCaller,
    user: User,
    resource: Person,
    user_name: str,
    address: str,
) -> None:
    """Makes `user` what `resource` says, in the caller's transaction; one
    audit event for what the provider changed beyond activity and
    department, which record their own."""
    now = clock.now()
    scim = _scim_row(caller, user)
    previous_attributes = dict(scim.attributes)
    changes: dict[str, Any] = {}
    if address != user.email:
        if User.objects.filter(email=address).exclude(pk=user.pk).exists():
            raise UniquenessException(
                detail=f"{address} is already someone else's address in proCure."
            )
        changes["email"] = {"from": user.email, "to": address}
        user.email = address
        user.email_verified_at = now
        user.save(update_fields=["email", "email_verified_at"])
    if user_name != scim.user_name:
        changes["user_name"] = {"from": scim.user_name, "to": user_name}
    external_id = resource.external_id or ""
    attributes = _stored_attributes(resource)
    if (
        changes
        or external_id != scim.external_id
        or attributes != scim.attributes
        or scim.deleted_at is not None
    ):
        scim.user_name = user_name
        scim.external_id = external_id
        scim.attributes = attributes
        scim.deleted_at = None
        scim.updated_at = now
        scim.save()
    if changes:
        audit_record(
            action=AuditAction.USER_PROVISIONING_CHANGED,
            organization=caller.organization,
            actor=None,
            target=user.email,
            details={**caller.via, **changes},
        )
    department = _department_of(resource)
    if department is None and "department" in previous_attributes:
        # The provider stopped sending the department it had set: it is
        # cleared. A department an admin set in proCure is the provider's
        # only once the provider sends one.
        department = ""
    if department is not None and department != user.department:
        user_department_set(user=user, department=department, actor=None)
    if resource.active is False and user.is_active:
        member_deactivate(user=user, actor=None, via=caller.via)
    elif resource.active is not False and not user.is_active:
        user_reactivate(user=user, actor=None)


def person_delete(caller: ScimCaller, user: User) -> None:
    """The provider deleted the person: deactivated (one audit event) and
    hidden from the provider; their history stays."""
    with _provisioning():
        now = clock.now()
        scim = _scim_row(caller, user)
        scim.deleted_at = now
        scim.updated_at = now
        scim.save(update_fields=["deleted_at", "updated_at"])
        if user.is_active:
            member_deactivate(
                user=user, actor=None, via={**caller.via, "deleted": True}
            )
        else:
            audit_record(
                action=AuditAction.USER_PROVISIONING_CHANGED,
                organization=caller.organization,
                actor=None,
                target=user.email,
                details={**caller.via, "deleted": True},
            )

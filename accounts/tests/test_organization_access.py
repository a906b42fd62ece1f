"""Who may call each operation under organizations/{organization_id}/, as one
table generated from the URLconf: every operation of every
OrganizationScopedView, called on Globex's id by six kinds of caller
(anonymous included).

A view added under that path joins the table by itself, with the access its
class declares (`admins_only`, `staff_permission_model`), so none can be
left out the way the hand-kept list of reads once left out discovery,
notifications and invitations."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import SAFE_METHODS
from rest_framework.test import APIClient

from accounts.models import Invitation, OrganizationDomain, Role
from accounts.permissions import OrganizationScopedView
from accounts.tests.factories import UserFactory
from conftest import client_for, grant
from contracts.models import Contract
from contracts.tests.factories import ContractFactory
from discovery.models import Application, ApplicationMonth
from identity.models import ScimToken
from identity.services.tokens import scim_token_create
from procure_site import clock
from procure_site.exceptions import NOT_SIGNED_IN_DETAIL

pytestmark = pytest.mark.django_db

CALLERS = [
    "anonymous",
    "member",
    "admin of another organization",
    "staff without permission",
    "staff with view",
    "staff with view and change",
]
OWN_ORGANIZATION_ONLY = "You can only see your own organization."
ADMINS_ONLY = "Only admins of the organization can do this."


@dataclass(frozen=True)
class Operation:
    method: str
    route: str
    view: type[OrganizationScopedView]

    @property
    def staff_permission(self) -> str:
        app_label, model = self.view.staff_permission_model.split(".")
        action = "view" if self.method.upper() in SAFE_METHODS else "change"
        return f"{app_label}.{action}_{model}"

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.route}"


def _routes(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def organization_operations() -> list[Operation]:
    """Every (method, route) an OrganizationScopedView serves."""
    operations: list[Operation] = []
    for route, callback in _routes(get_resolver().url_patterns):
        view = getattr(callback, "view_class", getattr(callback, "cls", None))
        if view is None or not issubclass(view, OrganizationScopedView):
            continue
        actions = getattr(callback, "actions", None)
        methods = (
            list(actions)
            if actions
            else [
                m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)
            ]
        )
        operations.extend(Operation(method, route, view) for method in methods)
    return sorted(operations, key=str)


OPERATIONS = organization_operations()


def expected(operation: Operation, caller: str) -> tuple[int, str | None, str | None]:
    """The status, refusal sentence and code the caller must get: 401 or 403
    with its sentence and code, or (200, None, None) when the request
    reaches the handler."""
    staff_refusal = (
        f"Staff need the {operation.staff_permission} permission to do this in "
        "another organization. Ask a superuser to grant it in the admin."
    )
    if caller == "anonymous":
        return 401, NOT_SIGNED_IN_DETAIL, "not_authenticated"
    if caller == "member":
        if operation.view.admins_only:
            return 403, ADMINS_ONLY, "admins_only"
        return 200, None, None
    if caller == "admin of another organization":
        return 403, OWN_ORGANIZATION_ONLY, "other_organization"
    missing = (403, staff_refusal, "staff_permission_missing")
    if caller == "staff without permission":
        return missing
    if caller == "staff with view":
        safe = operation.method.upper() in SAFE_METHODS
        return (200, None, None) if safe else missing
    return 200, None, None


@pytest.fixture
def globex(other_organization, outsider_admin):
    """Globex with a member, a pending invitation, a contract, a SCIM token,
    a requested domain and an application its discovery reported, for the
    paths that name one."""
    member = UserFactory(
        organization=other_organization, role=Role.MEMBER, email="gus@globex.com"
    )
    invitation = Invitation.objects.create(
        organization=other_organization,
        email="new@globex.com",
        role=Role.MEMBER,
        invited_by=outsider_admin,
        expires_at=clock.now() + dt.timedelta(days=7),
    )
    ContractFactory(organization=other_organization)
    scim_token_create(
        organization=other_organization, name="Okta", actor=outsider_admin
    )
    OrganizationDomain.objects.create(
        organization=other_organization, domain="globex.de"
    )
    ApplicationMonth.objects.create(
        organization=other_organization,
        month=clock.previous_month(clock.current_month()),
        application=Application.objects.order_by("pk")[0],
        active_users=other_organization.discovery_min_users,
    )
    return other_organization, member, invitation


def path_of(operation: Operation, organization, member, invitation) -> str:
    return "/" + (
        operation.route.replace("<str:organization_id>", organization.public_id)
        .replace("<uuid:user_id>", str(member.pk))
        .replace("<int:invitation_id>", str(invitation.pk))
        .replace(
            "<int:contract_id>",
            str(Contract.objects.get(organization=organization).pk),
        )
        .replace(
            "<int:application_id>",
            str(ApplicationMonth.objects.get(organization=organization).application_id),
        )
        .replace(
            "<int:domain_id>",
            str(OrganizationDomain.objects.get(organization=organization).pk),
        )
        .replace(
            "<int:token_id>",
            str(ScimToken.objects.get(organization=organization).pk),
        )
    )


def caller_for(kind: str, operation: Operation, organization, admin_user):
    if kind == "member":
        return organization_member(organization)
    if kind == "admin of another organization":
        return admin_user
    staff = UserFactory(organization=None, is_staff=True)
    if kind == "staff with view":
        return grant(staff, operation.staff_permission.replace("change_", "view_"))
    if kind == "staff with view and change":
        view = operation.staff_permission.replace("change_", "view_")
        change = operation.staff_permission.replace("view_", "change_")
        return grant(staff, view, change)
    return staff


def organization_member(organization):
    return UserFactory(organization=organization, role=Role.MEMBER)


def test_it_finds_every_organization_scoped_operation():
    # 41 operations today; the table below has six rows for each.
    assert len(OPERATIONS) == 41
    assert {str(operation) for operation in OPERATIONS} >= {
        "GET api/v1/organizations/<str:organization_id>/discovered-apps",
        "PUT api/v1/organizations/<str:organization_id>/notifications",
        "POST api/v1/organizations/<str:organization_id>/invitations",
        "POST api/v1/organizations/<str:organization_id>/contracts/"
        "<int:contract_id>/reclaims",
        "PATCH api/v1/organizations/<str:organization_id>/discovered-apps/"
        "<int:application_id>",
        "POST api/v1/organizations/<str:organization_id>/scim-tokens/"
        "<int:token_id>/revoke",
    }


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_it_answers_each_caller_as_the_view_declares(
    operation, caller, globex, admin_user
):
    organization, member, invitation = globex
    client = (
        APIClient()
        if caller == "anonymous"
        else client_for(caller_for(caller, operation, organization, admin_user))
    )

    response = getattr(client, operation.method)(
        path_of(operation, organization, member, invitation), {}, format="json"
    )

    status, sentence, code = expected(operation, caller)
    if status in (401, 403):
        assert response.status_code == status, response.content
        assert response.json() == {"detail": sentence, "code": code}
    else:
        # Past the access check the handler answers: the empty body may be a
        # 400, never an access refusal.
        assert response.status_code not in (401, 403, 404), response.content

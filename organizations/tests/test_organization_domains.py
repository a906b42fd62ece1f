"""organizations/{id}/domains: an organization with more than one email
domain. An admin asks, staff verify in the console, and from then on
sign-up, invitations, SCIM and the reports take people of every domain."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Organization, OrganizationDomain, User
from audit.models import AuditAction, AuditEvent
from conftest import grant
from contracts.tests.factories import ContractFactory
from identity.services.tokens import scim_token_create
from procure_site import clock

pytestmark = pytest.mark.django_db


def domains_url(organization) -> str:
    return f"/api/v1/organizations/{organization.public_id}/domains"


def sign_up(email: str):
    return APIClient().post(
        "/api/v1/auth/create-user",
        {"email": email, "password": "Str0ngPass", "device_id": "d1"},
        format="json",
    )


def verify_in_console(staff_user, domain: str) -> None:
    staff = grant(
        staff_user,
        "accounts.view_organizationdomain",
        "accounts.change_organizationdomain",
    )
    browser = Client()
    browser.force_login(staff)
    row = OrganizationDomain.objects.get(domain=domain)
    response = browser.post(
        f"/{settings.ADMIN_URL}accounts/organizationdomain/",
        {"action": "verify", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302


def test_a_second_domain_lets_people_in_once_staff_verify_it(
    admin_client, organization, staff_user
):
    asked = admin_client.post(
        domains_url(organization), {"domain": " Acme.co.uk "}, format="json"
    )

    assert asked.status_code == 201
    assert asked.json()["domain"] == "acme.co.uk"
    assert asked.json()["verified"] is False
    # Asked for, not verified: nobody joins from it yet.
    assert sign_up("jo@acme.co.uk").status_code == 404

    verify_in_console(staff_user, "acme.co.uk")

    listed = admin_client.get(domains_url(organization)).json()
    assert [(d["domain"], d["primary"], d["verified"]) for d in listed] == [
        ("acme.io", True, True),
        ("acme.co.uk", False, True),
    ]
    joined = sign_up("jo@acme.co.uk")
    assert joined.status_code == 201
    assert joined.json()["organization_id"] == organization.public_id
    invited = admin_client.post(
        f"/api/v1/organizations/{organization.public_id}/invitations",
        {"email": "kai@acme.co.uk", "role": "member"},
        format="json",
    )
    assert invited.status_code == 201
    outside = admin_client.post(
        f"/api/v1/organizations/{organization.public_id}/invitations",
        {"email": "kai@acme.de", "role": "member"},
        format="json",
    )
    assert outside.status_code == 400
    assert outside.json()["detail"] == (
        "Only addresses at acme.io or acme.co.uk can join Acme."
    )
    actions = list(
        AuditEvent.objects.filter(target="acme.co.uk")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.ORGANIZATION_DOMAIN_REQUESTED,
        AuditAction.ORGANIZATION_DOMAIN_VERIFIED,
    ]


def test_people_of_every_domain_count_in_the_contracts_usage(
    admin_client, organization, staff_user
):
    admin_client.post(domains_url(organization), {"domain": "acme.de"}, format="json")
    verify_in_console(staff_user, "acme.de")
    ContractFactory(organization=organization, host="slack.com", vendor_name="Slack")
    token = sign_up("ute@acme.de").json()["device_token"]
    User.objects.filter(email="ute@acme.de").update(email_verified_at=clock.now())
    extension = APIClient()
    extension.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    moment = clock.now() - dt.timedelta(minutes=5)
    visit = {
        "url": "https://app.slack.com/x",
        "timestamp": int(moment.timestamp() * 1000),
    }

    recorded = extension.post("/api/v1/url-visits", {"entries": [visit]}, format="json")

    assert recorded.json()["recorded"] == 1
    usage = admin_client.get(
        f"/api/v1/organizations/{organization.public_id}/contract-usage",
        {"month": moment.strftime("%Y-%m")},
    ).json()
    assert usage["contracts"][0]["active_users"] == 1


def test_scim_provisions_a_verified_domain_and_refuses_it_to_others(
    admin_client, organization, staff_user, outsider_admin, other_organization
):
    admin_client.post(domains_url(organization), {"domain": "acme.de"}, format="json")
    verify_in_console(staff_user, "acme.de")
    ours = APIClient()
    ours.credentials(
        HTTP_AUTHORIZATION="Bearer "
        + scim_token_create(organization=organization, name="Okta", actor=None).raw
    )
    theirs = APIClient()
    theirs.credentials(
        HTTP_AUTHORIZATION="Bearer "
        + scim_token_create(organization=other_organization, name="x", actor=None).raw
    )
    person = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "eva@acme.de",
        "emails": [{"value": "eva@acme.de", "primary": True}],
    }

    assert theirs.post("/scim/v2/Users", person, format="json").status_code == 400
    assert ours.post("/scim/v2/Users", person, format="json").status_code == 201


def test_a_removed_domain_lets_nobody_new_in_and_keeps_its_people(
    admin_client, organization, staff_user
):
    made = admin_client.post(
        domains_url(organization), {"domain": "acme.de"}, format="json"
    ).json()
    verify_in_console(staff_user, "acme.de")
    assert sign_up("ute@acme.de").status_code == 201

    removed = admin_client.delete(f"{domains_url(organization)}/{made['id']}")

    assert removed.status_code == 204
    assert sign_up("max@acme.de").status_code == 404
    assert User.objects.get(email="ute@acme.de").organization == organization
    event = AuditEvent.objects.get(action=AuditAction.ORGANIZATION_DOMAIN_REMOVED)
    assert event.details == {"was_verified": True}


@pytest.mark.parametrize(
    ("domain", "status", "detail"),
    [
        ("acme.io", 409, "acme.io is already Acme's first domain."),
        (
            "globex.com",
            409,
            "globex.com is already another organization's domain in proCure.",
        ),
        (
            "not a domain",
            400,
            "'not a domain' is not a domain name: send one such as acme.co.uk.",
        ),
        ("", 400, None),
    ],
)
def test_domains_that_cannot_be_asked_for_say_why(
    admin_client, organization, other_organization, domain, status, detail
):
    response = admin_client.post(
        domains_url(organization), {"domain": domain}, format="json"
    )

    assert response.status_code == status
    if detail:
        assert response.json()["detail"] == detail
    assert not OrganizationDomain.objects.exists()


def test_a_domain_another_organization_asked_for_is_taken(
    admin_client, outsider_client, organization, other_organization
):
    outsider_client.post(
        domains_url(other_organization), {"domain": "acme.de"}, format="json"
    )

    response = admin_client.post(
        domains_url(organization), {"domain": "acme.de"}, format="json"
    )

    assert response.status_code == 409
    assert "another organization" in response.json()["detail"]


def test_members_and_other_organizations_cannot_change_domains(
    admin_client, member_client, outsider_client, organization
):
    made = admin_client.post(
        domains_url(organization), {"domain": "acme.de"}, format="json"
    ).json()

    for client in (member_client, outsider_client):
        assert client.get(domains_url(organization)).status_code == 403
        asked = client.post(
            domains_url(organization), {"domain": "x.io"}, format="json"
        )
        assert asked.status_code == 403
        removed = client.delete(f"{domains_url(organization)}/{made['id']}")
        assert removed.status_code == 403
    assert list(OrganizationDomain.objects.values_list("domain", flat=True)) == [
        "acme.de"
    ]


def test_staff_cannot_create_an_organization_on_another_ones_domain(
    admin_client, organization, staff_user
):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from accounts.models import Organization

    admin_client.post(domains_url(organization), {"domain": "acme.de"}, format="json")
    admin_client.post(domains_url(organization), {"domain": "acme.fr"}, format="json")
    verify_in_console(staff_user, "acme.de")

    # Verified: the command finds Acme, as it finds an organization's first
    # domain, and creates nothing.
    out = StringIO()
    call_command(
        "create_organization", "--domain", "acme.de", "--company", "X", stdout=out
    )
    assert "Acme (acme.io)" in out.getvalue()
    # Asked for only: refused, saying whose it is.
    with pytest.raises(CommandError, match=r"acme\.fr has already been asked for"):
        call_command("create_organization", "--domain", "acme.fr", "--company", "Y")
    assert list(Organization.objects.values_list("domain_name", flat=True)) == [
        "acme.io"
    ]


def test_the_console_refuses_an_organization_on_another_ones_domain(
    admin_client, organization
):
    from accounts.tests.factories import UserFactory

    admin_client.post(domains_url(organization), {"domain": "acme.de"}, format="json")
    superuser = UserFactory(organization=None, is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(superuser)

    page = browser.post(
        f"/{settings.ADMIN_URL}accounts/organization/add/",
        {
            "company_name": "Other",
            "domain_name": "acme.de",
            "admin_seats": 1,
            "member_seats": 10,
            "reporting_currency": "USD",
            "reclaim_reply_days": 7,
        },
    )

    assert page.status_code == 200
    assert "acme.de has already been asked for by Acme" in page.content.decode()
    assert not Organization.objects.filter(domain_name="acme.de").exists()

"""/scim/v2/Users as Okta and Entra ID call it: people created, found,
changed and deprovisioned, within the organization's rules."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Role, User
from accounts.services.sessions import device_token_issue
from audit.models import AuditAction, AuditEvent
from identity.models import ScimUser
from identity.services.tokens import scim_token_create

pytestmark = pytest.mark.django_db

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def scim_for(organization, admin) -> APIClient:
    raw = scim_token_create(organization=organization, name="Okta", actor=admin).raw
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def scim(organization, admin_user):
    return scim_for(organization, admin_user)


def okta_user(address: str, **extra: object) -> dict[str, object]:
    """What Okta's SCIM 2.0 app sends to create a person."""
    given, family = address.split("@")[0].split(".") + ["x"] * (
        2 - len(address.split("@")[0].split("."))
    )
    return {
        "schemas": [USER],
        "userName": address,
        "name": {"givenName": given.title(), "familyName": family.title()},
        "emails": [{"primary": True, "value": address, "type": "work"}],
        "displayName": f"{given.title()} {family.title()}",
        "locale": "en-US",
        "externalId": "00u1abcd",
        "groups": [],
        "active": True,
        **extra,
    }


def post(client, path, body):
    return client.post(path, body, format="json", HTTP_ACCEPT="application/scim+json")


def patch(client, path, operations):
    return client.patch(
        path, {"schemas": [PATCH], "Operations": operations}, format="json"
    )


def test_okta_finds_then_creates_a_person_who_joins_as_a_verified_member(
    scim, organization
):
    found = scim.get('/scim/v2/Users?filter=userName eq "jane.doe@acme.io"')
    assert found.status_code == 200
    assert found.json()["totalResults"] == 0

    response = post(scim, "/scim/v2/Users", okta_user("jane.doe@acme.io"))

    assert response.status_code == 201
    assert response["Content-Type"] == "application/scim+json"
    body = response.json()
    assert response["Location"].endswith(f"/scim/v2/Users/{body['id']}")
    assert body["userName"] == "jane.doe@acme.io"
    assert body["name"] == {"givenName": "Jane", "familyName": "Doe"}
    assert body["active"] is True
    assert "locale" not in body  # not kept: ignored, not refused
    user = User.objects.get(pk=body["id"])
    assert user.organization == organization
    assert user.role == Role.MEMBER
    assert user.email_verified and user.is_active
    assert not user.has_usable_password()
    event = AuditEvent.objects.get(action=AuditAction.USER_PROVISIONED)
    assert event.target == "jane.doe@acme.io"
    assert event.details["via"] == "scim"
    again = scim.get('/scim/v2/Users?filter=userName eq "Jane.Doe@acme.io"').json()
    assert [r["id"] for r in again["Resources"]] == [body["id"]]


def test_people_already_there_are_listed_and_linked_not_duplicated(
    scim, organization, admin_user, member
):
    listed = scim.get("/scim/v2/Users").json()
    assert {r["userName"] for r in listed["Resources"]} == {
        "ada@acme.io",
        "max@acme.io",
    }

    # Entra ID looks people up by another userName, then creates them.
    response = post(
        scim,
        "/scim/v2/Users",
        {
            "schemas": [USER],
            "userName": "max.m",
            "externalId": "e-17",
            "emails": [{"value": "max@acme.io", "type": "work", "primary": True}],
            "active": True,
        },
    )

    assert response.status_code == 201
    assert response.json()["id"] == str(member.pk)
    assert User.objects.filter(email="max@acme.io").count() == 1
    assert AuditEvent.objects.get(action=AuditAction.USER_PROVISIONED).details["linked"]
    by_external = scim.get('/scim/v2/Users?filter=externalId eq "e-17"').json()
    assert [r["userName"] for r in by_external["Resources"]] == ["max.m"]


def test_a_scim_deactivation_ends_the_extension_frees_the_seat_in_one_event(
    scim, organization, member
):
    organization.member_seats = 1
    organization.save()
    raw = device_token_issue(user=member, device_id="ext-1")
    extension = APIClient()
    extension.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    visit = {"entries": [{"url": "https://slack.com/x", "timestamp": 1}]}
    assert extension.post("/api/v1/url-visits", visit, format="json").status_code != 401
    full = post(scim, "/scim/v2/Users", okta_user("new.hire@acme.io"))
    assert full.status_code == 409
    assert "no member seats left" in full.json()["detail"]
    AuditEvent.objects.all().delete()

    response = patch(
        scim,
        f"/scim/v2/Users/{member.pk}",
        [{"op": "replace", "value": {"active": False}}],
    )

    assert response.status_code == 200
    assert response.json()["active"] is False
    refused = extension.post("/api/v1/url-visits", visit, format="json")
    assert refused.status_code == 401
    events = list(AuditEvent.objects.all())
    assert [(e.action, e.target) for e in events] == [
        (AuditAction.USER_DEACTIVATED, "max@acme.io")
    ]
    assert events[0].details["via"] == "scim"
    assert events[0].details["scim_prefix"].startswith("scim_")
    assert events[0].details["devices"] == 1
    assert events[0].actor is None
    # The seat is free: the new hire gets it.
    assert (
        post(scim, "/scim/v2/Users", okta_user("new.hire@acme.io")).status_code == 201
    )


def test_entra_style_patches_are_understood(scim, organization):
    person = post(scim, "/scim/v2/Users", okta_user("sam.lee@acme.io")).json()
    url = f"/scim/v2/Users/{person['id']}"

    response = patch(
        scim,
        url,
        [
            {"op": "Replace", "path": "displayName", "value": "Samantha Lee"},
            {
                "op": "Replace",
                "path": 'emails[type eq "work"].value',
                "value": "samantha.lee@acme.io",
            },
            {"op": "Add", "path": "title", "value": "Engineer"},
            {
                "op": "Add",
                "path": f"{ENTERPRISE}:department",
                "value": "Engineering",
            },
            {"op": "Replace", "path": "active", "value": "False"},
        ],
    )

    assert response.status_code == 200, response.json()
    user = User.objects.get(pk=person["id"])
    assert user.email == "samantha.lee@acme.io"
    assert user.department == "Engineering"
    assert user.is_active is False
    body = scim.get(url).json()
    assert body["displayName"] == "Samantha Lee"
    assert body[ENTERPRISE] == {"department": "Engineering"}
    changed = AuditEvent.objects.get(action=AuditAction.USER_PROVISIONING_CHANGED)
    assert changed.details["email"] == {
        "from": "sam.lee@acme.io",
        "to": "samantha.lee@acme.io",
    }


def test_a_deleted_person_is_deactivated_hidden_and_can_come_back(scim, organization):
    person = post(scim, "/scim/v2/Users", okta_user("lee.park@acme.io")).json()
    url = f"/scim/v2/Users/{person['id']}"

    assert scim.delete(url).status_code == 204

    assert scim.get(url).status_code == 404
    listed = scim.get("/scim/v2/Users").json()["Resources"]
    assert [r["userName"] for r in listed] == ["ada@acme.io"]
    user = User.objects.get(pk=person["id"])
    assert user.is_active is False
    event = AuditEvent.objects.get(action=AuditAction.USER_DEACTIVATED)
    assert event.details["deleted"] is True
    again = post(scim, "/scim/v2/Users", okta_user("lee.park@acme.io"))
    assert again.status_code == 201
    assert again.json()["id"] == person["id"]
    assert User.objects.get(pk=person["id"]).is_active is True


def test_addresses_the_organization_may_not_provision_are_refused(
    scim, organization, outsider_admin, other_organization
):
    # globex.com belongs to Globex: its people join Globex.
    theirs = post(scim, "/scim/v2/Users", okta_user("kim@globex.com"))
    assert theirs.status_code == 400
    assert theirs.json()["scimType"] == "invalidValue"
    assert "belongs to another organization" in theirs.json()["detail"]
    # A contractor's address at a domain nobody owns is fine.
    contractor = post(scim, "/scim/v2/Users", okta_user("pat@agency.example"))
    assert contractor.status_code == 201
    # Twice the same userName is a uniqueness conflict.
    twice = post(scim, "/scim/v2/Users", okta_user("pat@agency.example"))
    assert twice.status_code == 409
    assert twice.json()["scimType"] == "uniqueness"
    # No address at all.
    bare = post(scim, "/scim/v2/Users", {"schemas": [USER], "userName": "pat2"})
    assert bare.status_code == 400
    assert set(
        User.objects.filter(organization=organization).values_list("email", flat=True)
    ) == {"ada@acme.io", "pat@agency.example"}


def test_the_last_admin_cannot_be_deprovisioned(scim, admin_user):
    response = patch(
        scim,
        f"/scim/v2/Users/{admin_user.pk}",
        [{"op": "replace", "path": "active", "value": False}],
    )

    assert response.status_code == 409
    assert "last admin" in response.json()["detail"]
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_a_token_sees_only_its_own_organizations_people(
    scim, organization, outsider_admin, other_organization
):
    theirs = scim_for(other_organization, outsider_admin)
    url = f"/scim/v2/Users/{outsider_admin.pk}"

    assert scim.get(url).status_code == 404
    assert (
        patch(
            scim, url, [{"op": "replace", "path": "active", "value": False}]
        ).status_code
        == 404
    )
    assert scim.delete(url).status_code == 404
    assert theirs.get(url).status_code == 200
    outsider_admin.refresh_from_db()
    assert outsider_admin.is_active
    assert not ScimUser.objects.filter(user=outsider_admin).exists()
    listed = scim.get('/scim/v2/Users?filter=userName eq "olga@globex.com"').json()
    assert listed["totalResults"] == 0


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("post", "/scim/v2/Users", "not json", 400),
        ("post", "/scim/v2/Users", [1, 2], 400),
        ("post", "/scim/v2/Users", {"schemas": [USER]}, 400),
        (
            "post",
            "/scim/v2/Users",
            {"schemas": [USER], "userName": 5, "emails": 3},
            400,
        ),
        ("get", "/scim/v2/Users?filter=userName eq", None, 400),
        ("get", "/scim/v2/Users?filter=nosuch eq 1", None, 400),
        ("get", "/scim/v2/Users?count=abc", None, 400),
        ("get", "/scim/v2/Users/not-a-uuid", None, 404),
        ("patch", "/scim/v2/Users/{id}", {"Operations": "x"}, 400),
        (
            "patch",
            "/scim/v2/Users/{id}",
            {"schemas": [PATCH], "Operations": [{"op": "nope"}]},
            400,
        ),
        ("put", "/scim/v2/Users/{id}", {"schemas": [USER], "userName": "x"}, 400),
        ("get", "/scim/v2/Groups", None, 404),
        ("delete", "/scim/v2/Users", None, 405),
    ],
)
def test_bad_input_is_a_scim_error_never_a_500(
    scim, member, method, path, body, status
):
    kwargs: dict[str, object] = {}
    if body is not None:
        kwargs = (
            {"data": body, "content_type": "application/scim+json"}
            if isinstance(body, str)
            else {"data": body, "format": "json"}
        )
    response = getattr(scim, method)(path.replace("{id}", str(member.pk)), **kwargs)

    assert response.status_code == status
    assert response.json()["detail"]
    member.refresh_from_db()
    assert member.is_active

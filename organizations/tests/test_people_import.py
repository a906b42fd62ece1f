"""POST organizations/{id}/people/import: departments from a CSV of people,
all rows or none."""

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from accounts.tests.factories import UserFactory
from audit.models import AuditAction, AuditEvent


def upload(client, organization, text: str):
    csv_file = SimpleUploadedFile("people.csv", text.encode(), "text/csv")
    return client.post(
        f"/api/v1/organizations/{organization.public_id}/people/import",
        {"file": csv_file},
        format="multipart",
    )


def departments() -> dict[str, str]:
    return dict(User.objects.values_list("email", "department"))


def test_it_sets_the_departments_the_file_gives(admin_client, organization, member):
    UserFactory(organization=organization, email="eve@acme.io", department="Sales")

    response = upload(
        admin_client,
        organization,
        "Email;Department\nMAX@acme.io;Engineering\neve@acme.io;Sales\n",
    )

    assert response.status_code == 200
    assert response.json() == {"updated": 1, "unchanged": 1}
    assert departments()["max@acme.io"] == "Engineering"
    event = AuditEvent.objects.get(action=AuditAction.USER_DEPARTMENT_CHANGED)
    assert event.details == {"from": "", "to": "Engineering"}


def test_it_changes_nobody_when_a_row_is_bad(
    admin_client, organization, member, outsider_admin
):
    before = departments()

    response = upload(
        admin_client,
        organization,
        "email,department\n"
        "max@acme.io,Engineering\n"
        f"{outsider_admin.email},Sales\n"
        "not-an-email,Sales\n",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_rows"
    assert response.json()["rows"] == [
        {"row": 4, "errors": ['email "not-an-email" is not an email address.']}
    ]
    fixed = upload(
        admin_client,
        organization,
        f"email,department\nmax@acme.io,Engineering\n{outsider_admin.email},Sales\n",
    )
    assert fixed.json()["rows"] == [
        {
            "row": 3,
            "errors": [f"{outsider_admin.email} is not a person of this organization."],
        }
    ]
    assert departments() == before


def test_it_names_a_wrong_header(admin_client, organization):
    response = upload(admin_client, organization, "mail,team\nmax@acme.io,Sales\n")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The header must be email,department (one person a line below it).",
        "code": "invalid_file",
    }

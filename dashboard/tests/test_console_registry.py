"""The staff console owns the Organization and User pages of the admin: one
registration each, from dashboard/admin.py, whatever the order of
INSTALLED_APPS."""

from django.contrib import admin

from accounts.models import DeviceToken, Invitation, Organization, User


def test_the_console_registers_the_organization_and_user_pages():
    registered = {
        model: type(model_admin).__module__
        for model, model_admin in admin.site._registry.items()
    }

    assert registered[Organization] == "dashboard.admin"
    assert registered[User] == "dashboard.admin"
    # The records that are not the console's stay with their app.
    assert registered[DeviceToken] == "accounts.admin"
    assert registered[Invitation] == "accounts.admin"


def test_the_console_pages_answer_for_staff(client, staff_user, organization):
    client.force_login(staff_user)

    assert client.get("/admin/accounts/organization/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    usage = f"/admin/accounts/organization/{organization.pk}/usage/"
    assert client.get(usage).status_code == 200

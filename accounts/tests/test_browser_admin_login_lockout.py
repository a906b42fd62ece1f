"""What a staff member sees when the admin login refuses their address."""

import pytest
from django.conf import settings

from accounts.models import User
from conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_says_why_sign_in_is_locked_and_how_to_unlock_it(live_server, page):
    User.objects.create_superuser("root@procure.example", "Sup3rSecret!")
    login = f"{live_server.url}/{settings.ADMIN_URL}login/"

    for password in ["wrong-password"] * settings.AXES_FAILURE_LIMIT + ["Sup3rSecret!"]:
        page.goto(login)
        page.get_by_label("Email").fill("root@procure.example")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()

    note = page.locator(".errornote")
    assert "sign-in from here is locked for a while" in note.inner_text()
    reset = page.get_by_role("link", name="reset your password")
    assert reset.get_attribute("href") == "/account/reset-password"
    screenshot(page, "admin-login-locked")

"""The browser-test set-up itself: Debian's chromium, driven by Playwright,
reaches the live server and renders a page with its static files."""

import pytest
from playwright.sync_api import expect

from conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_admin_login_page_with_its_styles(live_server, page):
    page.goto(f"{live_server.url}/admin/login/")

    assert page.title().startswith("Log in")
    expect(page.get_by_label("Email")).to_be_visible()
    # The admin's stylesheet is served (whitenoise), so the page is styled.
    header = page.locator("#header")
    assert header.evaluate("e => getComputedStyle(e).display") != "inline"
    screenshot(page, "admin-login")

"""The API docs work on a network without internet access: with every
request to another host refused, Swagger UI and ReDoc still list the
operations."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def block_other_hosts(page, live_server) -> list[str]:
    """Aborts every request that is not to the live server; returns their URLs."""
    blocked: list[str] = []
    own = urlsplit(live_server.url).netloc

    def route(request_route):
        url = request_route.request.url
        if urlsplit(url).netloc == own:
            request_route.continue_()
        else:
            blocked.append(url)
            request_route.abort()

    page.route("**/*", route)
    return blocked


def test_it_lists_the_operations_in_swagger_ui_offline(live_server, page):
    blocked = block_other_hosts(page, live_server)

    page.goto(f"{live_server.url}/docs")

    page.locator(".opblock-summary-path").first.wait_for(timeout=15_000)
    expect(page.get_by_text("/api/v1/auth/sign-in", exact=True).first).to_be_visible()
    tags = page.locator(".opblock-tag").all_inner_texts()
    assert [tag.split("\n")[0] for tag in tags] == [
        "auth",
        "url-visits",
        "me",
        "contracts",
        "organizations",
        "analytics",
        "reclaims",
        "identity",
        "health",
    ]
    assert blocked == []
    screenshot(page, "api-docs-swagger-offline")


def test_it_lists_the_operations_in_redoc_offline(live_server, page):
    blocked = block_other_hosts(page, live_server)

    page.goto(f"{live_server.url}/redoc")

    heading = page.locator("h2", has_text="Record the extension's visits")
    heading.first.wait_for(timeout=15_000)
    assert page.locator("h2", has_text="Sign in with email and password").count()
    assert blocked == []
    screenshot(page, "api-docs-redoc-offline")

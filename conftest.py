"""Shared fixtures: an organization with an admin and a member, an outsider
from another organization, and API clients for each way of signing in."""

import json
import os
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.test.client import Client
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.tests.factories import OrganizationFactory, UserFactory
from discovery.models import Application
from procure_site.error_codes import ERROR_CODES, ErrorCode
from url_visits.activity_partitions import activity_partitions_ready
from url_visits.selectors import contract_host_matches_forget

WEB_ORIGIN = "http://localhost:3000"
_load_catalog = import_module("discovery.migrations.0002_load_catalog").load_catalog


@pytest.fixture(scope="session", autouse=True)
def _activity_partitions_listed(django_db_setup, django_db_blocker):
    # Ingestion lists the activity partitions once per process (PostgreSQL);
    # done here, so that no test counting queries pays for it.
    with django_db_blocker.unblock():
        activity_partitions_ready(days=[])


@pytest.fixture(autouse=True)
def _clock_pinned_first(request):
    """A test that depends on the day says which with time-machine's marker,
    `@pytest.mark.time_machine(datetime(2026, 12, 15, 12, tzinfo=UTC))`. Its
    clock (procure_site.clock, and every other "now" in the process) moves
    there before any other fixture runs, so that the organizations, tokens and
    activity they make are made on that day too. Other tests run on the
    machine's own clock and must pass on any day (.ci/run tries several)."""
    if request.node.get_closest_marker("time_machine") is not None:
        request.getfixturevalue("time_machine")


@pytest.fixture(autouse=True)
def _bundled_catalog(request, _clock_pinned_first):
    """The discovery catalog that a data migration loads, in every test that
    uses the database. A transactional test flushes every table, the
    catalog's included; pytest-django runs those last in one process, but
    under pytest-xdist (`make test`) a process may run one before others."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    elif marker is not None or "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        return
    if not Application.objects.exists():
        # Loaded as the migration loads it: no audit event, which tests count.
        _load_catalog(django_apps, None)


SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def error_code_problem(response) -> str | None:
    """What is wrong with the `code` of an error answer, or None.

    Every JSON error the API sends carries a code from ErrorCode that goes
    with its status (procure_site/error_codes.py); the account pages' HTML
    and the admin's pages are for people and carry none.
    """
    if response.status_code < 400 or "json" not in response.get("Content-Type", ""):
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        return "the error body is not JSON"
    if not isinstance(body, dict) or "detail" not in body:
        return f"the error body has no detail: {body!r}"
    if response.get("Content-Type") == "application/scim+json":
        # /scim/v2/ answers RFC 7644's Error, which carries the status.
        if body.get("schemas") != [SCIM_ERROR] or body.get("status") != str(
            response.status_code
        ):
            return f"the SCIM error body is not an Error of its status: {body!r}"
        return None
    code = body.get("code")
    if code not in {known.value for known in ErrorCode}:
        return f"the error body has no known code: {body!r}"
    statuses, _ = ERROR_CODES[ErrorCode(code)]
    if response.status_code not in statuses:
        return f"{code} comes with {statuses}, not {response.status_code}"
    return None


_client_request = Client.request


def _request_checked(self, **request):
    response = _client_request(self, **request)
    problem = error_code_problem(response)
    if problem is not None:
        pytest.fail(f"{request.get('PATH_INFO')}: {problem}")
    return response


@pytest.fixture(autouse=True)
def _error_codes_checked(monkeypatch):
    """Checks the code of every error answer that a test client receives."""
    monkeypatch.setattr(Client, "request", _request_checked)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    # The test OpenID provider listens on loopback (identity/tests).
    settings.OIDC_ALLOW_PRIVATE_ISSUERS = True
    # Argon2 is deliberately slow; tests hash hundreds of passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The hashed-name manifest exists only after collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    _caches_clear()
    contract_host_matches_forget()
    yield
    _caches_clear()
    contract_host_matches_forget()


def _caches_clear() -> None:
    # The database cache needs no clearing, and a test without the database
    # could not: its rows go with the test's transaction, or with the flush
    # after a transactional test.
    for alias in caches:
        if not isinstance(caches[alias], DatabaseCache):
            caches[alias].clear()


@pytest.fixture
def organization(db):
    return OrganizationFactory(domain_name="acme.io", company_name="Acme")


@pytest.fixture
def admin_user(organization):
    return UserFactory(organization=organization, role=Role.ADMIN, email="ada@acme.io")


@pytest.fixture
def member(organization):
    return UserFactory(organization=organization, role=Role.MEMBER, email="max@acme.io")


@pytest.fixture
def other_organization(db):
    return OrganizationFactory(domain_name="globex.com", company_name="Globex")


@pytest.fixture
def outsider_admin(other_organization):
    return UserFactory(
        organization=other_organization, role=Role.ADMIN, email="olga@globex.com"
    )


def grant(user, *permissions: str):
    """Gives `user` Django permissions named "app_label.codename"; returns it
    fresh from the database, as has_perm caches what it found."""
    from django.contrib.auth.models import Permission

    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return type(user).objects.get(pk=user.pk)


# What support staff are granted: to read any organization's data and to
# change its users and settings.
SUPPORT_PERMISSIONS = [
    "accounts.view_organization",
    "accounts.change_organization",
    "accounts.view_user",
    "accounts.change_user",
    "accounts.view_devicetoken",
    "url_visits.view_activity",
    "audit.view_auditevent",
]


@pytest.fixture
def staff_user(db):
    """A staff member with the support permissions."""
    user = UserFactory(organization=None, is_staff=True, email="sam@procure.example")
    return grant(user, *SUPPORT_PERMISSIONS)


@pytest.fixture
def bare_staff_user(db):
    """A staff account with no model permission at all."""
    return UserFactory(organization=None, is_staff=True, email="bo@procure.example")


@pytest.fixture
def anon_client():
    return APIClient()


def client_for(user) -> APIClient:
    """An APIClient signed in as `user` with a JWT access token."""
    from rest_framework_simplejwt.tokens import AccessToken

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


@pytest.fixture
def admin_client(admin_user):
    return client_for(admin_user)


@pytest.fixture
def member_client(member):
    return client_for(member)


@pytest.fixture
def outsider_client(outsider_admin):
    return client_for(outsider_admin)


@pytest.fixture
def staff_client(staff_user):
    return client_for(staff_user)


@pytest.fixture
def device_client(member):
    """The extension: a member signed in with a device token."""
    from accounts.services.sessions import device_token_issue

    raw_token = device_token_issue(user=member, device_id="ext-1")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_token}")
    return client


# Browser tests: Playwright for Python driving Debian's chromium package
# (`apt-get install chromium`; .ci/run installs it). Playwright's own browser
# download is never used. Mark a test `browser` and take `page` (a fresh
# page) with pytest-django's `live_server`.
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without chromium the browser tests skip, with one line saying how to run
# them; .ci/run sets this, so that there they fail instead.
REQUIRE_BROWSER_TESTS = os.environ.get("REQUIRE_BROWSER_TESTS") == "true"
NO_CHROMIUM = (
    f"Browser tests skipped: they need {CHROMIUM} (apt-get install -y chromium), "
    "then run make test again."
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        if REQUIRE_BROWSER_TESTS:
            pytest.fail(NO_CHROMIUM.replace("skipped", "cannot run"))
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which
    # makes Django refuse ORM calls from test code; the test's own thread
    # never shares a connection with the live server's, so this is safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A page at a laptop's width; `page.set_viewport_size` for a phone."""
    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Saves what the page shows as screenshots/<name>.png for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pytest_terminal_summary(terminalreporter):
    """One line, not one per test, when the browser tests could not run."""
    skipped = terminalreporter.stats.get("skipped", [])
    if any(NO_CHROMIUM in str(report.longrepr) for report in skipped):
        terminalreporter.write_line(NO_CHROMIUM, yellow=True)

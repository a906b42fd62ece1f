import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from audit.models import AuditAction, AuditEvent
from audit.services import audit_record

ADMIN = "/" + settings.ADMIN_URL + "audit/auditevent/"


@pytest.fixture
def staff_browser(db):
    superuser = User.objects.create_superuser("root@procure.example", "Sup3rSecret!")
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def events(organization, other_organization, admin_user, outsider_admin):
    return [
        audit_record(
            action=AuditAction.USER_SIGNED_UP,
            organization=organization,
            actor=admin_user,
            target="ada@acme.io",
        ),
        audit_record(
            action=AuditAction.TOKEN_REVOKED,
            organization=other_organization,
            actor=outsider_admin,
            target="olga@globex.com",
        ),
    ]


def listed(response) -> list[AuditEvent]:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_it_lists_filters_and_searches_events(staff_browser, organization, events):
    assert listed(staff_browser.get(ADMIN)) == events[::-1]
    assert listed(
        staff_browser.get(f"{ADMIN}?organization__id__exact={organization.pk}")
    ) == [events[0]]
    assert listed(staff_browser.get(f"{ADMIN}?action__exact=token.revoked")) == [
        events[1]
    ]
    assert listed(staff_browser.get(f"{ADMIN}?q=olga@")) == [events[1]]


def test_it_shows_an_event_but_changes_nothing(staff_browser, events):
    event = events[0]

    page = staff_browser.get(f"{ADMIN}{event.pk}/change/")
    changed = staff_browser.post(
        f"{ADMIN}{event.pk}/change/", {"target": "someone else"}
    )
    deleted = staff_browser.post(f"{ADMIN}{event.pk}/delete/", {"post": "yes"})
    added = staff_browser.get(f"{ADMIN}add/")

    assert page.status_code == 200
    assert "ada@acme.io" in page.content.decode()
    assert (changed.status_code, deleted.status_code, added.status_code) == (
        403,
        403,
        403,
    )
    event.refresh_from_db()
    assert event.target == "ada@acme.io"
    assert AuditEvent.objects.count() == 2


def test_it_offers_no_bulk_delete(staff_browser, events):
    page = staff_browser.get(ADMIN)
    staff_browser.post(
        ADMIN,
        {
            "action": "delete_selected",
            "_selected_action": [e.pk for e in events],
            "post": "yes",
        },
    )

    assert page.context["action_form"] is None
    assert AuditEvent.objects.count() == 2

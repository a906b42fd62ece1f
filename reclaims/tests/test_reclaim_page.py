"""/reclaim?token=…: the page an emailed link opens, where a person answers
Keep it or Release it without signing in."""

import datetime as dt

import pytest
from django.test import Client

from audit.models import AuditEvent
from procure_site import clock
from reclaims.links import reclaim_token_make
from reclaims.models import Reclaim, ReclaimState
from reclaims.tests.helpers import answer, page_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def reclaim(organization, admin_user, seats) -> Reclaim:
    return Reclaim.objects.create(
        organization=organization,
        contract=seats.figma,
        user=seats.ann,
        started_by=admin_user,
        last_active_day=clock.today() - dt.timedelta(days=60),
        asked_at=clock.now(),
        answer_by=clock.now() + dt.timedelta(days=7),
    )


def test_it_asks_the_question_with_two_buttons(reclaim):
    response = Client().get(page_url(reclaim))

    assert response.status_code == 200
    text = response.content.decode()
    assert "Do you still need your Figma seat?" in text
    assert "Acme pays for a Figma seat for <strong>ann@acme.io</strong>" in text
    assert 'value="keep">Keep it</button>' in text
    assert 'value="release" class="secondary">Release it</button>' in text
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize(
    ("choice", "state", "action", "sentence"),
    [
        (
            "keep",
            ReclaimState.KEPT,
            "reclaim.kept",
            "You answered that you still need your Figma seat on {day}.",
        ),
        (
            "release",
            ReclaimState.RELEASED,
            "reclaim.released",
            "You released your Figma seat on {day}. Your admin will remove it",
        ),
    ],
)
def test_it_records_the_answer_as_the_person(reclaim, choice, state, action, sentence):
    response = answer(reclaim, choice)

    assert response.status_code == 200
    today = clock.today()
    day = f"{today.day} {today:%B %Y}"
    assert sentence.format(day=day) in response.content.decode()
    reclaim.refresh_from_db()
    assert reclaim.state == state
    assert reclaim.answered_at is not None
    event = AuditEvent.objects.get(action=action)
    assert event.actor_email == "ann@acme.io"
    assert event.target == "ann@acme.io on Figma"


def test_it_takes_one_answer_only(reclaim):
    answer(reclaim, "release")

    response = answer(reclaim, "keep")

    assert "You released your Figma seat" in response.content.decode()
    reclaim.refresh_from_db()
    assert reclaim.state == ReclaimState.RELEASED
    assert AuditEvent.objects.filter(action__startswith="reclaim.").count() == 1


def test_it_closes_the_question_once_the_window_has_passed(reclaim, time_machine):
    time_machine.move_to(reclaim.answer_by + dt.timedelta(minutes=1))

    shown = Client().get(page_url(reclaim))
    response = answer(reclaim, "keep")

    answer_by = reclaim.answer_by.astimezone(dt.UTC)
    closed = (
        f"The time to answer passed on {answer_by.day} {answer_by:%B %Y}. If you "
        "still need your Figma seat, tell your proCure admin."
    )
    assert closed in shown.content.decode()
    assert "Keep it</button>" not in shown.content.decode()
    assert closed in response.content.decode()
    reclaim.refresh_from_db()
    assert reclaim.state == ReclaimState.NO_ANSWER
    assert AuditEvent.objects.filter(action="reclaim.no_answer").count() == 1


def test_it_refuses_a_changed_link(reclaim):
    response = Client().get(page_url(reclaim)[:-3] + "xyz")

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()


def test_it_refuses_a_post_without_the_csrf_token(reclaim):
    response = Client(enforce_csrf_checks=True).post(
        "/reclaim",
        {"token": reclaim_token_make(reclaim_id=reclaim.pk), "answer": "release"},
    )

    assert response.status_code == 403
    reclaim.refresh_from_db()
    assert reclaim.state == ReclaimState.ASKED


def test_it_refuses_a_made_up_answer(reclaim):
    response = answer(reclaim, "maybe")

    assert response.status_code == 400
    assert "Choose Keep it or Release it." in response.content.decode()
    reclaim.refresh_from_db()
    assert reclaim.state == ReclaimState.ASKED


def test_it_stops_working_for_a_deactivated_person(reclaim, seats):
    seats.ann.is_active = False
    seats.ann.save()

    response = Client().get(page_url(reclaim))

    assert response.status_code == 400
    assert "the question it asked was withdrawn" in response.content.decode()

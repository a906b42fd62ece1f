"""manage.py close_reclaim_answers: reclaims past their answer window become
no_answer once, audited, however often and from however many nodes it runs."""

from io import StringIO

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from reclaims.models import Reclaim, ReclaimState
from reclaims.tests.helpers import reclaim_in

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("close_reclaim_answers", stdout=out)
    return out.getvalue()


def test_it_marks_only_the_overdue_ones_once(organization, seats):
    overdue = reclaim_in(
        ReclaimState.ASKED,
        organization=organization,
        contract=seats.figma,
        user=seats.ann,
        asked_days_ago=8,
    )
    waiting = reclaim_in(
        ReclaimState.ASKED,
        organization=organization,
        contract=seats.figma,
        user=seats.ben,
        asked_days_ago=6,
    )

    first = run()
    second = run()

    assert first == "1 reclaim(s) passed their answer window.\n"
    assert second == "0 reclaim(s) passed their answer window.\n"
    assert Reclaim.objects.get(pk=overdue.pk).state == ReclaimState.NO_ANSWER
    assert Reclaim.objects.get(pk=waiting.pk).state == ReclaimState.ASKED
    [event] = AuditEvent.objects.filter(action="reclaim.no_answer")
    assert event.target == "ann@acme.io on Figma"
    assert event.actor_email == ""

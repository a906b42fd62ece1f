import datetime as dt

from django.test import Client

from accounts.models import Organization, User
from contracts.models import Contract
from procure_site import clock
from reclaims.links import reclaim_token_make
from reclaims.models import Reclaim, ReclaimState


def reclaim_in(
    state: ReclaimState,
    *,
    organization: Organization,
    contract: Contract,
    user: User,
    asked_days_ago: int = 8,
) -> Reclaim:
    """A reclaim asked `asked_days_ago` days ago (answer window of 7 days)
    that has reached `state`."""
    asked_at = clock.now() - dt.timedelta(days=asked_days_ago)
    answered = state in (ReclaimState.KEPT, ReclaimState.RELEASED)
    return Reclaim.objects.create(
        organization=organization,
        contract=contract,
        user=user,
        state=state,
        asked_at=asked_at,
        answer_by=asked_at + dt.timedelta(days=7),
        answered_at=asked_at + dt.timedelta(days=1) if answered else None,
        last_active_day=clock.today() - dt.timedelta(days=60),
    )


def remove_url(organization: Organization, step: str = "remove") -> str:
    return f"/api/v1/organizations/{organization.public_id}/reclaims/{step}"


def page_url(reclaim: Reclaim) -> str:
    return f"/reclaim?token={reclaim_token_make(reclaim_id=reclaim.pk)}"


def answer(reclaim: Reclaim, choice: str):
    """Posts the page's form as a browser would: with the CSRF cookie the
    page set, or, for a page that shows no form any more, the one a form
    opened earlier set."""
    client = Client(enforce_csrf_checks=True)
    page = client.get(page_url(reclaim))
    cookie = page.cookies.get("csrftoken")
    secret = cookie.value if cookie else "a" * 32
    client.cookies["csrftoken"] = secret
    return client.post(
        "/reclaim",
        {
            "token": reclaim_token_make(reclaim_id=reclaim.pk),
            "answer": choice,
            "csrfmiddlewaretoken": secret,
        },
    )

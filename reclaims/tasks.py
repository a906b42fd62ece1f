"""The emails that ask people about their seats, sent by the task worker.

The task's arguments are reclaim ids only: the worker makes each link when it
sends, so that no secret waits in the task table.
"""

from urllib.parse import urlencode

from django.conf import settings
from django_tasks import task

from accounts.tasks import email_deliver
from reclaims.links import reclaim_token_make
from reclaims.models import Reclaim, ReclaimState


def reclaim_email_body(*, reclaim: Reclaim, link: str) -> str:
    vendor = reclaim.contract.vendor_name
    company = reclaim.organization.company_name
    last_use = (
        f"proCure last saw you use it on {reclaim.last_active_day:%Y-%m-%d}. "
        if reclaim.last_active_day
        else ""
    )
    return (
        f"Hello,\n\n{company} pays for a {vendor} seat in your name. {last_use}"
        f"Do you still need it?\n\nAnswer Keep it or Release it here by "
        f"{reclaim.answer_by:%Y-%m-%d}:\n\n{link}\n\n"
        "If you do not answer by then, your admin may remove the seat. You can "
        "always ask for it again.\n"
    )


@task()
def reclaim_emails_send(*, reclaim_ids: list[int]) -> None:
    """Emails each person still asked among `reclaim_ids` their question."""
    reclaims = Reclaim.objects.select_related(
        "contract", "organization", "user"
    ).filter(pk__in=reclaim_ids, state=ReclaimState.ASKED, user__is_active=True)
    for reclaim in reclaims.order_by("pk"):
        link = f"{settings.PUBLIC_BASE_URL}/reclaim?" + urlencode(
            {"token": reclaim_token_make(reclaim_id=reclaim.pk)}
        )
        email_deliver(
            to=reclaim.user.email,
            subject=f"Do you still need your {reclaim.contract.vendor_name} seat?",
            body=reclaim_email_body(reclaim=reclaim, link=link),
        )

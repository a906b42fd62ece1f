"""The organization's users with their last activity, and when anyone's
use was last recorded."""

from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import Organization, User
from procure_site.db_router import reads_from_replica
from procure_site.exceptions import NotFound
from url_visits.models import Activity, LatestActivity


def users_with_last_activity(*, users: QuerySet[User]) -> QuerySet[User]:
    """`users`, each with `last_activity`: the latest day they used any
    contract, or None. A subquery per listed row through the (user, contract,
    day) index, so a page of users costs one query."""
    latest_day = (
        Activity.objects.filter(user=OuterRef("pk")).order_by("-day").values("day")[:1]
    )
    return users.annotate(last_activity=Subquery(latest_day))


def organization_user_list(*, organization: Organization) -> QuerySet[User]:
    """The organization's users by email, each with `last_activity`. One query,
    however many users."""
    return users_with_last_activity(
        users=User.objects.filter(organization=organization)
    )


def organization_user_get(*, organization: Organization, user_id) -> User:
    """One user of the organization, as listed; another organization's is a 404."""
    user = organization_user_list(organization=organization).filter(pk=user_id).first()
    if user is None:
        raise NotFound(
            f"{organization.company_name} has no user with the id {user_id}."
        )
    return user


@reads_from_replica
def organization_last_activity_day(*, organization: Organization) -> date | None:
    """The last UTC day on which anyone's use of any contract was recorded,
    or None: whether the extension is reporting at all. One indexed read of
    the LatestActivity rollup."""
    latest = (
        LatestActivity.objects.filter(organization=organization)
        .order_by("-last_day")
        .values_list("last_day", flat=True)
        .first()
    )
    return latest

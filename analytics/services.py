import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from django.db import transaction

from accounts.models import Organization, Role, User
from accounts.services.organizations import organization_create
from contracts.models import Contract
from contracts.services import contract_import
from procure_site import clock
from url_visits.activity_partitions import activity_partitions_ready
from url_visits.models import Activity
from url_visits.rollups import activity_rollups_rebuild

SAMPLE_CONTRACTS = (
    Path(__file__).resolve().parent.parent
    / "contracts"
    / "sample_data"
    / "sample_contracts.csv"
)
DEMO_DOMAIN = "acme-demo.example"
DEMO_ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"


@dataclass(frozen=True)
class DemoSeeded:
    organization: Organization
    created: bool
    admin_email: str
    # Set only when this run chose the admin's password; None means it was
    # left as it was (or the admin was erased and not recreated).
    admin_password: str | None
    admin_exists: bool
    members_created: int
    contracts_created: int
    contracts_updated: int
    contracts_unchanged: int
    activity_recorded: int


def _demo_password() -> str:
    # Meets the password rules: upper, lower, digit, long and not common.
    return f"Demo-{secrets.token_urlsafe(12)}-7aZ"


def _workdays(*, first: date, last: date) -> list[date]:
    days = (last - first).days + 1
    return [
        first + timedelta(days=offset)
        for offset in range(days)
        if (first + timedelta(days=offset)).weekday() < 5
    ]


def _synthetic_activity(
    *,
    organization: Organization,
    members: list[User],
    contracts: list[Contract],
    days: list[date],
    seed: int,
) -> list[Activity]:
    """Each contract gets a share of the members as its users (some stop
    using it halfway through, so inactive users show), and each user shows up
    on most workdays.

    Each (contract, member) pair draws from its own generator, seeded with
    the member's email, so that the same person gets the same days on every
    run whoever else has been erased or added since."""
    activity = []
    for rank, contract in enumerate(contracts):
        # The first contracts are used by most people, the last by few, and
        # one by nobody, so that every renewal suggestion appears.
        share = 0.0 if rank == len(contracts) - 1 else max(0.08, 0.9 - rank * 0.1)
        for user in members:
            rng = random.Random(f"{seed}:{rank}:{user.email}")  # noqa: S311 - demo data
            if rng.random() >= share:
                continue
            stops = rng.random() < 0.25
            for day in days:
                if stops and day > days[len(days) // 2]:
                    break
                if rng.random() < 0.7:
                    seen = datetime.combine(day, time(8), tzinfo=UTC) + timedelta(
                        minutes=rng.randrange(600)
                    )
                    activity.append(
                        Activity(
                            user=user,
                            contract=contract,
                            organization=organization,
                            day=day,
                            browser="Chrome",
                            first_seen_at=seen,
                        )
                    )
    return activity


def demo_seed(
    *,
    members: int = 40,
    months: int = 4,
    seed: int = 7,
    reset_admin_password: bool = False,
) -> DemoSeeded:
    """A demo organization with an admin, `members` members, the web app's ten
    sample contracts and `months` months of synthetic activity.

    The first run creates the organization, its admin (with a new password,
    which is returned) and its members. Later runs create no people: the
    admin keeps their password and sessions, and members or an admin erased
    since stay erased; they import the sample contracts again (overwriting
    edits to those ten) and add the activity of the days since, for the
    members that exist. `reset_admin_password` gives the admin a new password,
    which ends their web-app sessions and JWTs, and recreates an erased
    admin.
    """
    with transaction.atomic():
        organization = Organization.objects.filter(domain_name=DEMO_DOMAIN).first()
        created = organization is None
        if organization is None:
            organization = organization_create(
                domain_name=DEMO_DOMAIN,
                company_name="Acme Demo",
                admin_seats=3,
                member_seats=max(members, 1000),
            )
        password = None
        admin = User.objects.filter(email=DEMO_ADMIN_EMAIL).first()
        new_admin = admin is None and (created or reset_admin_password)
        if new_admin:
            admin = User(
                email=DEMO_ADMIN_EMAIL, organization=organization, role=Role.ADMIN
            )
        if admin is not None and (new_admin or reset_admin_password):
            password = _demo_password()
            admin.set_password(password)
            admin.email_verified_at = admin.email_verified_at or clock.now()
            admin.save()

        wanted = [f"member{n:03d}@{DEMO_DOMAIN}" for n in range(1, members + 1)]
        new_members = []
        if created:
            for email in wanted:
                user = User(email=email, organization=organization, role=Role.MEMBER)
                user.set_unusable_password()
                new_members.append(user)
            User.objects.bulk_create(new_members)

        with SAMPLE_CONTRACTS.open("rb") as csv_file:
            imported = contract_import(organization=organization, csv_file=csv_file)
        # The web app's CSV has no renewal terms. The demo's contracts renew
        # themselves, so that the demo shows contracts in force whatever the
        # day; Salesforce's notes say it takes 60 days' notice.
        demo_contracts = Contract.objects.for_organization(organization)
        demo_contracts.update(auto_renew=True)
        demo_contracts.filter(vendor_name="Salesforce").update(notice_period_days=60)

        member_users = list(
            User.objects.filter(organization=organization, email__in=wanted).order_by(
                "email"
            )
        )
        contracts = list(Contract.objects.for_organization(organization).order_by("id"))
        today = clock.today()
        first = (today.replace(day=1) - timedelta(days=31 * (months - 1))).replace(
            day=1
        )
        rows = _synthetic_activity(
            organization=organization,
            members=member_users,
            contracts=contracts,
            days=_workdays(first=first, last=today),
            seed=seed,
        )
        before = Activity.objects.filter(organization=organization).count()
        # More months than the retention window reach back before the oldest
        # activity partition on PostgreSQL.
        activity_partitions_ready(
            days=clock.months_between(first, today), list_again=True
        )
        Activity.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        activity_rollups_rebuild(organization=organization)
        after = Activity.objects.filter(organization=organization).count()

    return DemoSeeded(
        organization=organization,
        created=created,
        admin_email=DEMO_ADMIN_EMAIL,
        admin_password=password,
        admin_exists=admin is not None,
        members_created=len(new_members),
        contracts_created=imported.created,
        contracts_updated=imported.updated,
        contracts_unchanged=imported.unchanged,
        activity_recorded=after - before,
    )

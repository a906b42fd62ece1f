"""The benchmark database: created beside the others, migrated, and seeded
with COPY.

Two organizations of the same shape share the tables, so that every query the
service runs has to find one organization's rows among the other's. The
database carries a comment with the shape it was seeded with; a later run
with the same shape reuses it (after applying any new migrations) instead of
seeding again.
"""

import json
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from bench import catalog
from bench.progress import Progress
from procure_site import clock

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/procure_bench"
ADMIN_PASSWORD = "Bench-admin-2026"  # noqa: S105 - a throw-away benchmark account
DOMAINS = ("bench-a.example", "bench-b.example")
_BROWSERS = ("Chrome",) * 8 + ("Edge", "Firefox")
_SEED_FORMAT = 1


@dataclass(frozen=True)
class Shape:
    """How much each of the two organizations holds."""

    users: int
    contracts: int
    activities: int
    days: int = 365

    def signature(self) -> dict:
        return {"format": _SEED_FORMAT, "organizations": len(DOMAINS), **asdict(self)}


FULL = Shape(users=5_000, contracts=200, activities=2_000_000)
QUICK = Shape(users=200, contracts=40, activities=10_000)


@dataclass(frozen=True)
class SeededOrganization:
    domain: str
    public_id: str
    admin_email: str
    device_tokens: list[str]


@dataclass(frozen=True)
class Seeded:
    organizations: list[SeededOrganization]
    seconds: float
    reused: bool
    activities: int


# The teams the seeded people are spread over, for spend by department.
DEPARTMENTS = (
    "Engineering",
    "Sales",
    "Marketing",
    "Support",
    "Finance",
    "Design",
    "Operations",
    "People",
)


def database_name(database_url: str) -> str:
    return urlsplit(database_url).path.lstrip("/")


def _maintenance_url(database_url: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/postgres"))


def _conninfo(database_url: str) -> str:
    # psycopg understands postgres:// URLs as they are.
    return database_url


def _seeded_signature(database_url: str) -> dict | None:
    """The shape the database was seeded with, None when absent or unseeded."""
    name = database_name(database_url)
    with psycopg.connect(_conninfo(_maintenance_url(database_url))) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = %s",
            (name,),
        ).fetchone()
    if row is None:
        return None
    try:
        return json.loads(row[0] or "null")
    except json.JSONDecodeError:
        return None


def _recreate_database(database_url: str) -> None:
    name = database_name(database_url)
    with psycopg.connect(
        _conninfo(_maintenance_url(database_url)), autocommit=True
    ) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _mark_seeded(database_url: str, signature: dict) -> None:
    name = database_name(database_url)
    with psycopg.connect(
        _conninfo(_maintenance_url(database_url)), autocommit=True
    ) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(json.dumps(signature))
            )
        )


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def prepare(*, database_url: str, shape: Shape, reseed: bool) -> Seeded:
    """A migrated benchmark database of `shape`, seeded unless it already was.

    Django must be set up with DATABASE_URL pointing at `database_url`.
    """
    wanted = shape.signature()
    found = None if reseed else _seeded_signature(database_url)
    if found is not None and {k: found.get(k) for k in wanted} == wanted:
        print(f"Reusing the seeded database {database_name(database_url)}.")
        _migrate()
        _verify_emails()
        _vacuum_analyze()
        return Seeded(
            organizations=[_seeded_organization(domain) for domain in DOMAINS],
            seconds=float(found.get("seconds", 0.0)),
            reused=True,
            activities=_activity_count(),
        )

    print(f"Creating the database {database_name(database_url)} and seeding it.")
    started = time.monotonic()
    _recreate_database(database_url)
    _migrate()
    organizations = [
        _seed_organization(domain=domain, shape=shape, index=index)
        for index, domain in enumerate(DOMAINS)
    ]
    _verify_emails()
    _rollups_rebuild()
    _vacuum_analyze()
    seconds = time.monotonic() - started
    _mark_seeded(database_url, {**wanted, "seconds": round(seconds, 1)})
    print(f"Seeded in {seconds:.1f}s.")
    return Seeded(
        organizations=organizations,
        seconds=seconds,
        reused=False,
        activities=_activity_count(),
    )


def _verify_emails() -> None:
    """Every benchmark user has confirmed their email address, so that
    neither reporting nor the admin's analytics wait for a confirmation.
    Run after migrating too, for a database seeded before the field existed.
    """
    from accounts.models import User

    if not any(field.name == "email_verified_at" for field in User._meta.fields):
        return
    User.objects.filter(
        organization__domain_name__in=DOMAINS, email_verified_at__isnull=True
    ).update(email_verified_at=clock.now())


def devices_last_synced(*, hours_ago: float) -> None:
    """Marks every benchmark device as last seen `hours_ago` hours ago, so
    that each run's first request of a device updates its token's last use,
    as an extension's sync every two hours does."""
    from accounts.models import DeviceToken

    DeviceToken.objects.filter(user__organization__domain_name__in=DOMAINS).update(
        last_used_at=clock.now() - timedelta(hours=hours_ago)
    )


def _activity_count() -> int:
    from url_visits.models import Activity

    return Activity.objects.count()


def _seeded_organization(domain: str) -> SeededOrganization:
    from django.db import connection

    from accounts.models import Organization, User

    organization = Organization.objects.get(domain_name=domain)
    users = User.objects.filter(organization=organization).count()
    return SeededOrganization(
        domain=domain,
        public_id=organization.public_id,
        admin_email=_email(domain, 0),
        device_tokens=[
            catalog.device_token(
                database=connection.settings_dict["NAME"], domain=domain, index=i
            )
            for i in range(users)
        ],
    )


def _email(domain: str, index: int) -> str:
    return f"admin@{domain}" if index == 0 else f"user{index:05d}@{domain}"


def _copy(table: str, columns: list[str], lines: Iterator[str], progress: Progress):
    """COPY text lines (tab-separated, newline-terminated) into a table."""
    from django.db import connection

    connection.ensure_connection()
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        buffer: list[str] = []
        for line in lines:
            buffer.append(line)
            if len(buffer) >= 20_000:
                copy.write("".join(buffer))
                progress.advance(len(buffer))
                buffer.clear()
        if buffer:
            copy.write("".join(buffer))
            progress.advance(len(buffer))


def _columns(model, names: list[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in names]


def _seed_organization(*, domain: str, shape: Shape, index: int) -> SeededOrganization:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from accounts.models import DeviceToken, Organization, Role, User, hash_device_token
    from contracts.hosts import (
        normalize_host,
        normalize_product_url,
        registrable_domain,
    )
    from contracts.models import Contract
    from url_visits.models import Activity

    database = connection.settings_dict["NAME"]
    now = clock.now()
    letter = domain.split(".")[0][-1].upper()
    print(f"Organization {domain}:")
    with transaction.atomic():
        organization = Organization.objects.create(
            domain_name=domain,
            company_name=f"Bench {letter}",
            admin_seats=1,
            member_seats=shape.users,
        )

        id_rng = random.Random(f"{domain}:users")
        user_ids = [
            uuid.UUID(int=id_rng.getrandbits(128), version=4)
            for _ in range(shape.users)
        ]
        admin_hash = make_password(ADMIN_PASSWORD)
        # Members never sign in with a password here; they all carry the
        # extension's device token.
        member_hash = make_password(None)
        joined = now.isoformat()

        def user_lines() -> Iterator[str]:
            for i, user_id in enumerate(user_ids):
                role = Role.ADMIN if i == 0 else Role.MEMBER
                password = admin_hash if i == 0 else member_hash
                department = DEPARTMENTS[i % len(DEPARTMENTS)]
                yield (
                    f"{user_id}\t{password}\t{_email(domain, i)}\t{organization.pk}"
                    f"\t{role}\t{department}\tt\tf\tf\t{joined}\n"
                )

        progress = Progress("users", shape.users)
        _copy(
            User._meta.db_table,
            _columns(
                User,
                [
                    "id",
                    "password",
                    "email",
                    "organization",
                    "role",
                    "department",
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "date_joined",
                ],
            ),
            user_lines(),
            progress,
        )
        progress.close()

        tokens = [
            catalog.device_token(database=database, domain=domain, index=i)
            for i in range(shape.users)
        ]

        def token_lines() -> Iterator[str]:
            for user_id, token in zip(user_ids, tokens, strict=True):
                yield f"{user_id}\tbench-device\t{hash_device_token(token)}\t{joined}\n"

        progress = Progress("device tokens", shape.users)
        _copy(
            DeviceToken._meta.db_table,
            _columns(DeviceToken, ["user", "device_id", "token_hash", "created_at"]),
            token_lines(),
            progress,
        )
        progress.close()

        specs = catalog.contract_specs(count=shape.contracts, users=shape.users)
        contracts = Contract.objects.bulk_create(
            Contract(
                organization=organization,
                vendor_name=spec.vendor_name,
                product_url=normalize_product_url(spec.product_url),
                vendor_domain=registrable_domain(
                    normalize_product_url(spec.product_url).removeprefix("https://")
                ),
                extra_hosts=[normalize_host(host) for host in spec.extra_hosts],
                annual_spend=spec.annual_spend,
                num_seats=spec.num_seats,
                contract_type="subscription",
                contract_status="active",
                payment_type="invoice",
                created_at=now - timedelta(days=400),
                expire_at=now + timedelta(days=spec.expires_in_days),
            )
            for spec in specs
        )
        print(f"  {'contracts':<22} {len(contracts)}")

        progress = Progress("activity", shape.activities)
        _copy(
            Activity._meta.db_table,
            _columns(
                Activity,
                ["user", "contract", "organization", "day", "browser", "first_seen_at"],
            ),
            _activity_lines(
                rng=random.Random(f"{domain}:activity:{index}"),
                user_ids=user_ids,
                contract_ids=[contract.pk for contract in contracts],
                popularity=[spec.popularity for spec in specs],
                organization_id=organization.pk,
                shape=shape,
                today=now.date(),
            ),
            progress,
        )
        progress.close()
    return SeededOrganization(
        domain=domain,
        public_id=organization.public_id,
        admin_email=_email(domain, 0),
        device_tokens=tokens,
    )


def _activity_lines(
    *,
    rng: random.Random,
    user_ids: list[uuid.UUID],
    contract_ids: list[int],
    popularity: list[float],
    organization_id: int,
    shape: Shape,
    today: date,
) -> Iterator[str]:
    """Exactly `shape.activities` unique (user, contract, day) rows.

    Each user takes up each product with its popularity. Most keep using it
    all year; some started during the year; some stopped more than 30 days
    ago (the seats inactive-users finds). How often a user opens the product
    varies from user to user, and the days are scaled so that the rows add
    up to the wanted total.
    """
    first_day = today - timedelta(days=shape.days - 1)
    # (user index, contract index, first day offset, last day offset, weight)
    pairs: list[tuple[int, int, int, int, float]] = []
    for user_index in range(len(user_ids)):
        for contract_index, share in enumerate(popularity):
            if rng.random() >= share:
                continue
            start, end = 0, shape.days - 1
            kind = rng.random()
            if kind < 0.15:
                start = rng.randrange(shape.days - 7)
            elif kind < 0.30:
                end = rng.randrange(shape.days - 40)
            pairs.append(
                (user_index, contract_index, start, end, rng.uniform(0.05, 1.0))
            )
    if not pairs:
        return
    weight = sum((end - start + 1) * w for _, _, start, end, w in pairs)
    scale = shape.activities / weight
    counts = []
    for _, _, start, end, w in pairs:
        wanted = (end - start + 1) * w * scale
        count = int(wanted) + (1 if rng.random() < wanted - int(wanted) else 0)
        counts.append(min(count, end - start + 1))
    # Rounding leaves the total a little off; move it to the exact number,
    # one row at a time, among the pairs that have room.
    missing = shape.activities - sum(counts)
    step = 1 if missing > 0 else -1
    order = list(range(len(pairs)))
    for _ in range(10):
        if missing == 0:
            break
        rng.shuffle(order)
        for i in order:
            if missing == 0:
                break
            _, _, start, end, _ = pairs[i]
            if (step > 0 and counts[i] < end - start + 1) or (
                step < 0 and counts[i] > 0
            ):
                counts[i] += step
                missing -= step

    day_text = [(first_day + timedelta(days=d)).isoformat() for d in range(shape.days)]
    for (user_index, contract_index, start, end, _), count in zip(
        pairs, counts, strict=True
    ):
        if count == 0:
            continue
        user_id = user_ids[user_index]
        contract_id = contract_ids[contract_index]
        prefix = f"{user_id}\t{contract_id}\t{organization_id}\t"
        for offset in rng.sample(range(start, end + 1), count):
            seconds = rng.randrange(7 * 3600, 20 * 3600)
            day = day_text[offset]
            yield (
                f"{prefix}{day}\t{rng.choice(_BROWSERS)}\t{day} "
                f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
                "+00\n"
            )


def _rollups_rebuild() -> None:
    """The activity rollups, which COPY bypassed, computed as the service's
    own bulk loads do."""
    from url_visits.rollups import activity_rollups_rebuild

    started = time.monotonic()
    activity_rollups_rebuild()
    print(f"  {'activity rollups':<22} {time.monotonic() - started:.1f}s")


def _vacuum_analyze() -> None:
    """Fresh statistics and a visibility map, as autovacuum would leave them
    on a live database, so that the planner sees the data as it is (also
    right after a migration added a table)."""
    from django.apps import apps
    from django.db import connection

    started = time.monotonic()
    models = [
        *apps.get_app_config("accounts").get_models(),
        *apps.get_app_config("contracts").get_models(),
        *apps.get_app_config("url_visits").get_models(),
    ]
    with connection.cursor() as cursor:
        for model in models:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"  {'vacuum analyze':<22} {time.monotonic() - started:.1f}s")

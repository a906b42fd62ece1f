"""Changing an organization's settings: one way, for all three.

Tracking (is the organization's browsing recorded), discovery (are
unmatched catalog applications counted) and notifications (how the digest
is sent) each change through `organization_setting_change()`: under the
organization's row lock, compare, save, audit. A request that changes
nothing saves and audits nothing, so repeating it is safe; two admins
changing a setting at once leave one event each, in order.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Model

from accounts.models import Organization, User
from accounts.services.organizations import user_deactivate, user_department_set
from alerts.models import NotificationSettings
from alerts.services.webhook import webhook_host, webhook_url_chosen
from audit.models import AuditAction
from audit.services import audit_record
from contracts.csv_import import read_text
from contracts.models import ExchangeRate
from discovery.selectors import MIN_USERS_FLOOR
from discovery.services import discovery_people_forget
from organizations.people_csv import parse_people
from procure_site.exceptions import DomainError, InvalidRows
from reclaims.services import reclaims_withdraw_for

SettingRow = TypeVar("SettingRow", bound=Model)


@dataclass(frozen=True)
class SettingChange:
    """The stored values a change replaced, and the values it stored."""

    before: Mapping[str, Any]
    after: Mapping[str, Any]


def organization_setting_change(
    *,
    organization: Organization,
    actor: User,
    row: Callable[[Organization], SettingRow],
    values: Callable[[SettingRow], dict[str, Any]],
    audit: Callable[[SettingChange], tuple[AuditAction, dict[str, Any]]],
    on_change: Callable[[Organization], None] | None = None,
) -> SettingRow:
    """Sets the fields `values` gives on the setting's `row`, if they differ.

    `row` finds the row that holds the setting (the organization itself, or
    one of its own) once the organization is locked; `values` computes the
    new values from it (a masked webhook URL keeps the stored one);
    `on_change` does what a change implies beyond the row; `audit` names
    the event and its details.
    """
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        target = row(locked)
        after = values(target)
        before = {name: getattr(target, name) for name in after}
        if before != after:
            for name, value in after.items():
                setattr(target, name, value)
            target.save(update_fields=list(after))
            if on_change is not None:
                on_change(locked)
            action, details = audit(SettingChange(before=before, after=after))
            audit_record(
                action=action,
                organization=locked,
                actor=actor,
                target=f"organization:{locked.public_id}",
                details=details,
            )
    return target


def _organization_itself(organization: Organization) -> Organization:
    return organization


def tracking_change(
    *, organization: Organization, paused: bool, actor: User
) -> Organization:
    """Pauses or resumes the recording of the organization's visits."""

    def audit(change: SettingChange) -> tuple[AuditAction, dict[str, Any]]:
        action = AuditAction.TRACKING_PAUSED if paused else AuditAction.TRACKING_RESUMED
        return action, {"paused": paused}

    return organization_setting_change(
        organization=organization,
        actor=actor,
        row=_organization_itself,
        values=lambda _: {"tracking_paused": paused},
        audit=audit,
    )


def reclaim_settings_change(
    *, organization: Organization, reply_days: int, actor: User
) -> Organization:
    """Sets how many days people have to answer about their seats, for the
    reclaims started from now on."""

    def audit(change: SettingChange) -> tuple[AuditAction, dict[str, Any]]:
        return AuditAction.RECLAIM_SETTINGS_CHANGED, {
            "reply_days": {
                "from": change.before["reclaim_reply_days"],
                "to": change.after["reclaim_reply_days"],
            }
        }

    return organization_setting_change(
        organization=organization,
        actor=actor,
        row=_organization_itself,
        values=lambda _: {"reclaim_reply_days": reply_days},
        audit=audit,
    )


def discovery_change(
    *, organization: Organization, enabled: bool, min_users: int, actor: User
) -> Organization:
    """Turns the organization's discovery on or off and sets its threshold.

    Turning it off forgets the people of the open month at once (the closed
    months' anonymous counts stay).
    """
    if min_users < MIN_USERS_FLOOR:
        raise DomainError(
            f"min_users must be at least {MIN_USERS_FLOOR}, so that "
            "no application is reported for one person."
        )

    def audit(change: SettingChange) -> tuple[AuditAction, dict[str, Any]]:
        def named(values: Mapping[str, Any]) -> dict[str, Any]:
            return {
                "enabled": values["discovery_enabled"],
                "min_users": values["discovery_min_users"],
            }

        return AuditAction.DISCOVERY_CHANGED, {
            "before": named(change.before),
            "after": named(change.after),
        }

    return organization_setting_change(
        organization=organization,
        actor=actor,
        row=_organization_itself,
        values=lambda _: {
            "discovery_enabled": enabled,
            "discovery_min_users": min_users,
        },
        audit=audit,
        on_change=None if enabled else discovery_people_forget,
    )


def notifications_change(
    *,
    organization: Organization,
    email_digest: str,
    renewal_window_days: int,
    webhook_url: str,
    actor: User,
    reminder_offsets: list[int] | None = None,
) -> NotificationSettings:
    """Replaces the organization's notification settings.

    The webhook URL is checked as alerts.services.webhook.webhook_url_chosen says;
    the masked URL that staff are shown, sent back as it is, keeps the
    stored one. A change is audited with the webhook's host only: its full
    URL is a credential.
    """

    def row(locked: Organization) -> NotificationSettings:
        found, _ = NotificationSettings.objects.get_or_create(organization=locked)
        return found

    def values(current: NotificationSettings) -> dict[str, Any]:
        offsets = (
            current.reminder_offsets
            if reminder_offsets is None
            else sorted(set(reminder_offsets), reverse=True)
        )
        return {
            "reminder_offsets": offsets,
            "email_digest": email_digest,
            "renewal_window_days": renewal_window_days,
            "webhook_url": webhook_url_chosen(
                sent=webhook_url,
                stored=current.webhook_url,
                allow_private=settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
            ),
        }

    def audit(change: SettingChange) -> tuple[AuditAction, dict[str, Any]]:
        return AuditAction.NOTIFICATIONS_UPDATED, {
            "email_digest": email_digest,
            "renewal_window_days": renewal_window_days,
            "webhook_host": webhook_host(change.after["webhook_url"]),
            "webhook_changed": change.before["webhook_url"]
            != change.after["webhook_url"],
            "reminder_offsets": change.after["reminder_offsets"],
        }

    return organization_setting_change(
        organization=organization,
        actor=actor,
        row=row,
        values=values,
        audit=audit,
    )


def exchange_rate_set(
    *,
    organization: Organization,
    currency: str,
    rate: Decimal,
    valid_from: date,
    actor: User,
) -> ExchangeRate:
    """Sets how many units of the reporting currency one `currency` is worth
    from `valid_from` (replacing that day's rate if there was one). Audited."""
    if currency == organization.reporting_currency:
        raise DomainError(
            f"{currency} is {organization.company_name}'s reporting currency: "
            "its rate is always 1."
        )
    if rate <= 0:
        raise DomainError("rate must be more than 0.")
    with transaction.atomic():
        found, created = ExchangeRate.objects.update_or_create(
            organization=organization,
            currency=currency,
            valid_from=valid_from,
            defaults={"rate": rate},
        )
        audit_record(
            action=AuditAction.EXCHANGE_RATE_SET,
            organization=organization,
            actor=actor,
            target=f"organization:{organization.public_id}",
            details={
                "currency": currency,
                "rate": str(rate),
                "valid_from": valid_from.isoformat(),
                "replaced": not created,
            },
        )
    return found


@dataclass(frozen=True)
class PeopleImported:
    updated: int
    unchanged: int


def people_departments_import(
    *, organization: Organization, csv_file: IO[bytes], actor: User
) -> PeopleImported:
    """Sets the departments a CSV of people gives, all rows or none: every
    email must be a person of the organization. Each change is audited."""
    text = read_text(csv_file, max_bytes=settings.CONTRACT_IMPORT_MAX_BYTES)
    rows = parse_people(text)
    people = {
        user.email.lower(): user
        for user in User.objects.filter(
            organization=organization,
            email__in=[email for _, email, _ in rows],
        )
    }
    unknown = [
        {"row": line, "errors": [f"{email} is not a person of this organization."]}
        for line, email, _ in rows
        if email not in people
    ]
    if unknown:
        raise InvalidRows(
            f"Nothing was changed: line {unknown[0]['row']} names someone who is "
            "not in this organization. Fix the lines listed in rows and upload "
            "the whole file again.",
            rows=unknown,
        )
    updated = 0
    with transaction.atomic():
        for _, email, department in rows:
            user = people[email]
            if user.department == department:
                continue
            user_department_set(user=user, department=department, actor=actor)
            updated += 1
    return PeopleImported(updated=updated, unchanged=len(rows) - updated)


def member_deactivate(
    *, user: User, actor: User | None, via: dict[str, Any] | None = None
) -> User:
    """Deactivates a person (accounts' user_deactivate: sessions and tokens
    revoked, seat freed, audited) and, in the same transaction, withdraws
    the seat questions they can no longer answer."""
    with transaction.atomic():
        user = user_deactivate(user=user, actor=actor, via=via)
        if not user.is_active:
            # Nothing is left to withdraw when they were inactive already.
            reclaims_withdraw_for(user=user, actor=actor)
    return user

"""A digest as an email (plain text and HTML) and as a webhook body that Slack
renders as a message and other receivers read as structured fields."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string

from alerts.selectors import Digest
from analytics import metrics
from discovery.selectors import DiscoveredApplication
from procure_site.clock import format_month


def _money(amount: Decimal | None, currency: str = "", reporting: str = "") -> str:
    """12345.5 → "12,345.50", with the currency's code when it is not the
    organization's reporting currency ("1,000.00 EUR")."""
    text = f"{amount or 0:,.2f}"
    return f"{text} {currency}" if currency and currency != reporting else text


def _count(count: int, one: str, many: str) -> str:
    return f"1 {one}" if count == 1 else f"{count} {many}"


def _inactive_sentence(digest: Digest) -> str:
    people = _count(digest.newly_inactive_users, "person", "people")
    seats = _count(digest.newly_inactive_seats, "seat", "seats")
    return (
        f"Since the last digest, {people} passed {digest.inactive_days} days "
        f"without using {seats}."
    )


def _reclaim_sentence(digest: Digest) -> str:
    news = digest.reclaims
    asked = _count(news.asked, "person has", "people have")
    confirm = _count(news.to_confirm, "seat", "seats")
    awaits = (
        "awaits your confirmation that it was removed"
        if news.to_confirm == 1
        else "await your confirmation that they were removed"
    )
    return (
        f"{asked} not answered yet whether they still need their seat; "
        f"{confirm} released or unanswered {awaits}."
    )


def _savings_sentence(digest: Digest) -> str:
    news = digest.reclaims
    seats = _count(news.seats_removed, "seat", "seats")
    sentence = (
        f"Realized savings in {news.month}: {_money(news.realized_savings)} "
        f"{digest.currency} from {seats} removed."
    )
    if news.unconverted:
        sentence += (
            f" Seats removed from contracts in {', '.join(news.unconverted)} are "
            "left out: those currencies have no exchange rate."
        )
    return sentence


def _discovery_lines(digest: Digest) -> dict[str, list[str]]:
    news = digest.discovery
    return {
        "new": [
            f"{row.name} ({row.vendor}): {row.active_users} people" for row in news.new
        ],
        "growing": [
            f"{row.name} ({row.vendor}): {row.active_users} people"
            for row in news.not_sanctioned_growing
        ],
    }


def digest_subject(digest: Digest) -> str:
    renewals = _count(len(digest.renewals), "renewal", "renewals")
    return (
        f"proCure digest for {digest.company_name} ({digest.period}): "
        f"{renewals} in the next {digest.renewal_window_days} days"
    )


def _reporting_sentence(digest: Digest) -> str:
    if digest.tracking_paused:
        return "Tracking is paused: the extension's reports are not being recorded."
    if digest.last_activity_day is None:
        return "The extension has not reported any use of a contract yet."
    if not digest.reporting:
        return (
            "The extension has not reported any use of a contract in the last "
            f"{digest.reporting_days} days (last on "
            f"{digest.last_activity_day.isoformat()}): check that it is installed "
            "and signed in."
        )
    return (
        "The extension is reporting (last use recorded on "
        f"{digest.last_activity_day.isoformat()})."
    )


def _context(digest: Digest) -> dict[str, Any]:
    return {
        "digest": digest,
        "subject": digest_subject(digest),
        "renewals": [
            {
                "vendor_name": row.vendor_name,
                "expires_on": row.expire_at.date().isoformat(),
                "days": row.days_until_expiry,
                "annual_spend": _money(row.annual_spend, row.currency, digest.currency),
                "active_users": row.active_users,
                "seats": row.total_seats,
                "suggestion": row.suggestion,
                "savings": _money(row.estimated_savings, row.currency, digest.currency),
                "reason": row.reason,
            }
            for row in digest.renewals
        ],
        "waste": [
            {
                "vendor_name": row.vendor_name,
                "estimated_waste": _money(
                    row.estimated_waste, row.currency, digest.currency
                ),
                "active_users": row.active_users,
                "seats": row.total_seats,
                "unused_seats": row.unused_seats,
            }
            for row in digest.top_waste
        ],
        # None when proCure has no data for the month: the waste is unknown,
        # and the coverage note says why, rather than a 0 that would claim
        # nobody wasted anything.
        "total_waste": None
        if digest.total_waste is None
        else _money(Decimal(digest.total_waste)),
        "waste_partial": digest.waste_coverage == metrics.PARTIAL,
        "waste_note": digest.waste_coverage_note,
        "reporting_sentence": _reporting_sentence(digest),
        "inactive_sentence": _inactive_sentence(digest),
        "reclaim_sentence": _reclaim_sentence(digest),
        "savings_sentence": _savings_sentence(digest),
        "discovery_month": format_month(digest.discovery.month)
        if digest.discovery.month
        else None,
        "discovery": _discovery_lines(digest),
    }


@dataclass(frozen=True)
class DigestEmail:
    subject: str
    text: str
    html: str


def digest_email(digest: Digest) -> DigestEmail:
    context = _context(digest)
    return DigestEmail(
        subject=context["subject"],
        text=render_to_string("alerts/digest_email.txt", context),
        html=render_to_string("alerts/digest_email.html", context),
    )


# Slack refuses a message whose section text is longer than 3,000
# characters; a chat message names the first renewals and points to the rest,
# which the structured fields list in full.
CHAT_RENEWALS = 10
SECTION_LIMIT = 3000


def _section(text: str) -> dict[str, Any]:
    if len(text) > SECTION_LIMIT:
        text = text[: SECTION_LIMIT - 1] + "…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def digest_webhook_payload(digest: Digest) -> dict[str, Any]:
    """Slack's `text` (and `blocks`) plus the same facts under `procure`.

    Never carries a person's name or email, nor the webhook URL: chat
    channels are read by more people than the admins.
    """
    context = _context(digest)
    renewal_lines = [
        f"• *{row['vendor_name']}* expires {row['expires_on']} "
        f"({row['days']} days): *{row['suggestion']}*. {row['reason']}"
        for row in context["renewals"][:CHAT_RENEWALS]
    ] or [f"No contract renews in the next {digest.renewal_window_days} days."]
    if len(context["renewals"]) > CHAT_RENEWALS:
        renewal_lines.append(
            f"…and {len(context['renewals']) - CHAT_RENEWALS} more, soonest "
            "first: see the renewals in proCure."
        )
    if context["total_waste"] is None:
        waste_lines = [
            f"*Estimated waste in {digest.waste_month}: unknown.* "
            f"{context['waste_note']}"
        ]
    else:
        partial = "partial month, " if context["waste_partial"] else ""
        waste_lines = [
            f"*Largest estimated waste in {digest.waste_month}* "
            f"({partial}total {context['total_waste']})",
            *([f"_{context['waste_note']}_"] if context["waste_note"] else []),
            *(
                [
                    f"• *{row['vendor_name']}*: {row['estimated_waste']} "
                    f"({row['active_users']} of {row['seats']} seats used)"
                    for row in context["waste"]
                ]
                or ["No estimated waste."]
            ),
        ]
    inactive_line = (
        f"*Newly inactive:* {context['inactive_sentence']} "
        f"<{digest.inactive_users_url}|See who>"
    )
    reclaim_line = (
        f"*Reclaims:* {context['reclaim_sentence']} {context['savings_sentence']}"
    )
    discovery_lines = _discovery_chat_lines(context)
    text = "\n".join(
        [
            f"*{context['subject']}*",
            f"*Renewing in the next {digest.renewal_window_days} days*",
            *renewal_lines,
            *waste_lines,
            inactive_line,
            reclaim_line,
            *discovery_lines,
            context["reporting_sentence"],
        ]
    )
    return {
        "text": text,
        "blocks": [
            {
                "type": "header",
                "text": {"type": "plain_text", "text": context["subject"][:150]},
            },
            _section(
                f"*Renewing in the next {digest.renewal_window_days} days*\n"
                + "\n".join(renewal_lines)
            ),
            _section("\n".join(waste_lines)),
            _section(inactive_line),
            _section(reclaim_line),
            *([_section("\n".join(discovery_lines))] if discovery_lines else []),
            _section(context["reporting_sentence"]),
        ],
        "procure": {
            "organization_id": digest.organization_id,
            "company_name": digest.company_name,
            "period": digest.period,
            "frequency": digest.frequency,
            "renewal_window_days": digest.renewal_window_days,
            "renewals": [
                {
                    "contract_id": row.contract_id,
                    "vendor_name": row.vendor_name,
                    "expire_at": row.expire_at.isoformat(),
                    "days_until_expiry": row.days_until_expiry,
                    "annual_spend": f"{row.annual_spend:.2f}",
                    "total_seats": row.total_seats,
                    "active_users": row.active_users,
                    "suggestion": row.suggestion,
                    "suggested_seats": row.suggested_seats,
                    "estimated_savings": f"{row.estimated_savings:.2f}",
                    "reason": row.reason,
                }
                for row in digest.renewals
            ],
            "waste_month": digest.waste_month,
            "waste_coverage": digest.waste_coverage,
            "waste_coverage_note": digest.waste_coverage_note,
            "total_estimated_waste": digest.total_waste,
            "largest_waste": [
                {
                    "contract_id": row.contract_id,
                    "vendor_name": row.vendor_name,
                    "estimated_waste": f"{row.estimated_waste or 0:.2f}",
                    "active_users": row.active_users,
                    "total_seats": row.total_seats,
                    "unused_seats": row.unused_seats,
                }
                for row in digest.top_waste
            ],
            "inactive_days": digest.inactive_days,
            "newly_inactive_users": digest.newly_inactive_users,
            "newly_inactive_seats": digest.newly_inactive_seats,
            "inactive_users_url": digest.inactive_users_url,
            "tracking_paused": digest.tracking_paused,
            "extension_reporting": digest.reporting,
            "last_activity_day": digest.last_activity_day.isoformat()
            if digest.last_activity_day
            else None,
            "reclaims": {
                "asked": digest.reclaims.asked,
                "awaiting_removal": digest.reclaims.to_confirm,
                "month": digest.reclaims.month,
                "seats_removed": digest.reclaims.seats_removed,
                "realized_savings": f"{digest.reclaims.realized_savings:.2f}",
                "currency": digest.currency,
                "unconverted": digest.reclaims.unconverted,
            },
            "discovery": {
                "month": context["discovery_month"],
                "new_applications": [_discovered(row) for row in digest.discovery.new],
                "not_sanctioned_gaining_users": [
                    _discovered(row) for row in digest.discovery.not_sanctioned_growing
                ],
            },
        },
    }


def _discovered(row: DiscoveredApplication) -> dict[str, Any]:
    return {
        "application_id": row.application_id,
        "name": row.name,
        "vendor": row.vendor,
        "active_users": row.active_users,
        "state": row.decision.state,
    }


def _discovery_chat_lines(context: dict[str, Any]) -> list[str]:
    month = context["discovery_month"]
    lines = context["discovery"]
    if month is None or not (lines["new"] or lines["growing"]):
        return []
    return [
        *(
            [f"*Discovered in {month}*", *(f"• {line}" for line in lines["new"])]
            if lines["new"]
            else []
        ),
        *(
            [
                f"*Not sanctioned, and used by more people in {month}*",
                *(f"• {line}" for line in lines["growing"]),
            ]
            if lines["growing"]
            else []
        ),
    ]


def webhook_test_payload(*, company_name: str) -> dict[str, Any]:
    """The body of "send a test message"."""
    text = (
        f"This is a test message from proCure for {company_name}: renewal and "
        "waste digests will arrive here."
    )
    return {"text": text, "procure": {"test": True, "company_name": company_name}}

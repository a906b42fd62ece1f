"""The staff console: the product's questions answered in the Django admin.

An organization's usage page (contract usage for a month, 12-month trends,
inactive users, renewals) and an overview of every organization. Every
number comes from analytics.selectors, the same reads as the API. Staff need
the permissions the API asks of them: view organization and view activity.
"""

from datetime import date, timedelta
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from accounts.models import Organization, User
from analytics import metrics
from analytics.selectors.inactive_users import contract_inactive_users
from analytics.selectors.members import users_with_last_activity
from analytics.selectors.overview import organizations_overview
from analytics.selectors.recent_activity import user_recent_activity
from analytics.selectors.renewals import contract_renewals
from analytics.selectors.trend import UsageTrendReport, contract_usage_trend
from analytics.selectors.usage import contract_usage
from dashboard import charts, console, downloads
from dashboard.organizations import OrganizationAdmin
from dashboard.users import UserAdmin
from procure_site import clock

INACTIVE_DAYS = 30
RENEWAL_DAYS = downloads.RENEWAL_DAYS
TREND_MONTHS = 12
QUIET_DAYS = 7
# The most days a console query may reach back: the API's own limit on
# inactive-users' `days`, beyond the default retention of activity.
MAX_DAYS = 400
RECENT_DAYS = 30
INACTIVE_PAGE_SIZE = 50
ANALYTICS_PERMISSIONS = ("accounts.view_organization", "url_visits.view_activity")


def last_full_month() -> date:
    return clock.previous_month(clock.today())


def _month_from(request: HttpRequest, problems: list[str]) -> date:
    """The month of the query, or the last full one, with the reason added to
    `problems`, when it is missing, not a month or has not started yet."""
    text = request.GET.get("month", "")
    if not text:
        return last_full_month()
    try:
        month = clock.parse_month(text)
    except ValueError:
        problems.append(f"{text!r} is not a month; showing the last full one.")
        return last_full_month()
    refusal = metrics.future_month_refusal(month=month, today=clock.today())
    if refusal is not None:
        problems.append(f"{refusal} Showing the last full one.")
        return last_full_month()
    return month


def _days_from(
    request: HttpRequest, name: str, default: int, problems: list[str]
) -> int:
    """The number of days `name` of the query, from 1 to MAX_DAYS; `default`
    when it is missing, and also when it is not such a number, with the
    reason added to `problems`."""
    text = request.GET.get(name)
    if text is None:
        return default
    try:
        days = int(text)
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_DAYS:
        problems.append(
            f"{name} must be a whole number of days from 1 to {MAX_DAYS}, not "
            f"{text!r}; showing {default}."
        )
        return default
    return days


def _chosen_contract(request: HttpRequest) -> int:
    """The contract id of the query; 0 (none chosen) when it is not a number."""
    try:
        return int(request.GET.get("contract", ""))
    except ValueError:
        return 0


class ConsoleOrganizationAdmin(OrganizationAdmin):
    # Usage second, where it is on screen at a laptop's width (last, it was
    # past the right edge at 1366 px). The public id (32 characters) and the
    # creation time are on each organization's page, and the id is searchable.
    list_display = [
        OrganizationAdmin.list_display[0],
        "usage_link",
        *(
            column
            for column in OrganizationAdmin.list_display[1:]
            if column not in ("public_id", "created_at")
        ),
    ]

    def get_urls(self) -> list[URLPattern]:
        console = [
            path(
                "overview/",
                self.admin_site.admin_view(self.overview_view),
                name="accounts_organization_overview",
            ),
            path(
                "<int:object_id>/usage/",
                self.admin_site.admin_view(self.usage_view),
                name="accounts_organization_usage",
            ),
            path(
                "<int:object_id>/usage/<str:report>.csv",
                self.admin_site.admin_view(self.usage_csv_view),
                name="accounts_organization_usage_csv",
            ),
        ]
        return console + super().get_urls()

    @admin.display(description="Usage")
    def usage_link(self, obj: Organization) -> str:
        url = reverse("admin:accounts_organization_usage", args=[obj.pk])
        return format_html('<a href="{}">Usage</a>', url)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "usage_url": reverse("admin:accounts_organization_usage", args=[object_id]),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _check_analytics_permission(self, request: HttpRequest) -> None:
        if not request.user.has_perms(ANALYTICS_PERMISSIONS):
            raise PermissionDenied

    def usage_csv_view(
        self, request: HttpRequest, object_id: int, report: str
    ) -> HttpResponse:
        self._check_analytics_permission(request)
        organization = get_object_or_404(Organization, pk=object_id)
        month = _month_from(request, [])
        return downloads.usage_csv(
            organization=organization, report=report, month=month
        )

    def usage_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        self._check_analytics_permission(request)
        organization = get_object_or_404(Organization, pk=object_id)
        problems: list[str] = []
        month = _month_from(request, problems)
        usage = contract_usage(organization=organization, month=month)
        # The charts end at the chosen month.
        trend = contract_usage_trend(
            organization=organization,
            months=TREND_MONTHS,
            last_month=clock.parse_month(usage.month),
        )
        sort = console.sort_key(request.GET.get("sort"))
        note, currency = usage.coverage_note, usage.totals.currency
        table = [
            (row, console.row_cells(row, coverage_note=note, reporting=currency))
            for row in console.sorted_rows(usage.contracts, sort)
        ]
        # The number columns of each row, in the headings' order.
        table_cells = [
            (
                row,
                [
                    (key.replace("_", "-"), heading, cells[key])
                    for key, (heading, _) in console.COLUMNS.items()
                    if key != "contract"
                ],
            )
            for row, cells in table
        ]
        contract_ids = [row.contract_id for row in usage.contracts]
        chosen = _chosen_contract(request)
        if chosen not in contract_ids:
            wasteful = max(
                usage.contracts,
                key=lambda row: row.estimated_waste or 0,
                default=None,
            )
            chosen = wasteful.contract_id if wasteful else 0
        inactive_days = _days_from(request, "days", INACTIVE_DAYS, problems)
        inactive_page = None
        if chosen:
            inactive = contract_inactive_users(
                organization=organization, days=inactive_days, contract_id=chosen
            ).contracts[0]
            inactive_page = Paginator(
                inactive.inactive_users, INACTIVE_PAGE_SIZE
            ).get_page(request.GET.get("page"))
        renewals = contract_renewals(
            organization=organization, within_days=RENEWAL_DAYS
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Usage of {organization.company_name}",
            "organization": organization,
            "month": usage.month,
            "problems": problems,
            "usage": usage,
            "table": table_cells,
            "columns": self._column_links(sort, usage.month),
            "total_spend": console.amount(usage.totals.annual_spend),
            "total_waste": console.amount(usage.totals.estimated_waste)
            if usage.totals.estimated_waste is not None
            else console.UNKNOWN,
            "total_savings": console.amount(usage.totals.realized_savings),
            "chart_gaps": any(
                month.coverage == metrics.NONE
                for contract in trend.contracts
                for month in contract.months
            ),
            "trend": trend,
            "organization_chart": mark_safe(self._organization_chart(trend)),  # noqa: S308
            "contract_chart": mark_safe(self._contract_chart(trend, chosen)),  # noqa: S308
            "chosen_contract": chosen,
            "contracts": usage.contracts,
            "inactive_days": inactive_days,
            "inactive_page": inactive_page,
            # Largest savings first: what a renewal can save is the point.
            "renewals": sorted(
                renewals.contracts, key=lambda row: -row.estimated_savings
            ),
            "renewal_days": RENEWAL_DAYS,
        }
        return TemplateResponse(
            request, "admin/dashboard/organization_usage.html", context
        )

    @staticmethod
    def _column_links(sort: str, month: str) -> list[dict[str, str]]:
        """Each column's heading and the link that sorts by it: largest first,
        then, on the sorted column, the other way."""
        links = []
        for key, (heading, _) in console.COLUMNS.items():
            current = sort.lstrip("-") == key
            descending = sort.startswith("-")
            target = key if current and descending else f"-{key}"
            if key == "contract" and not current:
                target = key
            arrow = (" ▼" if descending else " ▲") if current else ""
            links.append(
                {
                    "key": key,
                    "heading": heading,
                    "href": f"?month={month}&sort={target}",
                    "arrow": arrow,
                }
            )
        return links

    def _organization_chart(self, trend: UsageTrendReport) -> str:
        # A month proCure has no data for is a gap, never a 0.
        unknown = [
            any(c.months[index].coverage == metrics.NONE for c in trend.contracts)
            for index in range(len(trend.months))
        ]
        used: list[int | None] = [
            None
            if unknown[index]
            else sum(
                contract.months[index].active_users for contract in trend.contracts
            )
            for index in range(len(trend.months))
        ]
        seats = sum(contract.total_seats for contract in trend.contracts)
        return charts.line_chart_svg(
            title=f"{trend.company_name}: seats in use across all contracts",
            months=trend.months,
            series=[
                ("active users (sum over contracts)", used),
                ("seats bought", [seats] * len(trend.months)),
            ],
            y_label="users",
        )

    def _contract_chart(self, trend: UsageTrendReport, chosen: int) -> str:
        for contract in trend.contracts:
            if contract.contract_id == chosen:
                return charts.line_chart_svg(
                    title=f"{contract.vendor_name}: monthly active users",
                    months=trend.months,
                    series=[
                        (
                            "active users",
                            [
                                None if m.coverage == metrics.NONE else m.active_users
                                for m in contract.months
                            ],
                        ),
                        ("seats", [contract.total_seats] * len(trend.months)),
                    ],
                    y_label="users",
                )
        return ""

    def overview_view(self, request: HttpRequest) -> HttpResponse:
        self._check_analytics_permission(request)
        problems: list[str] = []
        month = _month_from(request, problems)
        quiet_days = _days_from(request, "quiet_days", QUIET_DAYS, problems)
        rows = organizations_overview(month=month)
        quiet_since = clock.today() - timedelta(days=quiet_days)
        quiet = [
            row
            for row in rows
            if row.last_activity_day is None or row.last_activity_day < quiet_since
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Organizations overview",
            "month": clock.format_month(month),
            "problems": problems,
            "rows": rows,
            "quiet": quiet,
            "quiet_days": quiet_days,
        }
        return TemplateResponse(request, "admin/dashboard/overview.html", context)


class ConsoleUserAdmin(UserAdmin):
    """The users list with each person's last activity and whether their
    address is verified."""

    list_display = [
        "email",
        "organization",
        "role",
        "is_active",
        "email_verified",
        "last_activity",
        "is_staff",
        "date_joined",
    ]

    def get_queryset(self, request: HttpRequest) -> Any:
        return users_with_last_activity(users=super().get_queryset(request))

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "recent_activity"] if obj is not None else fields

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None:
            return fieldsets
        return [*fieldsets, ("Activity", {"fields": ["recent_activity"]})]

    @admin.display(description=f"Last {RECENT_DAYS} days")
    def recent_activity(self, obj: User) -> str:
        uses = user_recent_activity(user=obj, days=RECENT_DAYS)
        if not uses:
            return f"No activity recorded in the last {RECENT_DAYS} days."
        return format_html_join(
            mark_safe("<br>"),
            "{}: {} days, last on {}",
            (
                (use.vendor_name, use.days_active, use.last_day.isoformat())
                for use in uses
            ),
        )

    @admin.display(description="Verified", boolean=True)
    def email_verified(self, obj: User) -> bool:
        return obj.email_verified

    @admin.display(description="Last activity", ordering="last_activity")
    def last_activity(self, obj: User) -> date | None:
        return getattr(obj, "last_activity", None)


admin.site.register(Organization, ConsoleOrganizationAdmin)
admin.site.register(User, ConsoleUserAdmin)

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from accounts.models import Organization
from discovery import selectors, services
from discovery.models import Application, ApplicationDecision, ApplicationMonth
from procure_site import clock
from procure_site.exceptions import DomainError


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["name", "vendor", "category", "domain_list", "updated_at"]
    list_filter = ["category"]
    search_fields = ["name", "vendor", "domains"]
    readonly_fields = ["updated_at"]

    @admin.display(description="domains")
    def domain_list(self, application: Application) -> str:
        domains = application.domains if isinstance(application.domains, list) else []
        return ", ".join(str(domain) for domain in domains)


# Who used what in the open month (ApplicationUser) is deliberately not in
# the admin: only the anonymous counts of closed months are.
@admin.register(ApplicationMonth)
class ApplicationMonthAdmin(admin.ModelAdmin):
    list_display = ["organization", "month", "application", "active_users"]
    list_filter = ["month"]
    list_select_related = ["organization", "application"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApplicationMonth]:
        # A count of one person is theirs alone: staff see what admins may.
        return (
            super()
            .get_queryset(request)
            .filter(active_users__gte=selectors.MIN_USERS_FLOOR)
        )

    def get_urls(self) -> list[URLPattern]:
        report = path(
            "report/",
            self.admin_site.admin_view(self.report_view),
            name="discovery_discovered_apps",
        )
        return [report, *super().get_urls()]

    def report_view(self, request: HttpRequest) -> HttpResponse:
        """An organization's discovered applications of a month, as its
        admins see them in `discovered-apps`."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        organizations = list(Organization.objects.order_by("company_name"))
        chosen = request.GET.get("organization")
        organization = next(
            (org for org in organizations if org.public_id == chosen),
            organizations[0] if organizations else None,
        )
        error = ""
        month = selectors.discovery_last_closed_month()
        report = None
        try:
            month = clock.parse_month(
                request.GET.get("month") or clock.format_month(month)
            )
            if organization is not None:
                services.discovery_months_close_due()
                report = selectors.discovered_applications(
                    organization=organization, month=month
                )
        except ValueError as exc:
            error = str(exc)
        except DomainError as exc:
            error = exc.detail
        context = {
            **self.admin_site.each_context(request),
            "title": "Discovered applications",
            "organizations": organizations,
            "organization": organization,
            "month": clock.format_month(month),
            "error": error,
            "report": report,
        }
        return TemplateResponse(
            request, "admin/discovery/discovered_apps.html", context
        )

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ApplicationDecision)
class ApplicationDecisionAdmin(admin.ModelAdmin):
    """The admins' decisions about discovered applications, read-only:
    they are made through the API, audited."""

    list_display = ["application", "organization", "state", "owner", "decided_at"]
    list_filter = ["state", "organization"]
    list_select_related = ["application", "organization", "owner"]
    search_fields = ["application__name", "organization__domain_name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: ApplicationDecision | None = None
    ) -> bool:
        return False

"""The staff console's records of organizations: the list, the form and its
actions. dashboard/admin.py adds the usage pages and registers it."""

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from accounts import selectors
from accounts.models import Organization


class OrganizationAdmin(admin.ModelAdmin):
    list_display = [
        "company_name",
        "domain_name",
        "public_id",
        "admin_seats",
        "member_seats",
        "user_count",
        "admins_remaining",
        "members_remaining",
        "created_at",
    ]
    search_fields = ["domain_name", "company_name", "public_id"]
    readonly_fields = [
        "public_id",
        "created_at",
        "admins_remaining",
        "members_remaining",
    ]
    fields = [
        "company_name",
        "domain_name",
        "public_id",
        "admin_seats",
        "member_seats",
        "admins_remaining",
        "members_remaining",
        "reporting_currency",
        "reclaim_reply_days",
        "created_at",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = (
            super()
            .get_queryset(request)
            .annotate(_users=Count("users", filter=Q(users__is_active=True)))
        )
        # Seats as the caps count them: verified people and pending
        # invitations, never an unverified sign-up.
        return selectors.organizations_with_seats_used(queryset=queryset)

    @admin.display(description="Users", ordering="_users")
    def user_count(self, obj: Organization) -> int:
        return obj._users

    @staticmethod
    def _seats_left(cap: int, used: int) -> str:
        # A cap lowered below the seats in use shows the overrun, not 0.
        left = cap - used
        return str(left) if left >= 0 else f"0 (over by {-left})"

    @admin.display(description="Admin seats left")
    def admins_remaining(self, obj: Organization) -> str:
        if not obj.pk:
            return str(obj.admin_seats)
        return self._seats_left(obj.admin_seats, obj.admin_seats_used)

    @admin.display(description="Member seats left")
    def members_remaining(self, obj: Organization) -> str:
        if not obj.pk:
            return str(obj.member_seats)
        return self._seats_left(obj.member_seats, obj.member_seats_used)

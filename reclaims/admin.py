"""Reclaims in the staff console: every organization's, filtered by state,
contract or organization, with the same bulk steps as the API (through the
services, so that they are audited and checked the same way)."""

from collections import defaultdict

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from procure_site.exceptions import DomainError
from reclaims import services
from reclaims.models import Reclaim


@admin.register(Reclaim)
class ReclaimAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "organization",
        "contract",
        "user",
        "state",
        "asked_at",
        "answer_by",
        "answered_at",
        "closed_at",
        "realized_saving",
        "currency",
    ]
    list_filter = ["state", "organization", "contract__vendor_name"]
    list_select_related = ["organization", "contract", "user"]
    search_fields = ["user__email", "contract__vendor_name"]
    date_hierarchy = "asked_at"
    actions = ["confirm_removed", "cancel"]

    # Every change is a service's, audited: the rows are read-only here.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_reclaim_permission(self, request: HttpRequest) -> bool:
        # The bulk steps change reclaims: staff need change_reclaim, as for
        # the API's in another organization.
        return request.user.has_perm("reclaims.change_reclaim")

    def _bulk(self, request: HttpRequest, queryset: QuerySet, step, done: str) -> None:
        by_organization: dict = defaultdict(list)
        for reclaim in queryset.select_related("organization"):
            by_organization[reclaim.organization].append(reclaim.pk)
        changed = 0
        for organization, ids in by_organization.items():
            try:
                changed += len(
                    step(organization=organization, reclaim_ids=ids, actor=request.user)
                )
            except DomainError as refusal:
                self.message_user(
                    request, f"{organization}: {refusal.detail}", messages.ERROR
                )
        if changed:
            self.message_user(request, f"{changed} reclaim(s) {done}.")

    @admin.action(
        description="Confirm the selected seats removed", permissions=["reclaim"]
    )
    def confirm_removed(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._bulk(request, queryset, services.reclaims_remove, "confirmed removed")

    @admin.action(description="Cancel the selected reclaims", permissions=["reclaim"])
    def cancel(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._bulk(request, queryset, services.reclaims_cancel, "cancelled")

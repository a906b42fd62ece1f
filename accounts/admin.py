from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)

from accounts.models import DeviceToken, Invitation, OrganizationDomain
from accounts.services import (
    domains,
    invitations,
    sessions,
)

# simplejwt's pages list every issued session and refresh token in full, and
# a copied value signs in as its owner: no admin page shows them. Staff end a
# person's sessions with the "Sign out everywhere" action on users (in the
# staff console, dashboard/).
admin.site.unregister(OutstandingToken)
admin.site.unregister(BlacklistedToken)


@admin.register(DeviceToken)
class DeviceTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "device_id", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["user__email", "device_id"]
    # The hash is not the token and is useless to a reader; it is not shown.
    fields = ["user", "device_id", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Tokens are handed out by sign-in, which shows the raw value once.
        return False

    @admin.action(
        description="Revoke the selected device tokens", permissions=["change"]
    )
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        revoked = sessions.device_tokens_revoke(
            tokens=queryset, actor=request.user, reason="admin"
        )
        self.message_user(request, f"Revoked {revoked} device tokens.")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "organization",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = [
        "role",
        ("accepted_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["organization", "invited_by"]
    search_fields = ["email", "organization__domain_name"]
    fields = list_display
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Invitations are sent by admins through the API or create_organization,
        # which email the link; one made here would reach nobody.
        return False

    @admin.action(description="Revoke the selected invitations", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        for invitation in queryset:
            invitations.invitation_revoke(
                organization=invitation.organization,
                invitation_id=invitation.pk,
                actor=request.user,
            )
        self.message_user(request, "Revoked the selected pending invitations.")


@admin.register(OrganizationDomain)
class OrganizationDomainAdmin(admin.ModelAdmin):
    """Domains admins asked for: staff verify one once they have checked
    that the company owns it (a DNS record, a contract, a call)."""

    list_display = [
        "domain",
        "organization",
        "requested_by",
        "requested_at",
        "verified_at",
    ]
    list_filter = [("verified_at", admin.EmptyFieldListFilter)]
    list_select_related = ["organization", "requested_by"]
    search_fields = ["domain", "organization__domain_name"]
    fields = list_display
    readonly_fields = fields
    actions = ["verify"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Admins ask through the API (organizations/{id}/domains).
        return False

    @admin.action(
        description="Verify the selected domains (the company owns them)",
        permissions=["change"],
    )
    def verify(self, request: HttpRequest, queryset: QuerySet) -> None:
        for row in queryset:
            domains.organization_domain_verify(domain=row, actor=request.user)
        self.message_user(
            request,
            "Verified: people with an address at the selected domains now "
            "join their organizations.",
        )


@admin.register(AccessAttempt)
class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):  # type: ignore[misc]  # axes ships no types
    actions = ["cleanup_expired_attempts"]

    # It deletes attempts: staff who may only view them are not offered it.
    @admin.action(description="Clean up expired attempts", permissions=["delete"])
    def cleanup_expired_attempts(
        self, request: HttpRequest, queryset: QuerySet
    ) -> None:
        super().cleanup_expired_attempts(request, queryset)


admin.site.register(AccessLog, axes_admin.AccessLogAdmin)
admin.site.register(AccessFailureLog, axes_admin.AccessFailureLogAdmin)

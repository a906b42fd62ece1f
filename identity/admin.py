"""The organizations' identity providers in the staff console: SCIM tokens
and the people providers provisioned (read-only lists, and revoking a token
through the service, audited as the API's revocation is), and which
organizations sign in with OpenID Connect."""

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from accounts.models import User
from identity.models import OidcProvider, ScimToken, ScimUser
from identity.services.tokens import scim_token_revoke


@admin.register(ScimToken)
class ScimTokenAdmin(admin.ModelAdmin[ScimToken]):
    list_display = [
        "name",
        "prefix",
        "organization",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["organization"]
    list_select_related = ["organization", "created_by"]
    search_fields = ["name", "prefix", "organization__company_name"]
    # The hash is never shown: it identifies the token to whoever has it.
    exclude = ["token_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("identity.change_scimtoken")

    @admin.action(description="Revoke the selected tokens", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ScimToken]) -> None:
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related(
            "organization"
        ):
            scim_token_revoke(
                organization=token.organization,
                token_id=token.pk,
                actor=request.user if isinstance(request.user, User) else None,
            )
            revoked += 1
        self.message_user(request, f"{revoked} token(s) revoked.", messages.SUCCESS)


@admin.register(ScimUser)
class ScimUserAdmin(admin.ModelAdmin[ScimUser]):
    list_display = ["user_name", "user", "organization", "external_id", "deleted_at"]
    list_filter = ["organization"]
    list_select_related = ["organization", "user"]
    search_fields = ["user_name", "user__email", "external_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return False


@admin.register(OidcProvider)
class OidcProviderAdmin(admin.ModelAdmin[OidcProvider]):
    """Which organizations sign in with an identity provider. Read-only:
    admins (or staff with change_organization) set it through
    organizations/{id}/identity-provider, which checks the issuer first and
    encrypts the secret."""

    list_display = [
        "organization",
        "issuer",
        "client_id",
        "secret_hint",
        "password_sign_in",
        "updated_at",
        "updated_by",
    ]
    list_select_related = ["organization", "updated_by"]
    search_fields = ["organization__company_name", "issuer", "client_id"]
    exclude = ["client_secret_encrypted"]

    @admin.display(description="Client secret")
    def secret_hint(self, provider: OidcProvider) -> str:
        return f"…{provider.client_secret_hint}"

    @admin.display(boolean=True, description="Passwords allowed")
    def password_sign_in(self, provider: OidcProvider) -> bool:
        return provider.organization.password_sign_in

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return False

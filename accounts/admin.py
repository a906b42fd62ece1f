from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)

from accounts.models import DeviceToken, Organization, Role, User
from accounts.services import erasure, organizations, sessions
from procure_site.exceptions import DomainError

# simplejwt's pages list every issued session and refresh token in full, and
# a copied value signs in as its owner: no admin page shows them. Staff end a
# person's sessions with the "Sign out everywhere" action on users.
admin.site.unregister(OutstandingToken)
admin.site.unregister(BlacklistedToken)


@admin.register(Organization)
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
        "created_at",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        active = Q(users__is_active=True)
        return (
            super()
            .get_queryset(request)
            .annotate(
                _users=Count("users", filter=active),
                _admins=Count("users", filter=active & Q(users__role=Role.ADMIN)),
                _members=Count("users", filter=active & Q(users__role=Role.MEMBER)),
            )
        )

    @admin.display(description="Users", ordering="_users")
    def user_count(self, obj: Organization) -> int:
        return obj._users

    @admin.display(description="Admin seats left")
    def admins_remaining(self, obj: Organization) -> int:
        return max(obj.admin_seats - obj._admins, 0) if obj.pk else obj.admin_seats

    @admin.display(description="Member seats left")
    def members_remaining(self, obj: Organization) -> int:
        return max(obj.member_seats - obj._members, 0) if obj.pk else obj.member_seats


class UserCreationForm(forms.ModelForm):
    password = forms.CharField(widget=forms.PasswordInput, strip=False)

    class Meta:
        model = User
        fields = ["email", "organization", "role", "is_staff"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("password"):
            from django.contrib.auth import password_validation

            password_validation.validate_password(
                cleaned["password"], User(email=cleaned.get("email", ""))
            )
        return cleaned

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = [
        "email",
        "organization",
        "role",
        "is_active",
        "is_staff",
        "date_joined",
    ]
    list_filter = [
        "role",
        "organization",
        "is_active",
        "is_staff",
        ("email_verified_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["organization"]
    search_fields = ["email"]
    # Roles change through the actions below, which keep the seat caps and
    # the last admin and are audited; an address is verified only by its link.
    readonly_fields = ["id", "role", "date_joined", "last_login", "email_verified_at"]
    fieldsets = [
        (None, {"fields": ["id", "email", "password"]}),
        ("Organization", {"fields": ["organization", "role"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["date_joined", "last_login", "email_verified_at"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "password", "organization", "role", "is_staff"]}),
    ]
    filter_horizontal = ["groups"]
    actions = ["make_admin", "make_member", "sign_out_everywhere"]

    def _change_role(self, request: HttpRequest, queryset: QuerySet, role: str) -> None:
        changed = 0
        for user in queryset:
            try:
                organizations.user_change_role(user=user, role=role, actor=request.user)
                changed += 1
            except DomainError as exc:
                self.message_user(
                    request, f"{user.email}: {exc.detail}", messages.ERROR
                )
        if changed:
            self.message_user(
                request, f"Changed the role of {changed} users to {role}."
            )

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None):
        if obj is None:
            # Staff pick a new user's first role on the add form.
            return ["id", "date_joined", "last_login", "email_verified_at"]
        return self.readonly_fields

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        # Deleting a person is an erasure: their traces in the audit trail and
        # the admin's history are anonymized and the erasure is audited.
        erasure.user_erase(user=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for user in queryset:
            erasure.user_erase(user=user, actor=request.user)

    @admin.action(description="Make the selected users admins (within the cap)")
    def make_admin(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._change_role(request, queryset, Role.ADMIN)

    @admin.action(description="Make the selected users members (within the cap)")
    def make_member(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._change_role(request, queryset, Role.MEMBER)

    @admin.action(
        description="Sign the selected users out everywhere",
        permissions=["change"],
    )
    def sign_out_everywhere(self, request: HttpRequest, queryset: QuerySet) -> None:
        for user in queryset:
            sessions.user_sessions_revoke(user=user, actor=request.user, reason="admin")
        self.message_user(
            request, f"Signed {queryset.count()} users out of every device and session."
        )


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

    @admin.action(description="Revoke the selected device tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        revoked = sessions.device_tokens_revoke(
            tokens=queryset, actor=request.user, reason="admin"
        )
        self.message_user(request, f"Revoked {revoked} device tokens.")

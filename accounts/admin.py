from collections.abc import Callable

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)

from accounts import selectors
from accounts.models import DeviceToken, Invitation, Organization, Role, User
from accounts.services import (
    credentials,
    erasure,
    invitations,
    organizations,
    seats,
    sessions,
)
from procure_site.exceptions import DomainError

ONLY_SUPERUSERS = "only a superuser may change a superuser or another staff account."


def _may_change_staff(request: HttpRequest, user: User) -> bool:
    """Whether the staff member of `request` may change `user`: anyone they
    may change users at all, except superusers and other staff accounts,
    which only a superuser changes."""
    if request.user.is_superuser or request.user.pk == user.pk:
        return True
    return not (user.is_superuser or user.is_staff)


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

    def save(self, commit: bool = False) -> User:
        # UserAdmin.save_model creates the user through the service.
        return super().save(commit=False)


class DeviceTokenInline(admin.TabularInline):
    """A person's devices, read-only: only their hashes are stored."""

    model = DeviceToken
    fields = ["device_id", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-created_at"]
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


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
    # the last admin and are audited; an address is verified by its link or by
    # the audited "mark verified" action. The organization is fixed once the
    # user exists: moving a person would leave their activity, audit trail and
    # seat in the first tenant, so a move is an erasure and a new account.
    readonly_fields = [
        "id",
        "organization",
        "role",
        "date_joined",
        "last_login",
        "email_verified_at",
    ]
    inlines = [DeviceTokenInline]
    delete_confirmation_template = "admin/accounts/user/delete_confirmation.html"
    delete_selected_confirmation_template = (
        "admin/accounts/user/delete_selected_confirmation.html"
    )
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
    actions = [
        "make_admin",
        "make_member",
        "sign_out_everywhere",
        "mark_email_verified",
    ]

    def has_change_permission(
        self, request: HttpRequest, obj: User | None = None
    ) -> bool:
        # Staff who may change users still may not change a superuser or
        # another staff account (its password, its address, its access):
        # that would hand them powers they were not given.
        if obj is not None and not _may_change_staff(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(
        self, request: HttpRequest, obj: User | None = None
    ) -> bool:
        if obj is not None and not _may_change_staff(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # Django's view checks has_change_permission and saves the password;
        # a password set for someone else ends their sessions, in the same
        # transaction, and is audited.
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = self.get_object(request, unquote(id))
                if user is not None:
                    credentials.user_password_set_by_staff(
                        user=user, actor=request.user
                    )
        return response

    def get_inlines(self, request: HttpRequest, obj: User | None) -> list:
        return self.inlines if obj is not None else []

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        # The form's writes go through the services (save_model), inside the
        # admin's transaction: a refusal undoes everything and is shown on
        # the same page, with its sentence.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, str(exc.detail), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(
        self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool
    ) -> None:
        if not change:
            created = organizations.user_create(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                organization=form.cleaned_data.get("organization"),
                role=form.cleaned_data.get("role") or Role.MEMBER,
                is_staff=form.cleaned_data.get("is_staff", False),
                actor=request.user,
            )
            obj.pk, obj.password = created.pk, created.password
            obj._state.adding = False
            return
        if "is_active" in form.changed_data:
            if obj.is_active:
                organizations.user_reactivate(user=obj, actor=request.user)
            else:
                organizations.user_deactivate(user=obj, actor=request.user)
        if "email" in form.changed_data:
            credentials.user_email_change(
                user=obj, email=form.cleaned_data["email"], actor=request.user
            )
        others = [
            name
            for name in form.changed_data
            if name not in ("is_active", "groups", "user_permissions", "email")
        ]
        if others:
            obj.save(update_fields=others)

    def _each_user(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        change: Callable[[User], object],
        done: str,
    ) -> None:
        """Applies an action's `change` to each selected user. A refusal is
        shown with the person's address, and the others still go through;
        `done` says what happened to how many ({count})."""
        changed = 0
        for user in queryset:
            if not self.has_change_permission(request, user):
                self.message_user(
                    request, f"{user.email}: {ONLY_SUPERUSERS}", messages.ERROR
                )
                continue
            try:
                change(user)
                changed += 1
            except DomainError as exc:
                self.message_user(
                    request, f"{user.email}: {exc.detail}", messages.ERROR
                )
        if changed:
            self.message_user(request, done.format(count=changed))

    def _change_role(self, request: HttpRequest, queryset: QuerySet, role: str) -> None:
        self._each_user(
            request,
            queryset,
            lambda user: organizations.user_change_role(
                user=user, role=role, actor=request.user
            ),
            f"Changed the role of {{count}} users to {role}.",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None):
        if obj is None:
            # Staff pick a new user's first role on the add form.
            fields = ["id", "date_joined", "last_login", "email_verified_at"]
        else:
            fields = list(self.readonly_fields)
        if not request.user.is_superuser:
            # Only superusers grant staff powers: a staff member who may
            # change users must not make anyone (themselves first) a superuser.
            fields += ["is_staff", "is_superuser", "groups"]
        return fields

    def get_deleted_objects(self, objs, request: HttpRequest):
        # Deleting a person erases them (accounts.services.erasure): the page
        # says so with counts instead of listing every activity row.
        users = list(objs)
        summary = selectors.users_erasure_summary(users=users)
        perms_needed = set() if self.has_delete_permission(request) else {"user"}
        return [str(user) for user in users], summary, perms_needed, []

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        # Deleting a person is an erasure: their traces in the audit trail and
        # the admin's history are anonymized and the erasure is audited.
        # Staff confirmed on a page that says what goes; the last admin may be
        # erased there (staff can invite a new one).
        erasure.user_erase(user=obj, actor=request.user, leave_without_admin=True)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for user in queryset:
            erasure.user_erase(user=user, actor=request.user, leave_without_admin=True)

    @admin.action(
        description="Make the selected users admins (within the cap)",
        permissions=["change"],
    )
    def make_admin(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._change_role(request, queryset, Role.ADMIN)

    @admin.action(
        description="Make the selected users members (within the cap)",
        permissions=["change"],
    )
    def make_member(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._change_role(request, queryset, Role.MEMBER)

    @admin.action(
        description="Mark the selected users' email addresses verified",
        permissions=["change"],
    )
    def mark_email_verified(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each_user(
            request,
            queryset,
            lambda user: seats.user_email_verified_mark(
                user=user, via="staff", actor=request.user
            ),
            "Marked {count} email addresses verified.",
        )

    @admin.action(
        description="Sign the selected users out everywhere",
        permissions=["change"],
    )
    def sign_out_everywhere(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each_user(
            request,
            queryset,
            lambda user: sessions.user_sessions_revoke(
                user=user, actor=request.user, reason="admin"
            ),
            "Signed {count} users out of every device and session.",
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

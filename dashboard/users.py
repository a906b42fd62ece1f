"""The staff console's records of users: the list, the forms and the actions
that go through accounts' services. dashboard/admin.py adds each person's
last activity and registers it."""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from accounts import selectors
from accounts.models import DeviceToken, Role, User
from accounts.services import (
    credentials,
    erasure,
    organizations,
    seats,
    sessions,
)
from organizations.services import member_deactivate
from procure_site.exceptions import DomainError

ONLY_SUPERUSERS = "only a superuser may change a superuser or another staff account."


def _may_change_staff(request: HttpRequest, user: User) -> bool:
    """Whether the staff member of `request` may change `user`: anyone they
    may change users at all, except superusers and other staff accounts,
    which only a superuser changes."""
    if request.user.is_superuser or request.user.pk == user.pk:
        return True
    return not (user.is_superuser or user.is_staff)


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
        ("Organization", {"fields": ["organization", "role", "department"]}),
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
                member_deactivate(user=obj, actor=request.user)
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

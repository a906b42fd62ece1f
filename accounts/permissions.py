from typing import cast

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.views import APIView

from accounts import selectors
from accounts.errors import (
    ADMINS_ONLY,
    NO_ORGANIZATION,
    staff_permission_detail,
    unverified_admin_detail,
    unverified_reader_detail,
)
from accounts.models import Organization, User
from procure_site.error_codes import ErrorCode
from procure_site.exceptions import Forbidden, NotFound


def admin_refusal(user: User) -> Forbidden | None:
    """Why `user` may not use an organization's admin features, or None.

    Admin powers need a verified address, so that an account signed up with
    someone else's email cannot act as an admin. Staff are trusted as they are.
    """
    if not user.is_org_admin:
        return Forbidden(ADMINS_ONLY, code=ErrorCode.ADMINS_ONLY)
    if not user.email_verified and not user.is_staff:
        return Forbidden(
            unverified_admin_detail(user), code=ErrorCode.EMAIL_NOT_VERIFIED
        )
    return None


class IsOrganizationMember(BasePermission):
    """Any signed-in user who belongs to an organization.

    DRF answers a refusal with the class's `message` and `code`, which the
    subclasses set to the reason of each refusal.
    """

    message = NO_ORGANIZATION
    code = ErrorCode.NO_ORGANIZATION.value

    def refuse(self, refusal: Forbidden) -> bool:
        self.message = refusal.detail
        self.code = refusal.code.value
        return False

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated) and (
            request.user.organization_id is not None
        )


class IsOrganizationAdmin(IsOrganizationMember):
    """An admin of an organization, with a verified email address."""

    message = ADMINS_ONLY
    code = ErrorCode.ADMINS_ONLY.value

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return self.refuse(
                Forbidden(NO_ORGANIZATION, code=ErrorCode.NO_ORGANIZATION)
            )
        refusal = admin_refusal(request.user)
        if refusal is not None:
            return self.refuse(refusal)
        return True


class MembersReadAdminsWrite(IsOrganizationMember):
    """Members of the organization with a verified address may read (what is
    read here, spend, seats and notes, is for the organization's people, not
    for whoever signed up with one of its addresses); only its verified
    admins may change."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return self.refuse(
                Forbidden(NO_ORGANIZATION, code=ErrorCode.NO_ORGANIZATION)
            )
        if request.method in SAFE_METHODS:
            if not request.user.email_verified and not request.user.is_staff:
                return self.refuse(
                    Forbidden(
                        unverified_reader_detail(request.user),
                        code=ErrorCode.EMAIL_NOT_VERIFIED,
                    )
                )
            return True
        refusal = admin_refusal(request.user)
        if refusal is not None:
            return self.refuse(refusal)
        return True


# The base of every view under organizations/{organization_id}/. Who may
# call is declared, not checked by each handler: the organization the path
# names is resolved and the caller's access to it checked in `initial()`,
# after authentication and before the handler runs, so that a 404 or 403
# comes before any other answer (a 400 for a bad query, say) and a handler
# cannot forget the check. The handler reads `self.organization`. (Comments,
# not a docstring: drf-spectacular would show a docstring as the description
# of the operations of subclasses that have none of their own.)
class OrganizationScopedView(APIView):
    # Only the organization's admins (with a verified address), or also its
    # members.
    admins_only = True
    # The model whose Django permissions let staff use this view in any
    # organization: view_<model> to read, change_<model> to change.
    staff_permission_model = "accounts.organization"
    organization: Organization

    @property
    def caller(self) -> User:
        """The signed-in user, once `initial()` has let them in."""
        return cast(User, self.request.user)

    def staff_permission(self) -> str:
        app_label, model = self.staff_permission_model.split(".")
        action = "view" if self.request.method in SAFE_METHODS else "change"
        return f"{app_label}.{action}_{model}"

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.organization = self._organization_for_caller()

    def _organization_for_caller(self) -> Organization:
        """The organization the path names, once the caller may see it.

        An id that does not exist is a 404; another organization's id, or a
        member (or an admin whose email is unverified) where `admins_only`, is
        a 403. Staff may use any organization's, as far as their Django
        permissions allow (`staff_permission`): being staff alone grants
        nothing.
        """
        public_id = self.kwargs["organization_id"]
        user = self.request.user
        organization = selectors.organization_by_public_id(public_id=public_id)
        if organization is None:
            raise NotFound(f"No organization has the id {public_id}.")
        if user.is_staff and user.organization_id != organization.id:
            permission = self.staff_permission()
            if not user.has_perm(permission):
                raise Forbidden(
                    staff_permission_detail(permission),
                    code=ErrorCode.STAFF_PERMISSION_MISSING,
                )
            return organization
        if user.organization_id != organization.id:
            raise Forbidden(
                "You can only see your own organization.",
                code=ErrorCode.OTHER_ORGANIZATION,
            )
        if self.admins_only:
            refusal = admin_refusal(user)
            if refusal is not None:
                raise refusal
        return organization

from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts import selectors
from accounts.models import Organization, User
from procure_site.exceptions import Forbidden, NotFound

NO_ORGANIZATION = (
    "Your account does not belong to an organization. Ask proCure support to "
    "add it to one."
)
ADMINS_ONLY = "Only admins of the organization can do this."


class IsOrganizationMember(BasePermission):
    """Any signed-in user who belongs to an organization."""

    message = NO_ORGANIZATION

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated) and (
            request.user.organization_id is not None
        )


class IsOrganizationAdmin(IsOrganizationMember):
    message = ADMINS_ONLY

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and request.user.is_org_admin


class MembersReadAdminsWrite(IsOrganizationMember):
    """Members of the organization may read; only its admins may change."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            self.message = NO_ORGANIZATION
            return False
        if request.method in SAFE_METHODS or request.user.is_org_admin:
            return True
        self.message = ADMINS_ONLY
        return False


def organization_from_path(
    *, user: User, public_id: str, admins_only: bool
) -> Organization:
    """The organization a URL names, if `user` may see it.

    An id that does not exist is a 404; another organization's id, or a
    member where admins only are allowed, is a 403. Staff may see any.
    """
    organization = selectors.organization_by_public_id(public_id=public_id)
    if organization is None:
        raise NotFound(f"No organization has the id {public_id}.")
    if user.is_staff:
        return organization
    if user.organization_id != organization.id:
        raise Forbidden("You can only see your own organization.")
    if admins_only and not user.is_org_admin:
        raise Forbidden(ADMINS_ONLY)
    return organization

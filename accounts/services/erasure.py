"""Erasing a person: everything proCure recorded about them goes."""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts import selectors
from accounts.models import DeviceToken, Organization, User
from accounts.services import invitations
from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from procure_site.error_codes import ErrorCode
from procure_site.exceptions import DomainError

# What an erased person's email is replaced with wherever the audit trail and
# the Django admin's history kept it.
ERASED_USER = "(erased user)"


def user_erase(
    *, user: User, actor: User | None = None, leave_without_admin: bool = False
) -> dict[str, int]:
    """Deletes a person and everything proCure recorded about them.

    Their activity, device tokens and JWT/cookie sessions are deleted with the
    user. Where the audit trail and the Django admin's history kept their
    email, it is replaced by "(erased user)": the events stay, so the trail
    still shows what happened, but no longer who it was. Analytics are
    computed from activity when asked, so they simply stop counting the
    person. Records one `user.erased` event naming only the former user id.

    Erasing the organization's last admin would leave nobody to manage it:
    DomainError, unless `leave_without_admin` says the caller was told (a
    person's right to erasure outranks the rule; `forget_user --force`, and
    the Django admin's delete page, which shows what goes).

    Returns how many rows of each kind were deleted or anonymized.
    """
    if actor is not None and actor.pk == user.pk:
        actor = None
    with transaction.atomic():
        if user.organization_id is not None and not leave_without_admin:
            # Locked before the person, as role changes and deactivations lock
            # it, so that the last-admin rule is read with nobody changing it.
            Organization.objects.select_for_update().get(pk=user.organization_id)
        # Locked first: an ingestion batch of this user that is under way
        # finishes before the rows to delete are collected, and one that
        # comes later waits, then finds no user and stores nothing
        # (url_visits.activity_sql).
        user = (
            User.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=user.pk)
        )
        user_id, email, organization = str(user.pk), user.email, user.organization
        if (
            organization is not None
            and not leave_without_admin
            and selectors.user_is_last_admin(user=user, organization=organization)
        ):
            raise DomainError(
                f"{email} is the last admin of {organization.company_name}; "
                "erasing them leaves nobody who can manage it. Make someone "
                "else an admin first, or erase anyway and invite a new admin "
                "with manage.py create_organization --domain "
                f"{organization.domain_name} --company "
                f'"{organization.company_name}" --admin-email <address>.',
                code=ErrorCode.LAST_ADMIN,
            )
        # Their pending invitations would outlive them, sent by nobody.
        invitations.invitations_revoke_sent_by(
            inviter=user, actor=actor, reason="inviter_erased"
        )
        summary = {
            "activity": user.activities.count(),
            "devices": DeviceToken.objects.filter(user=user).count(),
            "sessions": OutstandingToken.objects.filter(user=user)
            .delete()[1]
            .get("token_blacklist.OutstandingToken", 0),
        }
        mentioned_as_actor = Q(actor=user) | Q(actor_email=email)
        summary["audit_events"] = AuditEvent.objects.filter(
            mentioned_as_actor | Q(target=email)
        ).count()
        AuditEvent.objects.filter(mentioned_as_actor).update(actor_email=ERASED_USER)
        AuditEvent.objects.filter(target=email).update(target=ERASED_USER)
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User),
            object_id=user_id,
        ).update(object_repr=ERASED_USER)
        # Activity and device tokens go with the user (on_delete=CASCADE).
        user.delete()
        audit_record(
            action=AuditAction.USER_ERASED,
            organization=organization,
            actor=actor,
            target=ERASED_USER,
            details={"user_id": user_id, **summary},
        )
    return summary

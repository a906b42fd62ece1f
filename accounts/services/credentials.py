"""What staff change of a person's credentials in the Django admin: a new
password, a new email address. Either could hand the account to someone
else, so each ends every session and device token the person had and is
audited with the staff member as actor."""

from django.db import transaction

from accounts import selectors
from accounts.models import User, UserManager
from accounts.services.sessions import user_sessions_revoke
from audit.models import AuditAction
from audit.services import audit_record
from procure_site.exceptions import DomainError


def user_password_set_by_staff(*, user: User, actor: User) -> None:
    """Ends the sessions of `user`, whose password `actor` has just set (the
    admin's form saved it), and audits it. Whoever knew the old password, or
    held a session from it, is signed out."""
    with transaction.atomic():
        audit_record(
            action=AuditAction.USER_PASSWORD_SET,
            organization=user.organization,
            actor=actor,
            target=user.email,
        )
        user_sessions_revoke(user=user, actor=actor, reason="password_set")


def user_email_change(*, user: User, email: str, actor: User) -> User:
    """Moves `user` to `email`, which must be at their organization's domain.

    The new address is unverified until its owner follows a verification
    link, and every session and device token ends: a changed address must not
    keep the standing (an admin seat, a verified address) the old one earned.
    """
    email = UserManager.normalize_email(email)
    with transaction.atomic():
        user = (
            User.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=user.pk)
        )
        previous = user.email
        if email == previous:
            return user
        organization = user.organization
        if organization is not None:
            domains = selectors.organization_domain_names(organization=organization)
            if email.rsplit("@", 1)[-1] not in domains:
                plural = "s" if len(domains) > 1 else ""
                raise DomainError(
                    f"{email} is not an address at "
                    f"{selectors.domains_sentence(domains)}, the domain{plural} of "
                    f"{organization.company_name}. A person's address stays in "
                    f"their organization's domain{plural}; to move someone "
                    "elsewhere, erase this account and create one there."
                )
        user.email = email
        user.email_verified_at = None
        user.save(update_fields=["email", "email_verified_at"])
        audit_record(
            action=AuditAction.USER_EMAIL_CHANGED,
            organization=organization,
            actor=actor,
            target=email,
            details={"from": previous, "to": email},
        )
        user_sessions_revoke(user=user, actor=actor, reason="email_changed")
    return user

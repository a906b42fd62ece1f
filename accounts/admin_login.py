"""The admin login's lockout: django-axes, with a ceiling per account.

axes counts wrong passwords per (account, address) and per address
(AXES_LOCKOUT_PARAMETERS) against one limit, so that a stranger's failures
from elsewhere never lock a staff member out. On top of those, this handler
counts an account's failures from every address together: past
ADMIN_LOGIN_ACCOUNT_FAILURE_LIMIT, only networks the account signed in from
before may try, as in the API's lockout (accounts/services/lockout.py), whose
record of known networks both share.
"""

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

from accounts.models import User, UserManager
from accounts.services import lockout
from procure_site.client_ip import client_ip


def admin_login_username(
    request: HttpRequest, credentials: dict[str, Any] | None
) -> str:
    """The account an admin login attempt is for, as it is stored: an address
    typed in capitals is the same account, and is counted as one."""
    data = credentials if credentials else request.POST
    return UserManager.normalize_email(data.get(settings.AXES_USERNAME_FORM_FIELD))


class AdminLoginHandler(AxesDatabaseHandler):  # type: ignore[misc]
    def get_failures(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """axes' count, which it holds against AXES_FAILURE_LIMIT; at that
        limit too when the account is past its ceiling and the address is not
        one it signed in from."""
        failures: int = super().get_failures(request, credentials)
        limit: int = get_failure_limit(request, credentials)
        if failures >= limit:
            return failures
        username = get_client_username(request, credentials)
        if not username:
            return failures
        account_failures = AccessAttempt.objects.filter(
            username=username, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(total=Sum("failures_since_start"))["total"]
        if (account_failures or 0) < settings.ADMIN_LOGIN_ACCOUNT_FAILURE_LIMIT:
            return failures
        if lockout.sign_in_network_known(
            email=username, client_address=client_ip(request)
        ):
            return failures
        return limit

    def user_logged_in(
        self, sender: Any, request: HttpRequest, user: User, **kwargs: Any
    ) -> None:
        super().user_logged_in(sender, request, user, **kwargs)
        lockout.sign_in_success_record(
            email=user.email, client_address=client_ip(request)
        )

"""The client's address, by one rule for the API's throttles and the admin
login's lockout."""

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, as DRF's throttles see it.

    With `TRUSTED_PROXY_COUNT` (DRF's NUM_PROXIES) at 0 that is REMOTE_ADDR;
    behind N trusted proxies it is the Nth address from the right of
    X-Forwarded-For, so a client cannot pick its own by sending the header.
    """
    return BaseThrottle().get_ident(request)  # type: ignore[arg-type]

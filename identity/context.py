from django.conf import settings
from django.http import HttpRequest


def staff_sign_in(request: HttpRequest) -> dict[str, str]:
    """The admin login's link to the staff's identity provider, when one is
    set (STAFF_OIDC_ISSUER)."""
    if not settings.STAFF_OIDC_ISSUER:
        return {}
    return {"staff_sso_url": f"/account/sso?next=/{settings.ADMIN_URL}"}

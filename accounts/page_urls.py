from django.urls import path

from accounts import pages
from identity import sso

urlpatterns = [
    path("verify-email", pages.verify_email_page, name="account-verify-email"),
    path("reset-password", pages.reset_password_page, name="account-reset-password"),
    path("sso", sso.sso_start_page, name="account-sso"),
    path("sso/callback", sso.sso_callback_page, name="account-sso-callback"),
    path(
        "accept-invitation",
        pages.accept_invitation_page,
        name="account-accept-invitation",
    ),
]

from django.urls import path

from accounts import pages

urlpatterns = [
    path("verify-email", pages.verify_email_page, name="account-verify-email"),
    path("reset-password", pages.reset_password_page, name="account-reset-password"),
    path(
        "accept-invitation",
        pages.accept_invitation_page,
        name="account-accept-invitation",
    ),
]

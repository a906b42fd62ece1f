"""The small server-rendered pages that emailed links open: verifying an
address, resetting a password and accepting an invitation. Plain Django
forms that POST with Django's CSRF protection, no JavaScript; each answer is
a page with a sentence a person can act on and a link back to the web app.

Unlike the API views, these catch the services' DomainError: a page shows the
refusal in the page instead of answering JSON.
"""

import math
from typing import cast

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts.services import emails, invitations
from procure_site.client_ip import client_ip
from procure_site.exceptions import DomainError, InvalidFields


class VerifyEmailForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=500)
    password = forms.CharField(
        label="Your proCure password",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ResetRequestForm(forms.Form):
    email = forms.EmailField(
        label="Your work email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ResetPasswordForm(forms.Form):
    uid = forms.CharField(widget=forms.HiddenInput, max_length=100)
    token = forms.CharField(widget=forms.HiddenInput, max_length=100)
    new_password = forms.CharField(
        label="New password",
        strip=False,
        max_length=128,
        help_text="At least 8 characters, with an upper-case letter, a "
        "lower-case letter and a digit.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class AcceptInvitationForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=500)
    password = forms.CharField(
        label="Choose a password",
        strip=False,
        max_length=128,
        help_text="At least 8 characters, with an upper-case letter, a "
        "lower-case letter and a digit.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


def _page(
    request: HttpRequest, template: str, status: int = 200, **context: object
) -> HttpResponse:
    context.setdefault("web_app_url", settings.WEB_APP_URL)
    return render(request, f"accounts/{template}", context, status=status)


def _outcome(
    request: HttpRequest, *, title: str, message: str, ok: bool, status: int = 200
) -> HttpResponse:
    return _page(
        request, "outcome.html", status=status, title=title, message=message, ok=ok
    )


class _ClientAddressThrottle(SimpleRateThrottle):
    """The API's throttle of `scope` for a page, in the same cache entries.

    The API's password-reset views take no authentication, so DRF counts
    their requests by client address under "throttle_<scope>_<address>"; this
    counts a page's requests under the same key, whether or not the browser
    carries an admin session, so that a page and the API share one allowance.
    """

    def __init__(self, *, scope: str) -> None:
        self.scope = scope
        super().__init__()

    def get_cache_key(self, request: Request, view: object) -> str:
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


def page_throttle_wait(request: HttpRequest, *, scope: str) -> int | None:
    """Counts this request against `scope`'s rate: the seconds to wait once
    the allowance is spent, None while it lasts."""
    throttle = _ClientAddressThrottle(scope=scope)
    # The throttle reads only the request's META, which a page's has too, and
    # nothing of the view.
    if throttle.allow_request(cast(Request, request), APIView()):
        return None
    return max(1, math.ceil(throttle.wait() or 1))


def in_a_while(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


@never_cache
@csrf_protect
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def verify_email_page(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    token = data.get("token", "")
    try:
        user = emails.email_verification_link_read(token=token)
    except DomainError as refusal:
        return _outcome(
            request, title="Verify your email", message=refusal.detail, ok=False
        )
    if user.email_verified:
        return _outcome(
            request,
            title="Verify your email",
            message=f"{user.email} is already verified. You can sign in.",
            ok=True,
        )
    form = VerifyEmailForm(initial={"token": token})
    if request.method == "POST":
        form = VerifyEmailForm(request.POST)
        if form.is_valid():
            try:
                emails.user_email_verify(
                    token=token,
                    password=form.cleaned_data["password"],
                    client_address=client_ip(request),
                )
            except DomainError as refusal:
                form.add_error("password", refusal.detail)
            else:
                return _outcome(
                    request,
                    title="Email verified",
                    message=f"{user.email} is verified. You can use every "
                    "proCure feature of your role now.",
                    ok=True,
                )
    return _page(request, "verify_email.html", form=form, email=user.email)


@never_cache
@csrf_protect
@sensitive_post_parameters("new_password")
@require_http_methods(["GET", "POST"])
def reset_password_page(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    if "uid" not in data and "token" not in data:
        return _reset_request(request)
    uid, token = data.get("uid", ""), data.get("token", "")
    # Counted before the link is read, as the API's confirm view counts every
    # request.
    wait = (
        page_throttle_wait(request, scope="sign_in")
        if request.method == "POST"
        else None
    )
    try:
        user = emails.password_reset_link_read(uid=uid, token=token)
    except DomainError as refusal:
        return _page(
            request,
            "reset_request.html",
            form=ResetRequestForm(),
            refusal=refusal.detail,
        )
    form = ResetPasswordForm(initial={"uid": uid, "token": token})
    if request.method == "POST":
        form = ResetPasswordForm(request.POST)
        if wait is not None:
            form.add_error(
                None,
                "Too many attempts came from your network. Try again in "
                f"{in_a_while(wait)}.",
            )
            response = _page(
                request, "reset_password.html", status=429, form=form, email=user.email
            )
            response["Retry-After"] = str(wait)
            return response
        if form.is_valid():
            try:
                emails.user_password_reset_confirm(
                    **form.cleaned_data, client_address=client_ip(request)
                )
            except InvalidFields as rejected:
                for message in rejected.errors.get("new_password", [rejected.detail]):
                    form.add_error("new_password", message)
            except DomainError as refusal:
                form.add_error(None, refusal.detail)
            else:
                return _outcome(
                    request,
                    title="Password changed",
                    message=f"The password of {user.email} is changed and the "
                    "address is verified. Every earlier session is signed out: "
                    "sign in with the new password.",
                    ok=True,
                )
    return _page(request, "reset_password.html", form=form, email=user.email)


def _reset_request(request: HttpRequest) -> HttpResponse:
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST":
        wait = page_throttle_wait(request, scope="password_reset")
        if wait is not None:
            response = _page(
                request,
                "reset_request.html",
                status=429,
                form=form,
                refusal="Too many password-reset requests came from your network. "
                f"Try again in {in_a_while(wait)}; a link we already sent keeps "
                "working.",
            )
            response["Retry-After"] = str(wait)
            return response
    if request.method == "POST" and form.is_valid():
        emails.user_password_reset_request(email=form.cleaned_data["email"])
        hours = settings.PASSWORD_RESET_TIMEOUT // 3600
        return _outcome(
            request,
            title="Check your email",
            message="If an account uses that address, we sent it a link to "
            f"choose a new password. The link works for {hours} hours.",
            ok=True,
        )
    return _page(request, "reset_request.html", form=form)


@never_cache
@csrf_protect
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def accept_invitation_page(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    token = data.get("token", "")
    try:
        invitation = invitations.invitation_link_read(token=token)
    except DomainError as refusal:
        return _outcome(request, title="Join proCure", message=refusal.detail, ok=False)
    form = AcceptInvitationForm(initial={"token": token})
    if request.method == "POST":
        form = AcceptInvitationForm(request.POST)
        if form.is_valid():
            try:
                user = invitations.invitation_accept(**form.cleaned_data)
            except InvalidFields as rejected:
                for message in rejected.errors.get("password", [rejected.detail]):
                    form.add_error("password", message)
            except DomainError as refusal:
                form.add_error(None, refusal.detail)
            else:
                return _outcome(
                    request,
                    title="Welcome to proCure",
                    message=f"Your account {user.email} is ready and its address "
                    "verified. Sign in to the web app with this password.",
                    ok=True,
                )
    return _page(request, "accept_invitation.html", form=form, invitation=invitation)

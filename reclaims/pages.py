"""The page an emailed reclaim link opens: "Do you still need your {vendor}
seat?" with Keep it and Release it. A plain form that POSTs with Django's
CSRF protection, no JavaScript, sized for a phone, like the account pages;
the link's token is what lets the person answer, without signing in.
"""

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from procure_site.exceptions import DomainError
from reclaims import services
from reclaims.models import Reclaim, ReclaimState


class ReclaimAnswerForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=500)
    answer = forms.ChoiceField(choices=[("keep", "Keep it"), ("release", "Release it")])


def _page(
    request: HttpRequest,
    *,
    reclaim: Reclaim | None,
    status: int = 200,
    **context: object,
) -> HttpResponse:
    context.setdefault("web_app_url", settings.WEB_APP_URL)
    return render(
        request, "reclaims/answer.html", {"reclaim": reclaim, **context}, status=status
    )


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def reclaim_page(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    token = data.get("token", "")
    try:
        reclaim = services.reclaim_link_read(token=token)
    except DomainError as refusal:
        return _page(request, reclaim=None, refusal=refusal.detail, status=400)
    if request.method == "POST":
        form = ReclaimAnswerForm(request.POST)
        if not form.is_valid():
            return _page(
                request,
                reclaim=reclaim,
                token=token,
                refusal="Choose Keep it or Release it.",
                status=400,
            )
        try:
            reclaim = services.reclaim_answer(
                token=token, answer=form.cleaned_data["answer"]
            )
        except DomainError as refusal:
            return _page(request, reclaim=reclaim, refusal=refusal.detail)
        return _page(
            request, reclaim=reclaim, outcome=services.reclaim_closed_sentence(reclaim)
        )
    if reclaim.state != ReclaimState.ASKED:
        return _page(
            request, reclaim=reclaim, outcome=services.reclaim_closed_sentence(reclaim)
        )
    return _page(request, reclaim=reclaim, token=token)

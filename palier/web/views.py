"""The entry page (contacts go to the portal, R&D to its defects, other staff to the
workspace) and the language switch."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from palier.accounts.actions import do_set_language
from palier.accounts.models import Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_contact:
        return redirect("web:portal:home")
    if request.user.role == Role.RND:
        return redirect("web:engineering:defects")
    try:
        return redirect(reverse("web:agent:home"))
    except NoReverseMatch:  # the workspace is not installed yet
        return render(request, "web/staff_home.html")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's switch (cookie, safe redirect), plus the signed-in user's profile, which is
    what mails and the worker read: the cookie alone never leaves this browser."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    # Django ignores an unknown code (no cookie set); so do we, rather than erroring.
    if request.user.is_authenticated and language in {code for code, _n in settings.LANGUAGES}:
        do_set_language(request.user, language)
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django could not read (a form body cut or garbled, a bad header): a page
    in the user's language that says so, instead of Django's bare English one. What was
    typed cannot be shown again: the body itself could not be read."""
    try:
        return render(request, "400.html", status=400)
    except Exception:  # noqa: BLE001 (a request this broken may not render a full page)
        from django.views import defaults

        return defaults.bad_request(request, exception)

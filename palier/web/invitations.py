"""The page an invitation's link opens: the invited person chooses their password."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from palier.people.actions import InvitationInvalid, access_invitation_by_key, do_accept_invitation


@never_cache
def accept(request: HttpRequest, key: str) -> HttpResponse:
    try:
        invitation = access_invitation_by_key(key)
    except InvitationInvalid as exc:
        return render(request, "web/people/invitation.html", {"invalid": exc.message}, status=410)
    # The page goes on in the language of the mail that brought the person here, unless
    # they chose another with the language switcher.
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    language = chosen if chosen in dict(settings.LANGUAGES) else invitation.user.language
    with translation.override(language or settings.LANGUAGE_CODE):
        request.LANGUAGE_CODE = translation.get_language()
        return _accept(request, key, invitation)


def _accept(request: HttpRequest, key: str, invitation) -> HttpResponse:
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = do_accept_invitation(key, form.cleaned_data["new_password1"])
        except InvitationInvalid as exc:
            return render(
                request, "web/people/invitation.html", {"invalid": exc.message}, status=410
            )
        except ValidationError as exc:
            form.add_error("new_password2", exc)
        else:
            messages.success(
                request,
                _("Your password is set. Sign in with %(username)s or your email address.")
                % {"username": user.username},
            )
            return redirect("web:login")
    return render(request, "web/people/invitation.html", {"form": form, "person": invitation.user})

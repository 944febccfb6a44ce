"""Sign in, sign out and password reset: Django's views with Palier's forms and limits."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from palier.accounts import sso, twofactor
from palier.web.forms import ResetForm, SignInForm


class SignInView(auth_views.LoginView):
    template_name = "web/auth/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "sso_providers": sso.configured()}

    def form_valid(self, form: SignInForm) -> HttpResponse:
        response = super().form_valid(form)  # signs in, with a new session key
        return second_step_or(self.request, response)


def second_step_or(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """After the password (or an identity provider): on to the second step if one is owed
    (the sign-in itself decided which: palier.accounts.twofactor.on_sign_in)."""
    state = twofactor.state(request)
    if state in (twofactor.State.PENDING, twofactor.State.SETUP):
        name = (
            "web:two_factor_verify"
            if state == twofactor.State.PENDING
            else "web:account:two_factor_setup"
        )
        query = urlencode({"next": response["Location"]})
        return HttpResponseRedirect(f"{reverse(name)}?{query}")
    return response


def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """/admin/login/: the desk's one sign-in form, with its limits and its second factor.

    Django's admin has a sign-in form of its own that knows neither; a second door would be
    a way around both. Someone signed in who may not use the admin goes home (sending them to
    the form would loop back here).
    """
    if request.user.is_authenticated:
        return redirect("web:home")
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    return redirect(f"{reverse('web:login')}?{urlencode({'next': target or '/admin/'})}")


class SignOutView(auth_views.LogoutView):
    """POST only (Django's default): the session is flushed, its key dies with it."""

    next_page = reverse_lazy("web:login")


class ResetView(auth_views.PasswordResetView):
    template_name = "web/auth/password_reset.html"
    email_template_name = "web/auth/password_reset_email.txt"
    subject_template_name = "web/auth/password_reset_subject.txt"
    form_class = ResetForm
    success_url = reverse_lazy("web:password_reset_done")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form: ResetForm) -> HttpResponse:
        # Over the limit: the same redirect as a real send, and nothing is sent.
        if not form.allowed_to_send():
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class ResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/auth/password_reset_done.html"


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/auth/password_reset_confirm.html"
    success_url = reverse_lazy("web:password_reset_complete")


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/auth/password_reset_complete.html"

"""Sign in, sign out and password reset: Django's views with Palier's forms and limits."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy

from palier.web.forms import ResetForm, SignInForm


class SignInView(auth_views.LoginView):
    template_name = "web/auth/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True


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

"""The entry page: contacts go to the portal, staff to the workspace."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_contact:
        return redirect("web:portal:home")
    try:
        return redirect(reverse("web:agent:home"))
    except NoReverseMatch:  # the workspace is not installed yet
        return render(request, "web/staff_home.html")

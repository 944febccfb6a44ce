"""Customer portal views (filled in below the base layout)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/portal/home.html", {})


request_list = new_request = preview = request_detail = reply = change_status = home

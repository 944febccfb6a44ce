"""The doors of the web screens: who may open a view.

Staff screens answer "not found" to anyone else, as for another customer's object; the
portal sends staff to their workspace.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

View = Callable[..., HttpResponse]


def _staff_door(allowed: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not (request.user.is_staff_member and allowed(request.user)):
                raise Http404("page")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


staff_required = _staff_door(lambda user: True)
manager_required = _staff_door(lambda user: user.is_manager)


def contact_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_contact or request.user.customer_id is None:
            return redirect("web:home")
        return view(request, *args, **kwargs)

    return wrapper


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"

"""Web sessions a user can see and end: Django's database sessions with their user, browser,
address and last activity as columns (SESSION_ENGINE = "palier.accounts.sessions").

The session's data carries those values (written by `SessionActivityMiddleware`, at most once
a minute so that a page view is not a write); each save copies them to the row's columns.
Ending a session deletes its row: the next request with its cookie is anonymous.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from palier.lib.compiled import all_rows
from palier.web.ratelimit import client_address

AGENT_KEY = "palier.agent"
ADDRESS_KEY = "palier.address"
SEEN_KEY = "palier.seen"
SINCE_KEY = "palier.since"
TOUCH_EVERY_SECONDS = 60


def _instant(value: object) -> dt.datetime | None:
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    return None


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        from palier.accounts.models import UserSession

        return UserSession

    def _get_session_from_db(self):
        """Django's read (the row of this key, unless expired), its statement compiled once
        per connection (lib.compiled): on every request the ORM spent longer composing it
        than the database answering it."""
        key, now = self.session_key, timezone.now()
        model = self.model
        if key is None or router.db_for_read(model) != DEFAULT_DB_ALIAS:
            return super()._get_session_from_db()
        expire = model._meta.get_field("expire_date")
        params = [expire.get_db_prep_value(now, connections[DEFAULT_DB_ALIAS]), key]
        found = all_rows(
            ("session",),
            params,
            lambda: model.objects.filter(session_key=key, expire_date__gt=now)[:1],
        )
        if not found:
            self._session_key = None
            return None
        return found[0]

    def create_model_instance(self, data: dict):
        obj = super().create_model_instance(data)
        user_id = str(data.get(SESSION_KEY, ""))
        obj.user_id = int(user_id) if user_id.isdigit() else None
        obj.user_agent = str(data.get(AGENT_KEY, ""))[:300]
        obj.address = data.get(ADDRESS_KEY) or None
        obj.signed_in_at = _instant(data.get(SINCE_KEY))
        obj.last_seen = _instant(data.get(SEEN_KEY))
        return obj


_BROWSERS = [
    ("Edge", r"Edg/"),
    ("Opera", r"OPR/"),
    ("Firefox", r"Firefox/"),
    ("Chrome", r"Chrom(e|ium)/"),
    ("Safari", r"Safari/"),
]
_SYSTEMS = [
    ("iPhone", r"iPhone"),
    ("iPad", r"iPad"),
    ("Android", r"Android"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X"),
    ("Linux", r"Linux"),
]


def describe_agent(agent: str) -> str:
    """ "Firefox on Windows": enough to recognise one's own devices in a list."""
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, agent)), "")
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, agent)), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown browser")


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def send_to(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect the page follows: htmx would follow a 302 inside its XHR and swap the
    sign-in form into a fragment, so an htmx request is told to load the page instead."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=200)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class SessionActivityMiddleware:
    """After AuthenticationMiddleware: stamps a signed-in session with its browser, address
    and last activity, and ends a staff session idle for longer than PALIER_STAFF_IDLE_MINUTES
    (a page then goes to the sign-in form; the API answers as to anyone signed out)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        # Reading the session key first: a request without a session cookie costs nothing.
        if session.get(SESSION_KEY) and request.user.is_authenticated:
            now = time.time()
            seen = session.get(SEEN_KEY)
            idle = settings.PALIER_STAFF_IDLE_MINUTES * 60
            if request.user.is_staff_member and idle and seen and now - seen > idle:
                logout(request)
                if not is_api(request):
                    messages.info(request, _("You were signed out after a period of inactivity."))
                    query = urlencode({"next": request.get_full_path()})
                    return send_to(request, f"{reverse('web:login')}?{query}")
            else:
                self._stamp(request, now)
        return self.get_response(request)

    @staticmethod
    def _stamp(request: HttpRequest, now: float) -> None:
        # Once a minute at most: a page view must not be a write (SQLite has one writer).
        if now - (request.session.get(SEEN_KEY) or 0) >= TOUCH_EVERY_SECONDS:
            stamp(request, now)


def stamp(request: HttpRequest, now: float | None = None) -> None:
    """Write the browser, the address and the time of this request into the session."""
    now = time.time() if now is None else now
    session = request.session
    session[SEEN_KEY] = int(now)
    session[AGENT_KEY] = request.headers.get("User-Agent", "")[:300]
    session[ADDRESS_KEY] = _valid_address(client_address(request))
    session.setdefault(SINCE_KEY, int(now))


def _valid_address(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""

"""A request sent twice is answered once (docs/security.md, "Repeated requests").

- The API honours `Idempotency-Key` on POST: the first answer is kept for a day and the same
  key returns it again, without doing the work twice; the same key with another request
  (another address or body) is refused with 422 `idempotency_key_reused`, and while the
  first is still being answered, 409 `request_in_progress`.
- Every form of the site carries a one-time submission key (`{% csrf_token %}` renders it,
  palier/web/templatetags/submission.py): a form posted twice by a signed-in person (a
  double click, a reload) gets the first answer again (a portal double-submit made two
  replies and two mails). htmx requests are left alone: they post the same form for
  previews and presence, and htmx does not send a form twice.

Keys belong to whoever sent them (the API token, or the signed-in user), so one person's
key never answers another's request. Answers of 5xx are not kept: a retry runs again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from palier.api.auth import profile_language
from palier.api.errors import error_body
from palier.api.responses import json_response
from palier.web.models import Submission

FORM_FIELD = "_submission"
HEADER = "HTTP_IDEMPOTENCY_KEY"
KEEP = dt.timedelta(hours=24)
KEY = re.compile(r"^[\x21-\x7e]{1,200}$")  # printable ASCII, as the header allows
WAIT_SECONDS = 5.0  # how long a second form submission waits for the first one's answer


def _hash(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _error(request: HttpRequest, status: int, code: str, message: Promise) -> HttpResponse:
    """An API refusal given before the token is read: in the language of the token's user
    when the request names none (as the API's own answers, palier/api/auth.py)."""
    language = profile_language(request.META) or translation.get_language()
    with translation.override(language):
        body = error_body(code, str(message))
    return json_response(body, status=status)


class ReplayMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return self._api(request)
        return self._form(request)

    def _api(self, request: HttpRequest) -> HttpResponse:
        key = request.META.get(HEADER)
        if key is None:
            return self.get_response(request)
        if not KEY.match(key):
            return _error(
                request,
                422,
                "invalid_idempotency_key",
                _("Idempotency-Key is 1 to 200 printable ASCII characters."),
            )
        credential = request.META.get("HTTP_AUTHORIZATION", "")
        user = getattr(request, "user", None)
        if credential:
            scope = _hash(b"token", credential.encode())
        elif user is not None and user.is_authenticated:
            scope = _hash(b"user", str(user.pk).encode())
        else:
            return self.get_response(request)  # answered 401: nothing to keep
        try:
            fingerprint = _hash(request.path_info.encode(), request.body)
        except RequestDataTooBig:
            return _error(request, 413, "payload_too_large", _("The request body is too large."))
        return self._once(request, scope, key, fingerprint, wait=0)

    def _form(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.headers.get("HX-Request"):
            return self.get_response(request)
        key = request.POST.get(FORM_FIELD, "")
        if not KEY.match(key):
            return self.get_response(request)
        scope = _hash(b"user", str(user.pk).encode())
        # A browser sends the same form with a new multipart boundary: the address is what
        # must agree.
        return self._once(request, scope, key, _hash(request.path_info.encode()), WAIT_SECONDS)

    def _once(
        self, request: HttpRequest, scope: str, key: str, fingerprint: str, wait: float
    ) -> HttpResponse:
        record = _claim(scope, key, fingerprint)
        if record is None:
            return self._answer(request, scope, key, fingerprint)
        first = _settled(record, wait)
        if first.request_hash != fingerprint:
            if request.path_info.startswith("/api/"):
                return _error(
                    request,
                    422,
                    "idempotency_key_reused",
                    _("This Idempotency-Key was already used for another request."),
                )
            return self.get_response(request)  # another form with a copied key: not a repeat
        if first.status is None:
            response = _error(
                request,
                409,
                "request_in_progress",
                _("A request with this key is still being answered; try again shortly."),
            )
            response["Retry-After"] = "1"
            return response
        replay = HttpResponse(bytes(first.body), status=first.status)
        if first.content_type:
            replay["Content-Type"] = first.content_type
        if first.location:
            replay["Location"] = first.location
        replay["Idempotent-Replayed"] = "true"
        return replay

    def _answer(self, request, scope: str, key: str, fingerprint: str) -> HttpResponse:
        try:
            response = self.get_response(request)
        except BaseException:
            Submission.objects.filter(scope=scope, key=key, status__isnull=True).delete()
            raise
        keep = response.status_code < 500 and not response.streaming
        if keep and response.status_code == 401:
            keep = False  # the credential was refused: nothing was done in its name
        if keep:
            Submission.objects.filter(scope=scope, key=key).update(
                status=response.status_code,
                content_type=response.get("Content-Type", ""),
                location=response.get("Location", "")[:2000],
                body=response.content,
            )
        else:
            Submission.objects.filter(scope=scope, key=key, status__isnull=True).delete()
        return response


def _claim(scope: str, key: str, fingerprint: str) -> Submission | None:
    """None if this request is the first with this key (its row is now taken), else the
    row of the first one. Rows older than a day are forgotten."""
    now = timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                Submission.objects.create(scope=scope, key=key, request_hash=fingerprint)
            Submission.objects.filter(scope=scope, created_at__lt=now - KEEP).delete()
            return None
        except IntegrityError:
            first = Submission.objects.filter(scope=scope, key=key).first()
            if first is None:
                continue
            if first.created_at < now - KEEP:
                Submission.objects.filter(pk=first.pk).delete()
                continue
            return first
    return Submission.objects.get(scope=scope, key=key)


def _settled(record: Submission, wait: float) -> Submission:
    """The first request's row once it has its answer, waiting up to `wait` seconds."""
    deadline = time.monotonic() + wait
    while record.status is None and time.monotonic() < deadline:
        time.sleep(0.05)
        record = Submission.objects.filter(pk=record.pk).first() or record
    return record

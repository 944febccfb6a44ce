"""What the desk answered to a request that may come twice: an API POST with an
`Idempotency-Key`, or a form posted with its one-time submission key (palier/web/replay.py)."""

from __future__ import annotations

from django.db import models


class Submission(models.Model):
    # Whose key it is: a hash of the API token, or the signed-in user (never the secret).
    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=200)
    # What was sent with the key: the same key with another request is refused.
    request_hash = models.CharField(max_length=64)
    # The first answer, replayed to the next request with the same key; empty while the
    # first request is still being answered.
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=2000, blank=True)
    body = models.BinaryField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="submission_unique_key")
        ]
        indexes = [models.Index(fields=["created_at"], name="submission_created")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status or 'pending'})"

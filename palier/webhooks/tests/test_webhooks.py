"""Signed outgoing webhooks for ticket events, posted to a real receiver on loopback:
signature with timestamp, retries with a growing delay, a delivery log, and SSRF refusals."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time

import pytest
import time_machine
from django.utils import timezone

from palier.testing.factories import make_ticket
from palier.webhooks import delivery as deliveries
from palier.webhooks.actions import do_create_webhook, do_rotate_secret
from palier.webhooks.models import DeliveryState, WebhookDelivery
from palier.webhooks.ssrf import AddressRefused, check_ip, resolve

pytestmark = pytest.mark.django_db


def _verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    fields = dict(part.split("=", 1) for part in headers["palier-signature"].split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256)
    fresh = abs(time.time() - int(fields["t"])) < 300
    return fresh and hmac.compare_digest(expected.hexdigest(), fields["v1"])


def test_a_ticket_event_is_posted_signed_after_commit(
    world, receiver, django_capture_on_commit_callbacks
):
    hook = do_create_webhook(acting_user=world.manager, url=receiver.url, events=["created"])
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(world.contact_a, subject="Printer jam")
    [(headers, body)] = receiver.requests
    assert _verify(hook.secret, headers, body)
    assert headers["palier-event"] == "ticket.created"
    assert headers["content-type"] == "application/json"
    payload = json.loads(body)
    assert payload["ticket"]["id"] == ticket.pk and payload["ticket"]["subject"] == "Printer jam"
    assert payload["ticket"]["reference"] == ticket.reference
    record = WebhookDelivery.objects.get()
    assert record.state == DeliveryState.DELIVERED and record.last_status == 200
    assert headers["palier-delivery"] == str(record.pk)


def test_a_rotated_secret_signs_from_then_on_and_the_old_one_no_longer_matches(
    world, receiver, django_capture_on_commit_callbacks
):
    hook = do_create_webhook(acting_user=world.manager, url=receiver.url)
    old = hook.secret
    hook = do_rotate_secret(hook, acting_user=world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(world.contact_a)
    headers, body = receiver.requests[0]
    assert _verify(hook.secret, headers, body) and not _verify(old, headers, body)


def test_failures_are_retried_with_a_growing_delay_then_given_up(
    world, receiver, django_capture_on_commit_callbacks
):
    do_create_webhook(acting_user=world.manager, url=receiver.url, events=["created"])
    receiver.answers.extend([500, 503])
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(world.contact_a)
    record = WebhookDelivery.objects.get()
    assert record.state == DeliveryState.RETRYING and record.attempts == 1
    assert record.last_status == 500 and "HTTP 500" in record.last_error
    assert dt.timedelta(seconds=29) < record.next_attempt_at - start <= dt.timedelta(seconds=31)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries.retry_due() == 0  # not yet due
    assert _retry_after(record, django_capture_on_commit_callbacks) == 1
    record.refresh_from_db()
    assert record.state == DeliveryState.RETRYING and record.attempts == 2
    assert record.next_attempt_at - timezone.now() > dt.timedelta(seconds=50)  # 1 minute now
    _retry_after(record, django_capture_on_commit_callbacks)
    record.refresh_from_db()
    assert record.state == DeliveryState.DELIVERED and len(record.history) == 3
    assert [h["status"] for h in record.history] == [500, 503, 200]
    assert len(receiver.requests) == 3


def _retry_after(record, capture) -> int:
    """Run the retry sweep just after the delivery's next attempt is due."""
    with (
        time_machine.travel(record.next_attempt_at + dt.timedelta(seconds=1)),
        capture(execute=True),
    ):
        return deliveries.retry_due()


def test_the_backoff_doubles_up_to_six_hours():
    assert [deliveries.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert deliveries.backoff(20) == dt.timedelta(hours=6)


def test_a_delivery_is_given_up_after_the_last_attempt(
    world, receiver, django_capture_on_commit_callbacks
):
    do_create_webhook(acting_user=world.manager, url=receiver.url, events=["created"])
    receiver.answers.extend([500] * deliveries.MAX_ATTEMPTS)
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(world.contact_a)
    record = WebhookDelivery.objects.get()
    for _attempt in range(deliveries.MAX_ATTEMPTS - 1):
        record.refresh_from_db()
        _retry_after(record, django_capture_on_commit_callbacks)
    record.refresh_from_db()
    assert record.state == DeliveryState.FAILED and record.attempts == deliveries.MAX_ATTEMPTS


def test_loopback_and_private_addresses_are_refused_unless_allowed(world, settings):
    settings.PALIER_WEBHOOKS_ALLOW_PRIVATE = False
    private = ["127.0.0.1", "10.1.2.3", "192.168.1.10", "172.16.0.1", "169.254.10.10"]
    private += ["100.64.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "0.0.0.0"]
    for ip in private:
        with pytest.raises(AddressRefused):
            check_ip(ip)
    check_ip("8.8.8.8")
    with pytest.raises(AddressRefused):
        resolve("http://localhost:8080/hook")  # refused after DNS resolution
    with pytest.raises(AddressRefused):
        do_create_webhook(acting_user=world.manager, url="http://127.0.0.1/x")
    with pytest.raises(AddressRefused):
        do_create_webhook(acting_user=world.manager, url="http://user:pw@example.com/x")
    with pytest.raises(AddressRefused):
        do_create_webhook(acting_user=world.manager, url="ftp://example.com/x")


def test_metadata_addresses_are_refused_even_when_private_ones_are_allowed(settings):
    settings.PALIER_WEBHOOKS_ALLOW_PRIVATE = True
    check_ip("127.0.0.1")
    for ip in ("169.254.169.254", "fd00:ec2::254", "::ffff:169.254.169.254"):
        with pytest.raises(AddressRefused):
            check_ip(ip)


def test_a_delivery_refused_after_resolution_fails_at_once_without_retry(
    world, receiver, settings, django_capture_on_commit_callbacks
):
    do_create_webhook(acting_user=world.manager, url=receiver.url, events=["created"])
    settings.PALIER_WEBHOOKS_ALLOW_PRIVATE = False  # the setting changed after saving
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(world.contact_a)
    record = WebhookDelivery.objects.get()
    assert record.state == DeliveryState.FAILED and "private" in record.last_error
    assert receiver.requests == []


def test_an_event_not_asked_for_is_not_sent(world, receiver, django_capture_on_commit_callbacks):
    do_create_webhook(acting_user=world.manager, url=receiver.url, events=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(world.contact_a)
    assert WebhookDelivery.objects.count() == 0 and receiver.requests == []


def test_an_ipv4_address_embedded_in_an_ipv6_one_is_checked_as_the_ipv4_it_reaches(settings):
    # NAT64 (64:ff9b::/96), 6to4 (2002::/16), IPv4-compatible (::/96) and SIIT (::ffff:0:0/96)
    # addresses carry an IPv4 address that a gateway (or the kernel) connects to: loopback or
    # the cloud metadata service behind an address Python calls global.
    settings.PALIER_WEBHOOKS_ALLOW_PRIVATE = False
    for ip in ("64:ff9b::7f00:1", "64:ff9b::a00:1", "2002:7f00:1::", "2002:c0a8:101::1",
               "::7f00:1", "::ffff:0:a00:1", "64:ff9b:1::a00:1"):  # fmt: skip
        with pytest.raises(AddressRefused):
            check_ip(ip)
    check_ip("64:ff9b::808:808")  # 8.8.8.8 through NAT64 stays allowed
    check_ip("2002:808:808::1")
    settings.PALIER_WEBHOOKS_ALLOW_PRIVATE = True
    for ip in ("64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::", "::a9fe:a9fe", "::ffff:0:a9fe:a9fe"):
        with pytest.raises(AddressRefused, match="metadata"):
            check_ip(ip)


def test_loopback_written_another_way_is_refused_when_the_webhook_is_saved(world, settings):
    settings.PALIER_WEBHOOKS_ALLOW_PRIVATE = False
    for url in ("http://2130706433/x", "http://0x7f.1/x", "http://127.1/x",
                "http://017700000001/x", "http://localhost./x", "http://LOCALHOST/x",
                "http://[64:ff9b::7f00:1]/x"):  # fmt: skip
        with pytest.raises(AddressRefused):
            do_create_webhook(acting_user=world.manager, url=url)

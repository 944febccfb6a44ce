"""Every screen and every mail speaks French, German and Italian: no English sentence.

One rich desk (the demo's customers and tickets of every status, with decisions, events,
messages, estimates, defects and a released patch; plus invoices, articles, macros, saved
views, notifications, an import, a webhook, a survey with a follow-up) is built once. Then,
in fr, de and it and as each role (contact, customer admin, level-1 agent, consultant, R&D,
manager), every URL pattern of the project is filled from the desk's objects and read; its
visible text (text nodes and the title, placeholder, aria-label and alt attributes; not
scripts, styles or what people typed) must hold no English sentence (palier/testing/
english.py says what counts), and every date input must hold an ISO value. Every kind of
outgoing mail is then written in each language and read the same way.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from palier.accounts.models import User
from palier.testing.english import (
    PeoplesWords,
    codes,
    english_sentences,
    non_iso_dates,
    read_html,
)

LANGUAGES = ["fr", "de", "it"]
ROLES = {
    "contact": "anne.dubois",
    "customer_admin": "pierre.favre",
    "agent": "sophie.martin",
    "consultant": "giulia.rossi",
    "rnd": "ravi.nair",
    "manager": "claire.dubois",
}

# Patterns not read as screens, and why.
SKIPPED = {
    # Django's own admin (translated by Django; only the administrator, no role here, uses it)
    # and the REST API (JSON; its error messages' language is tested in test_translations).
    "admin:": "Django admin",
    "api": "REST API",
    # Files, not screens: their words are tested with the files themselves.
    "web:attachment": "a download (the stored file)",
    "web:manage:import_problems": "a CSV download",
    "web:manage:import_template": "a spreadsheet template download",
    "web:manage:export_download": "a JSON Lines / CSV download",
    "web:dashboards:export": "a CSV / SVG download",
    # Signing out ends the test client's session (its page is the sign-in page, read anyway).
    "web:logout": "ends the session",
    # WebAuthn ceremonies answer JSON to the browser's script.
    "web:two_factor_passkey_begin": "JSON for the browser",
    "web:two_factor_passkey_complete": "JSON for the browser",
    "web:account:passkey_register_begin": "JSON for the browser",
    "web:account:passkey_register_complete": "JSON for the browser",
    # Single sign-on redirects to an identity provider (none is configured in tests).
    "web:sso_start": "redirects to an identity provider",
    "web:sso_callback": "answers an identity provider",
    # Actions posted from the page they sit on (read there); a GET has no page of its own.
    "web:agent:action": "a ticket action posted from the ticket page",
    "web:billing:invoice_action": "an invoice's PDF, or an action posted from its page",
    "web:billing:match": "posted from the payments page",
    "web:billing:send": "posted from the invoice page",
    "web:manage:person_action": "posted from the person's page",
    "web:manage:installation_remove": "posted from the catalogue page",
    "web:manage:delivery_retry": "posted from the webhook's delivery log",
    "web:knowledge:move": "posted from the article's page",
    "web:account:remove_factor": "posted from the account page",
    "web:account:forget_browser": "posted from the account page",
}


def skipped(name: str) -> bool:
    return any(name == key or name.startswith(key) for key in SKIPPED if key.endswith(":")) or (
        name in SKIPPED
    )


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("The status of your request is now: Resolved.", True),
        ("The customer accepted the estimate.", True),
        ("fixed in 11.3.3", False),  # too short to tell: the history labels it (labels.py)
        ("Le statut de votre demande est maintenant : Résolu.", False),
        ("Der Kunde hat die Offerte angenommen; nichts wird verrechnet.", False),
        ("Il cliente ha accettato il preventivo per l'IT e l'ERP.", False),
        ("Palier ERP 11.3.1 · Finance · Sales · CRM", False),
        ("Was ist das? Er will es so, die Not ist gross.", False),
    ],
)
def test_english_is_told_from_french_german_and_italian(text, english):
    from palier.testing.english import english_run

    assert bool(english_run(text)) is english


@dataclass
class Desk:
    users: dict[str, User]
    values: dict[str, dict[str, list[Any]]]  # role -> parameter -> values to try
    by_name: dict[str, list[dict[str, Any]]]  # URL name -> kwargs (overrides the above)
    people: PeoplesWords
    timings: dict[str, float] = field(default_factory=dict)


def _walk(resolver: URLResolver, prefix: str = "", ns: str = "") -> Iterator[tuple[str, Any]]:
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            name = ns + (f"{p.namespace}:" if p.namespace else "")
            if str(p.pattern).startswith("api/"):
                yield "api", None
                continue
            yield from _walk(p, prefix + str(p.pattern), name)
        else:
            yield ns + (p.name or ""), p


def url_patterns() -> list[tuple[str, list[str]]]:
    """Every named pattern of the project with the names of its path parameters."""
    found = []
    for name, pattern in _walk(get_resolver()):
        if pattern is None:
            continue
        params = re.findall(r"<(?:\w+:)?(\w+)>", str(pattern.pattern))
        found.append((name, params))
    return found


# Text the desk itself writes into rows: it must be in words of the reader's language, so it
# is read, never taken for a person's text.
DESK_WRITTEN = {
    "tickets.ticketevent",
    "tickets.decision",
    "audit.auditentry",
    "mailgateway.outboundmessage",
    "mailgateway.rawmessage",
    "imports.importrun",
    "workspace.notification",
    "webhooks.webhookdelivery",
    "ops.periodicjob",
}


def peoples_texts() -> list[str]:
    """What people (and the demo, playing them) typed, in their own language: every text
    column of the project's rows but those the desk writes."""
    from django.apps import apps
    from django.db import models

    texts: list[str] = []
    for model in apps.get_models():
        if not model.__module__.startswith("palier.") or model._meta.label_lower in DESK_WRITTEN:
            continue
        columns = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not f.choices
        ]
        if not columns:
            continue
        for row in model.objects.values_list(*columns).iterator():
            for value in row:
                if isinstance(value, dict):
                    texts.extend(str(v) for v in value.values() if isinstance(v, str))
                elif isinstance(value, str) and value:
                    texts.append(value)
    return texts


def dispatch_a_sample() -> None:
    """Run the side effects (mail, notifications, surveys, clocks) of a few events of every
    kind, status and field: all of the demo's take 40 s and say nothing more."""
    from palier.tickets.models import TicketEvent
    from palier.tickets.notifications import dispatch_events

    pending = TicketEvent.objects.filter(dispatched_at__isnull=True)
    seen: dict[tuple[str, str, str], int] = defaultdict(int)
    chosen = []
    for pk, kind, field_name, to_value in pending.order_by("-id").values_list(
        "pk", "kind", "field", "to_value"
    ):
        key = (kind, field_name or "", to_value if kind in ("status", "field") else "")
        if seen[key] < 1:
            seen[key] += 1
            chosen.append(pk)
    dispatch_events(sorted(chosen))
    pending.update(dispatched_at=timezone.now())


def build_desk(media_root: str) -> Desk:
    """The demo desk plus what the demo does not make; every side effect dispatched."""
    from palier.accounts.actions import do_create_token
    from palier.billing.invoicing import do_approve_invoice, do_run_billing
    from palier.billing.links import make_token
    from palier.billing.models import Estimate, EstimateStatus, Invoice
    from palier.engineering.models import Defect, Patch
    from palier.imports.actions import do_check_import
    from palier.knowledge.actions import do_create_article, do_publish
    from palier.knowledge.models import Article
    from palier.ops.demo_data import load_demo
    from palier.satisfaction.models import FollowUp, Survey
    from palier.satisfaction.surveys import do_answer_survey
    from palier.satisfaction.surveys import make_token as survey_token
    from palier.tickets.actions import do_assign
    from palier.tickets.models import Ticket
    from palier.tickets.states import Status
    from palier.webhooks.actions import do_create_webhook
    from palier.workspace.actions import do_save_macro, do_save_view

    timings: dict[str, float] = {}
    begun = started = time.perf_counter()
    load_demo(scale=0.25)
    timings["demo"] = time.perf_counter() - started
    users = {role: User.objects.get(username=name) for role, name in ROLES.items()}
    manager, agent = users["manager"], users["agent"]
    today = timezone.localdate()

    started = time.perf_counter()
    dispatch_a_sample()
    timings["dispatch"] = time.perf_counter() - started

    drafts = do_run_billing(
        acting_user=manager, period_start=today - dt.timedelta(days=400), period_end=today
    )
    if drafts:
        do_approve_invoice(drafts[0], acting_user=manager)
    article = do_create_article(
        acting_user=manager,
        language="fr",
        title="Extourner une facture comptabilisée",
        body="Ouvrez la facture, choisissez « Extourner » puis confirmez.",
    )
    do_publish(article, acting_user=manager)
    macro = do_save_macro(
        acting_user=agent,
        name="Merci",
        texts={
            "fr": "Merci {{ contact_first_name }}",
            "de": "Danke",
            "it": "Grazie",
            "en": "Thanks",
        },
    )
    view = do_save_view(acting_user=agent, name="Urgences", query="status=new")
    run = do_check_import(
        acting_user=manager,
        kind="customers",
        data=b"Customer number,Name,Fax\n1,Alpha SA,022\n,Beta AG,\n",
        filename="clients.csv",
    )
    hook = do_create_webhook(acting_user=manager, url="https://hooks.example/palier")
    token, _raw = do_create_token(users["agent"], name="script")
    survey = Survey.objects.filter(answered_at__isnull=True).order_by("id").first()
    if survey is not None:
        do_answer_survey(survey, score=1, comment="Trop lent.", via="link")
    # An assignment by someone else: the agent's notification, digest and mail.
    open_ticket = Ticket.objects.filter(status=Status.IN_PROGRESS).order_by("id").first()
    do_assign(open_ticket, agent, acting_user=manager)
    dispatch_a_sample()

    contact_customer = users["contact"].customer
    statuses = sorted(set(Ticket.objects.values_list("status", flat=True)))
    assert len(statuses) == len(Status.values), "a ticket of every status"
    staff_tickets = [Ticket.objects.filter(status=s).order_by("id").first().pk for s in statuses]
    own = Ticket.objects.filter(customer=contact_customer)
    contact_tickets = [
        t for s in statuses if (t := own.filter(status=s).order_by("id").first()) is not None
    ]
    estimates = list(
        Estimate.objects.filter(ticket__customer=contact_customer).order_by("status", "id")
    )
    pending = Estimate.objects.filter(status=EstimateStatus.PROPOSED).order_by("id").first()
    invoices = list(Invoice.objects.order_by("status", "id").values_list("pk", flat=True))
    keys = list(Article.objects.order_by("id").values_list("key", flat=True)[:2])
    follow_up = FollowUp.objects.order_by("id").first()
    common: dict[str, list[Any]] = {
        "ticket_id": staff_tickets,
        "view_id": [view.pk],
        "macro_id": [macro.pk],
        "estimate_id": [e.pk for e in estimates[:3]],
        "invoice_id": invoices[:2],
        "defect_id": list(Defect.objects.order_by("id").values_list("pk", flat=True)[:3]),
        "patch_id": list(Patch.objects.order_by("id").values_list("pk", flat=True)),
        "key": keys,
        "language": ["fr", "en"],
        "person_id": [users["contact"].pk, users["agent"].pk],
        "module_id": [1],
        "version_id": [1],
        "product_id": [1],
        "run_id": [run.pk],
        "webhook_id": [hook.pk],
        "token_id": [token.pk],
        "follow_up_id": [follow_up.pk] if follow_up else [],
        "survey_id": list(Survey.objects.order_by("id").values_list("pk", flat=True)[:1]),
    }
    values = {role: dict(common) for role in ROLES}
    for role in ("contact", "customer_admin"):
        values[role]["ticket_id"] = [t.pk for t in contact_tickets]
    by_name = {
        "web:billing:consent_link": [{"token": make_token(pending)}] if pending else [],
        # A survey's signed link speaks the survey's language (its mail's reader's), not the
        # browser's: one of a French-, German- or Italian-speaking contact.
        "web:satisfaction:link": [{"token": survey_token(s)} for s in _survey_to_read()],
        "web:password_reset_confirm": [{"uidb64": "MQ", "token": "set-password"}],
        "web:invitation": [{"key": "no-such-invitation"}],
        "web:account:end_session": [{"sid": "no-such-session"}],
    }
    timings["world"] = time.perf_counter() - begun
    return Desk(users, values, by_name, PeoplesWords(peoples_texts()), timings)


@pytest.fixture(scope="module")
def desk(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Desk]:
    """One desk for the module, rolled back at its end."""
    from django.test import override_settings

    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_desk(str(media))
            print(f"\nworld: {built.timings}")
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# Read by the agent and the contact for a ticket of every status; other patterns (and other
# roles) for their first two fillings.
EVERY_TICKET = {"web:agent:ticket", "web:portal:detail", "web:billing:estimate"}


def _survey_to_read() -> list[Any]:
    """A survey whose reader speaks French, German or Italian (the demo's may all be in
    English): the survey page speaks its reader's language, whatever the browser says."""
    from palier.satisfaction.models import Survey

    survey = Survey.objects.filter(language__in=LANGUAGES).order_by("id").first()
    if survey is None:
        survey = Survey.objects.order_by("id").first()
        if survey is None:
            return []
        Survey.objects.filter(pk=survey.pk).update(language=LANGUAGES[0])
        survey.refresh_from_db()
    return [survey]


def urls_for(desk: Desk, role: str) -> Iterator[tuple[str, str]]:
    for name, params in url_patterns():
        if skipped(name):
            continue
        if name in desk.by_name:
            choices = desk.by_name[name]
        elif not params:
            choices = [{}]
        else:
            choices = [{}]
            for param in params:
                options = desk.values[role].get(param)
                if not options:
                    choices = []
                    break
                choices = [{**c, param: v} for c in choices for v in options]
        if name not in EVERY_TICKET or role not in ("agent", "contact"):
            choices = choices[:2]
        for kwargs in choices:
            yield name, reverse(name, kwargs=kwargs)


def test_every_screen_speaks_the_readers_language_and_dates_are_iso(desk, db):
    found: dict[str, set[str]] = defaultdict(set)
    read, started = 0, time.perf_counter()
    spent: dict[str, float] = defaultdict(float)
    dated = 0  # date inputs with a value (the billing run's period, a time entry's day...)
    reached: set[str] = set()  # patterns some role had the parameters to open
    for role, user in desk.users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        urls = list(urls_for(desk, role))
        reached.update(name for name, _url in urls)
        dropped: set[str] = set()
        refusals: set[int] = set()
        for language in LANGUAGES:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            for name, url in urls:
                if url in dropped:
                    continue
                began = time.perf_counter()
                response = client.get(url)
                spent[name] += time.perf_counter() - began
                read += 1
                status = response.status_code
                if language == LANGUAGES[0] and (
                    status in (301, 302, 405) or (400 <= status < 500 and status in refusals)
                ):
                    # No words (a redirect, a refused method) or words already read (one page
                    # of each refusal): not read again in the other languages.
                    dropped.add(url)
                refusals.add(status)
                if status >= 500:
                    found[name].add(f"[{language} {role} {url}] server error {status}")
                    continue
                if "html" not in response.get("Content-Type", ""):
                    continue
                page = read_html(response.content.decode())
                for sentence in english_sentences(page.texts, desk.people):
                    found[name].add(f"[{language} {role} {url}] {sentence}")
                for code in codes(page.texts, desk.people):
                    found[name].add(f"[{language} {role} {url}] {code}")
                dated += sum(1 for _kind, value in page.date_values if value)
                for value in non_iso_dates(page):
                    found[name].add(f"[{language} {role} {url}] date input value {value!r}")
    seconds = time.perf_counter() - started
    slowest = sorted(spent.items(), key=lambda kv: -kv[1])[:8]
    print(f"\n{read} pages, {dated} dated inputs read in {seconds:.1f} s; slowest: {slowest}")
    report = "\n".join(f"{n}:\n  " + "\n  ".join(sorted(s)[:8]) for n, s in sorted(found.items()))
    assert not found, f"{len(found)} screens speak English or show non-ISO dates:\n{report}"
    assert dated > 0, "no date input with a value was read"
    unread = {name for name, _params in url_patterns() if not skipped(name)} - reached
    assert not unread, f"screens no role could open (fill the desk, or skip them): {unread}"


@dataclass
class Written:
    """A mail as its reader gets it: subject and the text of each part."""

    kind: str
    subject: str
    texts: list[str]


def _read_mail(raw: bytes, kind: str) -> Written:
    message = message_from_bytes(raw, policy=policy.default)
    texts: list[str] = []
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            texts.extend(line.strip() for line in part.get_content().splitlines() if line.strip())
        elif part.get_content_type() == "text/html":
            texts.extend(read_html(part.get_content()).texts)
    return Written(kind, str(message["Subject"]), texts)


class UnknownSender:
    """What the mail gateway reads from a message of an address it does not know."""

    def __init__(self, language: str) -> None:
        self.sender, self.sender_name = f"someone.{language}@unknown.example", "Someone"
        self.subject, self.message_id = "Rechnung", f"<unknown-{language}@unknown.example>"
        self.language_hint = language


def write_every_mail(language: str, desk: Desk) -> list[Written]:
    """Every kind of mail the desk sends, written for readers of `language` (everybody's
    language is set to it, in a savepoint that is rolled back)."""
    from django.core import mail

    from palier.billing.dispatch import do_send_invoice, send_invoice_dispatch
    from palier.billing.models import Invoice
    from palier.billing.tasks import send_prepaid_alert
    from palier.customers.models import Contract, Customer
    from palier.dashboards.weekly import send_weekly_report
    from palier.mailgateway import notices
    from palier.mailgateway.models import OutboundMessage
    from palier.mailgateway.outbound import queue_unknown_sender_notice
    from palier.people.actions import do_invite
    from palier.people.models import Invitation
    from palier.people.tasks import send_invitation
    from palier.satisfaction.models import FollowUp, Survey
    from palier.satisfaction.surveys import _queue_survey_mail
    from palier.satisfaction.tasks import mail_follow_up
    from palier.tickets.models import Ticket, TicketEvent
    from palier.workspace.notifications import do_set_digest, send_digests

    manager = desk.users["manager"]
    with transaction.atomic():
        User.objects.update(language=language)
        Customer.objects.update(language=language)
        Ticket.objects.update(language=language)
        Survey.objects.update(language=language)
        OutboundMessage.objects.all().delete()
        mail.outbox.clear()
        kinds = notices.CONTACT_KINDS | {"assigned", "customer_reply"}
        events = TicketEvent.objects.filter(kind__in=kinds).select_related("ticket", "actor")
        seen: set[tuple[str, str]] = set()
        Ticket.objects.filter(pk__in=events.values("ticket")).update(channel="email")
        for event in events.order_by("-id"):
            key = (event.kind, event.to_value if event.kind in ("status", "reopened") else "")
            if key not in seen:
                seen.add(key)
                notices.on_ticket_event(event)
        for survey in Survey.objects.order_by("id")[:1]:
            _queue_survey_mail(survey)
        for follow_up in FollowUp.objects.order_by("id")[:1]:
            mail_follow_up.call(follow_up.pk)
        invoice = Invoice.objects.exclude(number="").order_by("id").first()
        if invoice is not None:
            for reminder in (False, True):
                dispatch = do_send_invoice(
                    invoice, acting_user=manager, to_address="ap@example.com", reminder=reminder
                )
                send_invoice_dispatch.call(dispatch.pk)
        send_weekly_report(force=True)
        do_set_digest(desk.users["agent"], daily_digest=True)
        send_digests(timezone.localtime().replace(hour=23))
        queue_unknown_sender_notice(UnknownSender(language))
        do_invite(desk.users["contact"], acting_user=manager)
        send_invitation.call(Invitation.objects.order_by("-id").first().pk)
        contract = Contract.objects.filter(prepaid_hours__gt=0).order_by("id").first()
        if contract is not None:
            send_prepaid_alert.call(contract.pk, 80)
        written = [_read_mail(bytes(o.raw), o.kind) for o in OutboundMessage.objects.all()]
        transaction.set_rollback(True)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.post(reverse("web:password_reset"), {"email": desk.users["contact"].email})
    for message in mail.outbox:
        texts = [line.strip() for line in message.body.splitlines() if line.strip()]
        written.append(Written("django send_mail", message.subject, texts))
    mail.outbox.clear()
    return written


def test_every_mail_speaks_the_readers_language(desk, db):
    found: dict[str, set[str]] = defaultdict(set)
    kinds: dict[str, set[str]] = {}
    for language in LANGUAGES:
        written = write_every_mail(language, desk)
        kinds[language] = {w.kind for w in written}
        for w in written:
            for sentence in english_sentences([w.subject, *w.texts], desk.people):
                found[w.kind].add(f"[{language}] {sentence}")
            for code in codes([w.subject, *w.texts], desk.people):
                found[w.kind].add(f"[{language}] {code}")
    print(f"\nmail kinds written: {sorted(kinds['fr'])}")
    # Each language gets the same kinds, and the desk's main ones are among them.
    assert kinds["fr"] == kinds["de"] == kinds["it"]
    expected = {
        *("reply", "status", "refused", "consent_requested", "patch_available", "assigned"),
        *("survey", "satisfaction_follow_up", "invoice", "invoice_reminder", "weekly_report"),
        *("digest", "unknown_sender", "django send_mail"),
    }
    assert expected <= kinds["fr"], sorted(expected - kinds["fr"])
    report = "\n".join(f"{k}:\n  " + "\n  ".join(sorted(s)[:8]) for k, s in sorted(found.items()))
    assert not found, f"{len(found)} kinds of mail speak English:\n{report}"
    # The same mails written for English readers are seen as English: the check reads them.
    english = {
        w.kind
        for w in write_every_mail("en", desk)
        if any(english_sentences([w.subject, *w.texts], desk.people))
    }
    # ("Sophie answered your request:" and a quote: too few of the desk's own words to tell.)
    assert expected - {"reply"} <= english, sorted(expected - {"reply"} - english)

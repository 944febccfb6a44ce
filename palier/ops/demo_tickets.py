"""The demo desk's tickets: built through the ticket actions, then dated over past months.

Each ticket follows a scenario: an intake rule (L1-L8), maybe a diagnosis finding (D1-D5),
and a final status reached by the lifecycle's own edges. A few scenarios are forced so
that every status, rule, finding and refusal appears; the rest are drawn at random with
older tickets mostly closed and recent ones open.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from palier.accounts.models import User
from palier.customers.models import Customer, Customization, Module
from palier.lib.money import format_chf
from palier.ops import demo_texts as texts
from palier.ops.demo_rnd_billing import (
    DemoRnd,
    answer,
    covered_by_prepaid,
    escalate,
    log_work,
    propose,
    release,
)
from palier.tickets.actions import (
    do_accept_refused,
    do_add_message,
    do_assign,
    do_change_request,
    do_diagnose,
    do_open_ticket,
    do_transition,
)
from palier.tickets.models import Activity, Channel, Decision, Message, Ticket, TicketEvent
from palier.tickets.states import Status

OPEN_FINALS = (
    "new",
    "in_progress",
    "waiting_customer",
    "awaiting_consent",
    "with_rnd",
    "waiting_patch",
    "patch_available",
)
BASE_WEIGHTS = {
    "new": 3,
    "in_progress": 3,
    "waiting_customer": 2,
    "awaiting_consent": 2,
    "declined": 1,
    "with_rnd": 2,
    "waiting_patch": 2,
    "patch_available": 1,
    "resolved": 3,
    "closed": 7,
}
RULE_WEIGHTS = {"L1": 24, "L2": 7, "L3": 5, "L4": 26, "L5": 8, "L6": 4, "L7": 10, "L8": 6}
RULE_TYPES = {
    "L1": "usage",
    "L2": "usage",
    "L3": "usage",
    "L4": "malfunction",
    "L5": "malfunction",
    "L6": "malfunction",
    "L7": "feature",
    "L8": "training",
}
RULE_BUILT_BY = {
    "L2": ("vendor",),
    "L3": ("customer_authorized", "customer_unauthorized"),
    "L5": ("vendor", "customer_authorized"),
    "L6": ("customer_unauthorized",),
}
# Every intake rule, finding and final status at least once (rule, finding, final status).
FORCED = (
    ("L1", None, "new"),
    ("L2", None, "resolved"),
    ("L3", None, "awaiting_consent"),
    ("L4", None, "waiting_customer"),
    ("L5", None, "in_progress"),
    ("L6", None, "declined"),
    ("L7", None, "closed"),
    ("L8", None, "resolved"),
    ("L4", "customer_manipulation", "awaiting_consent"),
    ("L4", "customization_error", "closed"),
    ("L1", "feature_request", "declined"),
    ("L1", "information_or_training", "resolved"),
    ("L4", "product_defect", "with_rnd"),
    ("L4", "product_defect", "waiting_patch"),
    ("L4", "product_defect", "patch_available"),
    ("L8", "back_to_level_1", "closed"),
    ("L7", "back_to_level_1", "in_progress"),
)


@dataclass
class Spec:
    customer: Customer
    contact: User
    when: dt.datetime
    rule: str | None  # None: an emailed request still to be qualified
    finding: str | None = None
    final: str = "new"
    accept_anyway: bool = False
    qualify: bool = False


@dataclass
class CustomerData:
    customer: Customer
    contacts: list[User]
    customizations: list[Customization]
    rate: str


class TicketBuilder:
    def __init__(self, *, rng: random.Random, today: dt.date, staff: dict[str, User], rnd: DemoRnd):
        self.rng = rng
        self.now = (
            timezone.now()
            if today == timezone.localdate()
            else timezone.make_aware(dt.datetime.combine(today, dt.time(18)))
        )
        self.today = timezone.localdate(self.now)
        self.staff = staff
        self.specs: list[Spec] = []
        self.data: dict[int, CustomerData] = {}
        self.modules = {m.name: m for m in Module.objects.all()}
        self.rnd = rnd
        self.patch = rnd.patch.version
        self._forced = list(FORCED)
        self._accepted_anyway = False
        self._last_event = TicketEvent.objects.aggregate(m=Max("id"))["m"] or 0
        self.event_times: dict[int, dt.datetime] = {}
        self.message_times: dict[int, dt.datetime] = {}
        self.decision_times: dict[int, dt.datetime] = {}
        self.ticket_times: dict[int, tuple[dt.datetime, dt.datetime]] = {}

    # Planning ---------------------------------------------------------------------------

    def add_customer(
        self,
        customer: Customer,
        contacts: list[User],
        customizations: list[Customization],
        contract: str,
        *,
        contract_end: dt.date | None,
        change_day: dt.date | None,
        count: int,
    ) -> None:
        first = customer.contracts.first()
        self.data[customer.pk] = CustomerData(
            customer, contacts, customizations, format_chf(first.hourly_rate) if first else ""
        )
        for i in range(count):
            contact = contacts[i % len(contacts)]
            if contract in ("none", "not_started"):
                self.specs.append(Spec(customer, contact, self._when(0, 40), self._rule(customer)))
                continue
            # The day from which this customer's requests are refused, if any.
            cutoff = change_day or (
                contract_end + dt.timedelta(days=1) if contract == "expired" else None
            )
            refused = cutoff is not None and i % 4 == 3
            if refused:
                spec = Spec(
                    customer,
                    contact,
                    self._when(0, (self.today - cutoff).days),
                    self._rule(customer),
                )
                if contract == "suspended" and not self._accepted_anyway:
                    spec.accept_anyway, spec.final = True, "in_progress"
                    self._accepted_anyway = True
                self.specs.append(spec)
                continue
            low = (self.today - cutoff).days + 1 if cutoff else 0
            self.specs.append(self._accepted_spec(customer, contact, low, i))

    def _accepted_spec(self, customer: Customer, contact: User, low: int, i: int) -> Spec:
        if self._forced and self._can_force(customer, self._forced[0][0]) and low == 0:
            rule, finding, final = self._forced.pop(0)
            days = self.rng.randint(0, 10) if final in OPEN_FINALS else self.rng.randint(20, 170)
            return Spec(customer, contact, self._when(days, days), rule, finding, final)
        when = self._when(low, 180)
        if i % 23 == 5 and low == 0:  # an email nobody has qualified yet, or just qualified
            return Spec(customer, contact, when, None, final="new", qualify=i % 2 == 0)
        rule = self._rule(customer)
        finding = self._finding(rule)
        return Spec(customer, contact, when, rule, finding, self._final(rule, finding, when))

    def _when(self, low_days: int, high_days: int) -> dt.datetime:
        days = int(self.rng.triangular(low_days, max(low_days, high_days), low_days))
        day = self.today - dt.timedelta(days=days)
        moment = timezone.make_aware(
            dt.datetime.combine(day, dt.time(self.rng.randint(7, 17), self.rng.randint(0, 59)))
        )
        return min(moment, self.now - dt.timedelta(minutes=self.rng.randint(30, 90)))

    def _can_force(self, customer: Customer, rule: str) -> bool:
        return rule not in RULE_BUILT_BY or bool(self._customizations(customer, rule))

    def _customizations(self, customer: Customer, rule: str) -> list[Customization]:
        wanted = RULE_BUILT_BY.get(rule, ())
        return [c for c in self.data[customer.pk].customizations if c.built_by in wanted]

    def _rule(self, customer: Customer) -> str:
        rule = self.rng.choices(list(RULE_WEIGHTS), weights=list(RULE_WEIGHTS.values()))[0]
        if rule in RULE_BUILT_BY and not self._customizations(customer, rule):
            return "L1" if RULE_TYPES[rule] == "usage" else "L4"
        return rule

    def _finding(self, rule: str) -> str | None:
        roll = self.rng.random()
        if rule == "L4":
            return (
                "product_defect"
                if roll < 0.12
                else "customer_manipulation"
                if roll < 0.19
                else "customization_error"
                if roll < 0.24
                else None
            )
        if rule == "L1" and roll < 0.1:
            return self.rng.choice(("feature_request", "information_or_training"))
        if rule in ("L3", "L7", "L8") and roll < 0.08:
            return "back_to_level_1"
        return None

    def _final(self, rule: str, finding: str | None, when: dt.datetime) -> str:
        level = 1 if rule in ("L1", "L2", "L4") else 2
        if finding == "back_to_level_1":
            level = 1
        elif finding:
            level = 0 if finding == "product_defect" else 2
        allowed = {
            0: ("with_rnd", "waiting_patch", "patch_available", "resolved", "closed"),
            1: ("new", "in_progress", "waiting_customer", "resolved", "closed"),
            2: (
                "new",
                "in_progress",
                "waiting_customer",
                "awaiting_consent",
                "declined",
                "resolved",
                "closed",
            ),
        }[level]
        if finding:
            allowed = tuple(s for s in allowed if s != "new")
        age = (self.now - when).days
        weights = []
        for status in allowed:
            w = BASE_WEIGHTS[status]
            if status in OPEN_FINALS:
                w *= 3 if age < 14 else 1 if age < 45 else 0.1
            elif status == "resolved":
                w *= 2 if age < 30 else 0.2
            else:
                w *= 0.3 if age < 7 else 1 if age < 30 else 3
            weights.append(w)
        return self.rng.choices(allowed, weights=weights)[0]

    # Building ---------------------------------------------------------------------------

    def build(self, milestones: list, apply: Callable[[object, str], object]) -> None:
        """Build every ticket in date order; contract changes happen on their day."""
        pending = sorted(milestones, key=lambda m: m[0])
        for spec in sorted(self.specs, key=lambda s: s.when):
            while pending and pending[0][0] <= timezone.localdate(spec.when):
                _day, contract, state = pending.pop(0)
                apply(contract, state)
            Run(self, spec).go()
        for _day, contract, state in pending:
            apply(contract, state)

    def release_patch(self) -> None:
        """Release 11.3.2 ten days ago: its linked open tickets are told (patch_available)."""
        at = self.now - dt.timedelta(days=10)
        release(self.rnd, acting_user=self.staff["ravi.nair"], at=at)
        self.mark(None, at)

    def mark(self, ticket: Ticket | None, at: dt.datetime, message: Message | None = None) -> None:
        """Remember when the last action happened, for `backdate`."""
        last = TicketEvent.objects.aggregate(m=Max("id"))["m"] or 0
        for event_id in range(self._last_event + 1, last + 1):
            self.event_times[event_id] = at
        self._last_event = last
        if message is not None:
            self.message_times[message.pk] = at
        if ticket is None:
            return
        if ticket.decision_id and ticket.decision_id not in self.decision_times:
            self.decision_times[ticket.decision_id] = at
        created = self.ticket_times.get(ticket.pk, (at, at))[0]
        self.ticket_times[ticket.pk] = (created, at)

    def backdate(self) -> None:
        """Date everything when its scenario says it happened. Actions stamp rows with the
        real clock (auto_now_add), so the history is set afterwards with bulk updates."""
        TicketEvent.objects.bulk_update(
            [TicketEvent(pk=k, at=v) for k, v in self.event_times.items()], ["at"], batch_size=500
        )
        Message.objects.bulk_update(
            [Message(pk=k, created_at=v) for k, v in self.message_times.items()],
            ["created_at"],
            batch_size=500,
        )
        Decision.objects.bulk_update(
            [Decision(pk=k, decided_at=v) for k, v in self.decision_times.items()],
            ["decided_at"],
            batch_size=500,
        )
        Ticket.objects.bulk_update(
            [Ticket(pk=k, created_at=c, updated_at=u) for k, (c, u) in self.ticket_times.items()],
            ["created_at", "updated_at"],
            batch_size=500,
        )


class Run:
    """One ticket's story, from intake to its final status."""

    def __init__(self, builder: TicketBuilder, spec: Spec):
        self.b, self.spec, self.rng = builder, spec, builder.rng
        self.t = spec.when
        self.lang = spec.contact.language
        self.data = builder.data[spec.customer.pk]
        staff = builder.staff
        self.agent = staff["sophie.martin" if self.lang in ("fr", "it") else "lukas.baumann"]
        self.consultant = staff["giulia.rossi" if self.lang in ("fr", "it") else "thomas.keller"]
        self.rnd, self.manager = staff["ravi.nair"], staff["claire.dubois"]
        self.minutes = self.rng.choice((15, 20, 30, 45))

    def step(self) -> dt.datetime:
        span = self.b.now - self.t
        delta = min(span * self.rng.uniform(0.02, 0.1), dt.timedelta(days=3))
        self.t = min(self.t + max(delta, dt.timedelta(seconds=30)), self.b.now)
        return self.t

    def text(self, key: str, **kw: str) -> str:
        return texts.REPLIES[key][self.lang].format(name=self.spec.contact.first_name, **kw)

    def go(self) -> None:
        ticket = self.open()
        if ticket.status == Status.REFUSED:
            if not self.spec.accept_anyway:
                return
            ticket = do_accept_refused(
                ticket,
                acting_user=self.manager,
                now=self.step(),
                reason=texts.REFUSED_ANYWAY_REASON,
            )
            self.b.mark(ticket, self.t)
        if ticket.type is None:
            if not self.spec.qualify:
                return
            ticket = do_change_request(
                ticket,
                acting_user=self.agent,
                now=self.step(),
                request_type=self.rng.choice(("usage", "malfunction")),
                module=self.b.modules["Finance"],
                reason="Qualified after a call with the customer.",
            )
            self.b.mark(ticket, self.t)
            self.spec.final = "in_progress"
        if self.spec.final != "new":
            self.work(ticket)

    def open(self) -> Ticket:
        spec, rng = self.spec, self.rng
        customization, module, subject, body = self.request()
        phone = rng.random() < 0.15
        kind = RULE_TYPES[spec.rule] if spec.rule else None
        ticket = do_open_ticket(
            acting_user=self.agent if phone else spec.contact,
            customer=spec.customer,
            contact=spec.contact,
            request_type=kind,
            subject=subject[:200],
            description=body,
            module=module,
            customization=customization,
            product_version=spec.customer.installations.first().version,
            criticality=rng.choices(("low", "medium", "high", "critical"), (3, 6, 3, 1))[0],
            channel=Channel.EMAIL
            if kind is None
            else Channel.PHONE
            if phone
            else rng.choice((Channel.PORTAL, Channel.PORTAL, Channel.EMAIL, Channel.API)),
            language=self.lang,
            suggested_type="usage" if kind is None else "",
            now=self.t,
        )
        self.b.mark(ticket, self.t)
        if phone:
            self.log(ticket, texts.PHONE_LOGS[0], Activity.PHONE_CALL)
        return ticket

    def request(self) -> tuple[Customization | None, Module | None, str, str]:
        rule, lang, rng = self.spec.rule, self.lang, self.rng
        if rule is None:
            subject, body = texts.EMAIL_UNTYPED[lang]
            return None, None, subject, body
        if rule in RULE_BUILT_BY:
            custom = rng.choice(self.b._customizations(self.spec.customer, rule))
            pool = texts.USAGE_CUSTOM if RULE_TYPES[rule] == "usage" else texts.MALFUNCTION_CUSTOM
            subject, body = rng.choice(pool[lang])
            obj = custom.object
            return custom, custom.module, subject.format(object=obj), body.format(object=obj)
        pool = {
            "usage": texts.USAGE,
            "malfunction": texts.MALFUNCTION,
            "feature": texts.FEATURE,
            "training": texts.TRAINING,
        }[RULE_TYPES[rule]]
        module_name, subject, body = rng.choice(pool[lang])
        return None, self.b.modules[module_name], subject, body

    def say(self, ticket: Ticket, user: User, body: str, *, internal: bool = False) -> None:
        message = do_add_message(
            ticket, acting_user=user, body=body, internal=internal, now=self.step()
        )
        self.b.mark(ticket, self.t, message)

    def log(self, ticket: Ticket, body: str, activity: str) -> None:
        message = do_add_message(
            ticket,
            acting_user=self.agent,
            body=body,
            activity=activity,
            channel=Channel.PHONE,
            now=self.step(),
        )
        self.b.mark(ticket, self.t, message)

    def move(self, ticket: Ticket, target: str, user: User, reason: str = "") -> Ticket:
        # A staff member's first public reply already takes a new request on (in progress).
        ticket.refresh_from_db()
        if ticket.status == target:
            return ticket
        ticket = do_transition(ticket, target, acting_user=user, reason=reason, now=self.step())
        self.b.mark(ticket, self.t)
        return ticket

    def work(self, ticket: Ticket) -> None:
        spec, final = self.spec, self.spec.final
        owner = self.consultant if ticket.level == 2 and not spec.finding else self.agent
        do_assign(ticket, owner, acting_user=self.agent)
        self.b.mark(ticket, self.step())
        self.say(ticket, owner, self.text("ack"))
        if self.rng.random() < 0.3:
            self.say(ticket, owner, self.rng.choice(texts.NOTES), internal=True)
        if spec.finding == "product_defect":
            ticket = escalate(ticket, self.b.rnd, final, acting_user=owner, note=texts.NOTES[3])
            self.b.mark(ticket, self.step())
        elif spec.finding:
            ticket = do_diagnose(
                ticket,
                spec.finding,
                acting_user=owner,
                now=self.step(),
                note=self.rng.choice(texts.NOTES),
            )
            self.b.mark(ticket, self.t)
        else:
            # The acknowledgement, a public reply, has taken the new request on already.
            ticket = Ticket.objects.get(pk=ticket.pk)
            if ticket.status != Status.IN_PROGRESS:
                ticket = self.move(ticket, Status.IN_PROGRESS, owner)
        if final == "in_progress":
            return
        if final == "waiting_customer":
            self.say(ticket, owner, self.text("ask"))
            self.move(ticket, Status.WAITING_CUSTOMER, owner)
            return
        if ticket.status == Status.WITH_RND:
            self.rnd_path(ticket)
            return
        if ticket.billable:
            if not self.consent(ticket):
                return
        else:
            self.say(ticket, owner, self.text("ask"))
            ticket = self.move(ticket, Status.WAITING_CUSTOMER, owner)
            self.say(ticket, spec.contact, self.text("details"))  # moves it back in progress
        if self.rng.random() < 0.2:
            self.log(ticket, self.rng.choice(texts.PHONE_LOGS), Activity.REMOTE_SESSION)
        log_work(ticket, user=owner, minutes=self.minutes, now=self.step())
        self.resolve(ticket, owner)

    def consent(self, ticket: Ticket) -> bool:
        """Rule B: an estimate, then the customer's answer; False when the story ends here."""
        spec, hours = self.spec, self.rng.choice((2, 4, 6, 8))
        consent = self.text("consent", rate=self.data.rate, hours=str(hours))
        self.say(ticket, self.consultant, consent)
        estimate = propose(
            ticket,
            consultant=self.consultant,
            hours=hours,
            now=self.step(),
            text=f"{ticket.subject}: analysis and work, {hours} h.",
        )
        self.b.mark(ticket, self.t)
        self.minutes = hours * 50  # within the estimate, as the consent requires
        if covered_by_prepaid(estimate):
            return spec.final not in ("awaiting_consent", "declined")
        if spec.final == "awaiting_consent":
            return False
        accept = spec.final != "declined"
        self.say(ticket, spec.contact, self.text("accept" if accept else "decline"))
        answer(
            estimate,
            contact=spec.contact,
            accept=accept,
            now=self.step(),
            reason="" if accept else self.text("decline"),
        )
        self.b.mark(ticket, self.t)
        return accept

    def rnd_path(self, ticket: Ticket) -> None:
        final = self.spec.final
        self.say(ticket, self.agent, self.text("rnd"))
        planned = self.b.rnd.next_patch.version.number
        fix = planned if final == "waiting_patch" else self.b.patch.number
        note = "Still investigating." if final == "with_rnd" else f"Root cause found; fix in {fix}."
        self.say(ticket, self.rnd, note, internal=True)
        if final == "with_rnd":
            return
        ticket = self.move(ticket, Status.WAITING_PATCH, self.rnd, f"Fixed in patch {fix}")
        if final == "waiting_patch":
            return
        ticket = self.move(ticket, Status.PATCH_AVAILABLE, self.rnd, f"Patch {fix} released")
        self.say(ticket, self.agent, self.text("patch", version=self.b.patch.number))
        if final == "patch_available":
            return
        self.say(ticket, self.spec.contact, self.text("thanks"))
        ticket = self.move(ticket, Status.RESOLVED, self.spec.contact)
        if final == "closed":
            self.move(ticket, Status.CLOSED, self.agent)

    def resolve(self, ticket: Ticket, owner: User) -> None:
        contact = self.spec.contact
        self.say(ticket, owner, self.text("solution"))
        ticket = self.move(ticket, Status.RESOLVED, owner)
        if self.spec.final == "resolved":
            return
        if self.rng.random() < 0.15:  # the customer reopens it within the window
            self.say(ticket, contact, self.text("again"))
            self.say(ticket, owner, self.text("solution"))
            ticket = self.move(ticket, Status.RESOLVED, owner)
        # A reply on a resolved ticket would reopen it: the customer's thanks go with the closing.
        if self.rng.random() < 0.5:
            self.move(ticket, Status.CLOSED, contact, self.text("thanks"))
        else:
            self.move(ticket, Status.CLOSED, owner)

"""Matching past tickets to the desk: customers by number, code or name; contacts and
authors by email (a contact also by name within their customer); request types by the table
the manager edits. Reads only; in batches, with a few queries per batch."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower

from palier.accounts.models import STAFF_ROLES, User, person_name
from palier.customers.models import Customer
from palier.imports.models import ImportedTicket, TypeMapping
from palier.imports.past.model import PastTicket
from palier.lib.text import fold
from palier.lib.words import words as _  # said again in each reader's language
from palier.policy import RequestType


@dataclass
class Person:
    id: int
    name: str
    customer_id: int | None
    language: str

    @property
    def is_contact(self) -> bool:
        return self.customer_id is not None


@dataclass
class Matched:
    ticket: PastTicket
    customer: Customer | None = None
    contact: Person | None = None
    assignee: Person | None = None
    request_type: str | None = None
    authors: list[Person | None] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    known: bool = False  # imported before: left as it is


def type_table(source: str, mapping: dict[str, str] | None = None) -> dict[str, str]:
    """The tool's request types → the policy's ("" imports without a type). A value that is
    one of the policy's own codes maps to itself unless the table says otherwise; `mapping`
    (not saved yet) overrides the table."""
    table = {t.value: t.value for t in RequestType}
    table.update(
        {m.value.casefold(): m.request_type for m in TypeMapping.objects.filter(source=source)}
    )
    table.update({mapping_key(value): code for value, code in (mapping or {}).items()})
    return table


def mapping_key(value: str) -> str:
    """A tool's request type as the mapping table keeps it (TypeMapping.value), compared
    without case."""
    return value.strip()[:200].casefold()


class Resolver:
    def __init__(self, source: str, mapping: dict[str, str] | None = None) -> None:
        self.source = source
        self.types = type_table(source, mapping)
        # Every customer a word names: a name or code two customers share matches both, and
        # a ticket naming it is refused rather than given to the first one found.
        self.customers: dict[str, list[Customer]] = {}
        self.customer_by_pk: dict[int, Customer] = {}
        for c in Customer.objects.order_by("pk"):
            self.customer_by_pk[c.pk] = c
            for name in {fold(n).strip() for n in (c.name, c.code, c.reference) if n}:
                self.customers.setdefault(name, []).append(c)
        staff = User.objects.filter(role__in=STAFF_ROLES)
        self.staff_by_name = {
            fold(person_name(u.first_name, u.last_name, u.username)): _person(u) for u in staff
        }
        self._contacts_by_name: dict[int, dict[str, Person]] = {}

    def _contacts_of(self, customer_id: int) -> dict[str, Person]:
        if customer_id not in self._contacts_by_name:
            self._contacts_by_name[customer_id] = {
                fold(person_name(u.first_name, u.last_name, u.username)): _person(u)
                for u in User.objects.filter(customer_id=customer_id)
            }
        return self._contacts_by_name[customer_id]

    def match(self, batch: list[PastTicket]) -> list[Matched]:
        emails = set()
        for t in batch:
            emails.update(e.lower() for e in (t.contact_email, t.assignee) if "@" in e)
            emails.update(c.author_email.lower() for c in t.comments if c.author_email)
        by_email = {
            u.email_lower: _person(u)
            for u in User.objects.annotate(email_lower=Lower("email")).filter(
                email_lower__in=any_of(sorted(emails))
            )
        }
        known = set(
            ImportedTicket.objects.filter(
                source=self.source, key__in=any_of([t.key for t in batch])
            ).values_list("key", flat=True)
        )
        return [self._one(t, by_email, known) for t in batch]

    def _one(self, t: PastTicket, by_email: dict[str, Person], known: set[str]) -> Matched:
        m = Matched(ticket=t, problems=list(t.problems))
        if t.key in known and not m.problems:
            m.known = True  # imported before: left as it is
            return m
        contact = by_email.get(t.contact_email.lower()) if t.contact_email else None
        if contact is not None and not contact.is_contact:
            contact = None  # a colleague opened it for the customer
        if t.customer_ref:
            named = self.customers.get(fold(t.customer_ref).strip(), [])
            m.customer = named[0] if len(named) == 1 else None
            if len(named) > 1:
                m.problems.append((t.column("customer"), _(
                    "“%(ref)s” names several customers: %(customers)s. Write the customer's "
                    "number instead."
                ) % {"ref": t.customer_ref, "customers": ", ".join(
                    f"{c.name} ({c.reference or c.code})" for c in named[:5]
                )}))  # fmt: skip
            elif m.customer is None:
                m.problems.append(
                    (t.column("customer"), _("No customer has the number, code or name “%(ref)s”.")
                     % {"ref": t.customer_ref})
                )  # fmt: skip
        elif contact is not None:
            m.customer = self.customer_by_pk[contact.customer_id]
        else:
            nobody = _(
                "Neither the organization nor the requester's email names a customer of the desk."
            )
            m.problems.append((t.column("customer"), nobody))
        if m.customer is not None and contact is not None and contact.customer_id != m.customer.pk:
            m.problems.append(
                (t.column("contact"), _("%(email)s is a contact of another customer.")
                 % {"email": t.contact_email})
            )  # fmt: skip
        if m.customer is not None and contact is None and t.contact_name:
            contact = self._contacts_of(m.customer.pk).get(fold(t.contact_name))
        m.contact = contact
        m.assignee = by_email.get(t.assignee.lower()) if "@" in t.assignee else None
        if m.assignee is None and t.assignee:
            m.assignee = self.staff_by_name.get(fold(t.assignee))
        if m.assignee is not None and m.assignee.is_contact:
            m.assignee = None
        type_code = self.types.get(t.type_value.casefold(), "") if t.type_value else ""
        m.request_type = type_code or None
        for comment in t.comments:
            author = by_email.get(comment.author_email.lower()) if comment.author_email else None
            if author is None and comment.author_name:
                author = self.staff_by_name.get(fold(comment.author_name))
                if author is None and m.customer is not None:
                    author = self._contacts_of(m.customer.pk).get(fold(comment.author_name))
            if author is None and comment.from_requester:
                author = contact
            m.authors.append(author)
        return m


def any_of(values: list[str]):
    """`values` for an `__in` lookup: on PostgreSQL one array parameter (`= ANY(%s)`),
    whose plan does not depend on how many there are; planning an IN list of a thousand
    parameters cost more than running it."""
    if connection.vendor != "postgresql" or not values:
        return values
    return RawSQL("SELECT unnest(%s::text[])", [values])  # noqa: S611 (one bound array)


def _person(u: User) -> Person:
    return Person(
        id=u.pk,
        name=person_name(u.first_name, u.last_name, u.username),
        customer_id=u.customer_id,
        language=u.language,
    )


def count_types(counter: dict[str, int], batch: list[PastTicket]) -> None:
    for t in batch:
        if t.type_value:
            counter[t.type_value] = counter.get(t.type_value, 0) + 1


def group(items, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch

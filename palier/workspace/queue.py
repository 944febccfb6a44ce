"""The queue page's reads: bounded counts, one page of tickets (filtered, sorted, searched),
and its rows as plain strings so that the template only prints them.

Costs stay flat as the desk grows: a count reads at most COUNT_CAP index entries per queue;
a page is a keyset walk of an index (or the text index, then the page's rows); the desk
search never ORs the text match with anything that takes it off its index.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from palier.accounts.models import User, person_name
from palier.customers.models import MODULE_NAME_LANGUAGES
from palier.lib.pagination import SORTS, Page, cursor_position, encode_cursor, rows_by_ids
from palier.lib.text import words
from palier.sla.models import TicketClock
from palier.sla.queries import TimeLeft, time_left_of
from palier.tickets import labels
from palier.tickets.models import (
    Ticket,
    looks_like_reference,
    reference_filter,
    ticket_reference,
)
from palier.tickets.queries import TicketFilters, filter_tickets, list_tickets
from palier.tickets.states import OPEN_STATUSES
from palier.workspace.menus import STAMP_SQL, CustomerRow, Menus, current_menus, menus_for
from palier.workspace.notifications import unread_count_sql
from palier.workspace.queries import agent_queues, queue_condition

PAGE_SIZE = 50
# What a queue row prints: read as dicts, no model instance (see lib.pagination values).
ROW_FIELDS = (
    "id",
    "created_at",
    "updated_at",
    "subject",
    "customer__name",
    "contact_id",
    "contact__first_name",
    "contact__last_name",
    "contact__username",
    "module__name",
    *(f"module__name_{language}" for language in MODULE_NAME_LANGUAGES),
    "type",
    "criticality",
    "status",
    "level",
    "billable",
    "assignee_id",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
)
# A queue's count reads at most this many index entries; past it the page says "999+".
COUNT_CAP = 1000
# A search names at most this many customers whose tickets join the text matches.
CUSTOMER_MATCHES = 3


@dataclass(frozen=True)
class QueueCount:
    name: str
    count: int
    cap: int = COUNT_CAP

    @property
    def capped(self) -> bool:
        return self.count >= self.cap

    def __str__(self) -> str:
        return f"{self.cap - 1}+" if self.capped else str(self.count)


# A queue's bounded count as SQL, composed once per process: the ORM took longer to write
# the nine subqueries than the database to run them. "mine" names the user: composed anew.
_COUNT_SQL: dict[tuple[str, int, int], tuple[str, tuple]] = {}


def _count_sql(user: User, name: str) -> tuple[str, tuple]:
    key = (name, user.pk if name == "mine" else 0, COUNT_CAP)
    if key not in _COUNT_SQL:
        bounded = Ticket.objects.filter(queue_condition(user, name)).values("id")[:COUNT_CAP]
        sql, params = bounded.query.sql_with_params()
        entry = (f"(SELECT COUNT(*) FROM ({sql}) AS q_{name})", tuple(params))
        if name == "mine":
            return entry
        _COUNT_SQL[key] = entry
    return _COUNT_SQL[key]


def queue_counts(user: User) -> dict[str, QueueCount]:
    """Every queue's size in one statement: each queue counts its own index range up to
    COUNT_CAP rows, so the cost does not grow with the number of open tickets."""
    return _queue_counts(user, unread=False)[0]


@dataclass(frozen=True)
class QueueHeader:
    """What a queue page prints around its list: the counts, the unread badge, the menus."""

    counts: dict[str, QueueCount]
    unread: int
    menus: Menus


def queue_header(user: User) -> QueueHeader:
    """queue_counts, and in the same statement the user's unread notifications
    (notifications.unread_count: the staff header's badge) and the menu stamp (the menus
    themselves are kept by stamp: workspace.menus)."""
    counts, extra = _queue_counts(user, unread=user.is_staff_member, stamp=True)
    unread = int(extra.pop(0)) if user.is_staff_member else 0
    return QueueHeader(counts, unread, menus_for(extra[0]))


def _queue_counts(
    user: User, *, unread: bool, stamp: bool = False
) -> tuple[dict[str, QueueCount], list]:
    names = agent_queues(user)
    parts, params = [], []
    for name in names:
        sql, sub_params = _count_sql(user, name)
        parts.append(sql)
        params.extend(sub_params)
    if unread:
        sql, sub_params = unread_count_sql(user)
        parts.append(f"({sql})")
        params.extend(sub_params)
    if stamp:
        parts.append(STAMP_SQL)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    counts = {
        name: QueueCount(name, int(n), COUNT_CAP)
        for name, n in zip(names, row[: len(names)], strict=True)
    }
    return counts, list(row[len(names) :])


def queue_filters(user: User, data: dict[str, Any], queue: str) -> TicketFilters:
    """The page's filters as the tickets app reads them ("mine": open and mine)."""
    status = [data["status"]] if data.get("status") else []
    assignee_id = None
    if queue == "mine":
        assignee_id = user.pk
        status = [s for s in status if s in OPEN_STATUSES] if status else sorted(OPEN_STATUSES)
        if not status:
            status = ["-"]  # a closed status asked in "mine": nothing
    return TicketFilters(
        queue=None if queue == "mine" else queue,
        status=status,
        type=data.get("type") or None,
        criticality=data.get("criticality") or None,
        customer_id=data["customer"].pk if data.get("customer") else None,
        module_id=data["module"].pk if data.get("module") else None,
        assignee_id=assignee_id,
        created_before=(
            timezone.now() - dt.timedelta(days=int(data["age"])) if data.get("age") else None
        ),
    )


def matching_customers(text: str, menus: Menus | None = None) -> list[CustomerRow]:
    """Customers a search names (by code, or a part of their name), read from the menus the
    page keeps (workspace.menus): no statement of its own."""
    if reference_filter(text) is not None or len(text.strip()) < 3:
        return []
    return (menus or current_menus()).customers_named(text.strip(), CUSTOMER_MATCHES + 1)


@dataclass
class QueuePage:
    page: Page
    customers: list[CustomerRow]  # the customers a search named (their tickets are listed too)
    too_many_customers: bool = False


def queue_page(
    user: User,
    filters: TicketFilters,
    *,
    text: str,
    sort: str,
    cursor: str | None,
    expression_page=None,
    menus: Menus | None = None,
) -> QueuePage:
    """One page of the queue. Sorts of palier.lib.pagination go through the API's own list
    (list_tickets); other sorts through `expression_page` (web.agent.sorting)."""
    text = text.strip()
    if reference_filter(text) is not None:
        # A reference names one request: found in whichever queue it is, whatever the
        # filters, as the API's search finds it.
        filters = TicketFilters()
    if sort not in SORTS:
        qs = filter_tickets(user, replace(filters, q=text)).only("id", "created_at", "updated_at")
        page = expression_page(qs, sort=sort, cursor=cursor, limit=PAGE_SIZE)
        return QueuePage(page=_with_rows(page), customers=[])
    page = _list(user, replace(filters, q=text), sort, cursor)
    customers = matching_customers(text, menus) if text else []
    if not customers or len(customers) > CUSTOMER_MATCHES or filters.customer_id:
        return QueuePage(
            page=page, customers=customers, too_many_customers=len(customers) > CUSTOMER_MATCHES
        )
    # The customers' own tickets, each walked through its (customer, id) index, merged with
    # the text matches: an OR of both in one query read every ticket at 1M (2.5 s).
    pages = [page]
    for customer in customers:
        pages.append(_list(user, replace(filters, customer_id=customer.pk), sort, cursor))
    return QueuePage(page=_merge(pages, sort), customers=customers)


def searched_text(text: str) -> str:
    """What a search looks for: "" when it has no word (letters or digits) and is no
    reference, as "%", "_" or "?!": searched, it narrowed nothing and the whole queue
    read as found by it."""
    text = text.strip()
    return text if words(text) or reference_filter(text) is not None else ""


def search_notice(text: str, page: Page, *, first_page: bool) -> str:
    """What the desk says of a search that finds nothing by what it was meant as: a text
    with no word to look for (the queue is listed unsearched), a malformed reference (it is
    searched as text), or a reference that names no request."""
    text = text.strip()
    if text and not searched_text(text):
        return _(
            "“%(text)s” has no word to search for (letters or digits): the list is not searched."
        ) % {"text": text}
    if not looks_like_reference(text):
        return ""
    if reference_filter(text) is None:
        return _("“%(ref)s” is no reference: a reference reads like PAL-2026-000123.") % {
            "ref": text
        }
    if first_page and not page.items:
        return _("No request has the reference %(ref)s.") % {"ref": text}
    return ""


def _list(user: User, filters: TicketFilters, sort: str, cursor: str | None) -> Page:
    """A page through the API's own list path, as dicts of ROW_FIELDS."""
    return list_tickets(user, filters, sort=sort, cursor=cursor, limit=PAGE_SIZE, values=ROW_FIELDS)


def _merge(pages: list[Page], sort: str) -> Page:
    """One page of rows from several keyset walks of the same sort (dicts of ROW_FIELDS)."""
    field, descending = SORTS[sort]
    seen: dict[int, dict] = {}
    for page in pages:
        for row in page.items:
            seen.setdefault(row["id"], row)
    ordered = sorted(seen.values(), key=lambda r: (r[field], r["id"]), reverse=descending)
    more = any(page.next_cursor for page in pages) or len(ordered) > PAGE_SIZE
    items = ordered[:PAGE_SIZE]
    last = items[-1] if items else None
    next_cursor = encode_cursor(sort, last[field], last["id"]) if more and last else None
    return Page(items=items, next_cursor=next_cursor)


def _with_rows(page: Page) -> Page:
    """Read the rows of a page whose ids an expression sort found (as dicts)."""
    ids = [ticket.pk for ticket in page.items]
    rows = {row["id"]: row for row in Ticket.objects.filter(pk__in=ids).values(*ROW_FIELDS)}
    page.items = [rows[pk] for pk in ids if pk in rows]
    return page


def cursor_is_valid(cursor: str | None, sort: str) -> bool:
    if not cursor or sort not in SORTS:
        return True
    try:
        cursor_position(cursor, sort)
    except Exception:  # noqa: BLE001 - any unreadable cursor: the first page instead
        return False
    return True


# --- rows: every string a row prints, computed once per distinct value -------------------

# What a row's service clock shows (sla.queries.time_left_of reads these), read as values
# by a statement compiled once (lib.pagination.rows_by_ids): 50 clocks as model instances
# cost more than the rest of the rows together.
CLOCK_FIELDS = (
    "ticket_id",
    "active",
    "first_response_met_at",
    "first_response_due",
    "first_response_running",
    "first_response_left_s",
    "resolution_due",
    "resolution_running",
    "resolution_left_s",
    "out_of_range",
)


class _Clock:
    """A clock's CLOCK_FIELDS as attributes, as time_left_of reads a TicketClock."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.__dict__.update(row)


def _duration(delta: dt.timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


class _Words:
    """The page's translated words, each looked up once (a row asks three or four)."""

    def __init__(self) -> None:
        self.minutes = _("%(count)s min")
        self.hours = _("%(count)s h")
        self.days: dict[int, str] = {}
        self.targets = {"first_response": _("first response"), "resolution": _("resolution")}
        self.paused = _("paused")
        self.out_of_range = _("no deadline: dates out of range")
        self.overdue = _("overdue %(duration)s")
        self.left = _("%(duration)s left")

    def age(self, delta: dt.timedelta) -> str:
        minutes = int(delta.total_seconds() // 60)
        if minutes < 60:
            return self.minutes % {"count": max(minutes, 0)}
        hours = minutes // 60
        if hours < 48:
            return self.hours % {"count": hours}
        days = hours // 24
        if days not in self.days:
            self.days[days] = ngettext("%(count)s day", "%(count)s days", days) % {"count": days}
        return self.days[days]

    def sla(self, sla: TimeLeft | None) -> dict[str, str]:
        if sla is None:
            return {"text": "", "css": "", "target": ""}
        target = self.targets["first_response" if sla.target == "first_response" else "resolution"]
        if sla.out_of_range:
            return {"text": self.out_of_range, "css": "sla--unknown", "target": target}
        if not sla.running:
            return {"text": self.paused, "css": "sla--paused", "target": target}
        if sla.overdue:
            text = self.overdue % {"duration": _duration(sla.left)}
            return {"text": text, "css": "sla--overdue", "target": target}
        return {"text": self.left % {"duration": _duration(sla.left)}, "css": "", "target": target}


def _person(row: dict, prefix: str) -> str:
    return person_name(
        row[f"{prefix}__first_name"] or "",
        row[f"{prefix}__last_name"] or "",
        row[f"{prefix}__username"] or "",
    )


def ticket_sla(ticket_id: int) -> dict[str, str] | None:
    """What a ticket's page says of its service target, in the words of its queue row
    ("first response", "2 h 10 left", "overdue 35 min", "paused", "no deadline: …");
    None for a ticket without a running clock (closed, or none computed yet)."""
    clock = page_clocks([ticket_id]).get(ticket_id)
    shown = _Words().sla(time_left_of(clock, timezone.now()) if clock else None)
    if not shown["text"]:
        return None
    # One sentence to translate: French puts a space before the colon.
    target = shown["target"][:1].upper() + shown["target"][1:]
    shown["line"] = _("%(target)s: %(state)s") % {"target": target, "state": shown["text"]}
    return shown


def page_clocks(ids: list[int]) -> dict[int, _Clock]:
    """The service clocks of a page's tickets, by ticket id (one statement, none for no id)."""
    if not ids:
        return {}
    rows = rows_by_ids(TicketClock, ids, CLOCK_FIELDS)
    return {row["ticket_id"]: _Clock(row) for row in rows}


def queue_rows(items: list[dict]) -> list[dict[str, Any]]:
    """The page's rows as plain strings (one query for the service clocks)."""
    now = timezone.now()
    clocks = page_clocks([row["id"] for row in items])
    base = reverse("web:agent:ticket", args=[0])[: -len("0/")]
    words: dict[tuple[str, str], str] = {}
    texts = _Words()

    def word(kind: str, code: str | None) -> str:
        key = (kind, code or "")
        if key not in words:
            words[key] = str(getattr(labels, kind)(code)) if code else ""
        return words[key]

    language = (get_language() or "en")[:2]
    rows = []
    for t in items:
        clock = clocks.get(t["id"])
        created = timezone.localtime(t["created_at"])
        rows.append(
            {
                "pk": t["id"],
                "url": f"{base}{t['id']}/",
                "reference": ticket_reference(t["id"], t["created_at"]),
                "subject": t["subject"],
                "customer": t["customer__name"],
                "contact": _person(t, "contact") if t["contact_id"] else "",
                "module": t.get(f"module__name_{language}") or t["module__name"] or "",
                "type": word("request_type", t["type"]),
                "criticality": t["criticality"],
                "criticality_label": word("criticality", t["criticality"]),
                "status": word("status", t["status"]),
                "level": t["level"],
                "billable": t["billable"],
                "sla": texts.sla(time_left_of(clock, now) if clock else None),
                "assignee": _person(t, "assignee") if t["assignee_id"] else "",
                "age": texts.age(now - t["created_at"]),
                "created": created.strftime("%Y-%m-%d %H:%M"),
                "created_iso": t["created_at"].isoformat(),
            }
        )
    return rows

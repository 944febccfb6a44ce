"""The ticket page's reads, each statement compiled once per connection (lib.compiled).

On the agent's ticket page the ORM spent about as long composing its dozen statements as
the page spent rendering; the database answered each in a fraction of that. Every read
here builds its statement from the same queryset as before (the access-checked one where
there is one) and only runs it afterwards; the rows are the ORM's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Q, QuerySet

from palier.accounts.models import STAFF_ROLES, User
from palier.customers.models import Module
from palier.engineering.models import DefectLink
from palier.lib.compiled import all_rows, connection_cache, first_row
from palier.tickets.models import Attachment, Message, Ticket, TicketEvent
from palier.tickets.queries import ticket_history, ticket_messages
from palier.web.agent.forms import staff_users
from palier.web.agent.ticket_form import TicketForm
from palier.workspace.macros import visible_macros
from palier.workspace.models import Macro, MacroScope, TicketTag
from palier.workspace.notifications import UNREAD_CAP
from palier.workspace.queries import TimeSummary

# A conversation longer than this reads its files through the ORM (one statement shape a
# number of messages: the cache stays small).
_COMPILED_FILES_UP_TO = 100


def conversation(
    user: User, ticket: Ticket
) -> tuple[list[Message], dict[int | None, list[Attachment]]]:
    """The messages a staff member reads on the page, with each one's files, and under
    None the files of no message (the description's: a mailed request's) in one statement
    (two statements, as the prefetch of `ticket_messages` reads them)."""
    if not user.is_staff_member:
        raise ValueError("the agent's page reads a staff member's conversation")
    messages = all_rows(
        ("page_messages",),
        [ticket.pk],
        lambda: ticket_messages(user, ticket).prefetch_related(None),
        known={"ticket": ticket},
    )
    files: dict[int | None, list[Attachment]] = {m.pk: [] for m in messages}
    files[None] = []
    ids = [m.pk for m in messages]

    def build() -> QuerySet[Attachment]:
        return Attachment.objects.filter(
            Q(message__in=ids) | Q(ticket=ticket, message__isnull=True)
        )

    if len(ids) <= _COMPILED_FILES_UP_TO:
        found = all_rows(("page_files", len(ids)), [*ids, ticket.pk], build)
    else:
        found = list(build())
    for attachment in found:
        files[attachment.message_id].append(attachment)
    return messages, files


def history_events(user: User, ticket: Ticket) -> list[TicketEvent]:
    """`ticket_history(user, ticket)` for a staff member (every event)."""
    if not user.is_staff_member:
        raise ValueError("the agent's page reads a staff member's history")
    return all_rows(
        ("page_events",),
        [ticket.pk],
        lambda: ticket_history(user, ticket),
        known={"ticket": ticket},
    )


def staff_names() -> list[User]:
    """Names for the assignee menu and the history: not every column of every person."""
    return all_rows(
        ("page_staff",),
        list(STAFF_ROLES),
        lambda: staff_users().only("id", "username", "first_name", "last_name"),
    )


def macros(user: User) -> list[Macro]:
    if not user.is_staff_member:
        return []
    params = [user.pk, MacroScope.PERSONAL, MacroScope.TEAM, user.pk, MacroScope.DESK]
    return all_rows(
        ("page_macros",), params, lambda: visible_macros(user).only("id", "name", "internal")
    )


def _staff_and_macros_sql(user: User) -> tuple[str, list] | None:
    """The union of the two querysets' statements (each as the ORM writes it, without its
    ORDER BY), ordered as each orders its own rows; None if they do not compile to the
    announced parameters."""
    staff = staff_users().only("id", "username", "first_name", "last_name").order_by()
    macros = visible_macros(user).only("id", "name", "internal").order_by()
    staff_sql, staff_params = staff.query.get_compiler(using=staff.db).as_sql()
    macro_sql, macro_params = macros.query.get_compiler(using=macros.db).as_sql()
    if [*staff_params, *macro_params] != _staff_and_macros_params(user):
        return None
    sql = (
        "SELECT 0, s.id, s.first_name, s.last_name, s.username, NULL"
        f" FROM ({staff_sql}) s UNION ALL"
        f" SELECT 1, m.id, m.name, NULL, NULL, m.internal FROM ({macro_sql}) m"
        # Staff by first name, last name, username (staff_users()); macros by name, id.
        " ORDER BY 1, 3, 4, 5, 2"
    )
    return sql, list(staff_params) + list(macro_params)


def _staff_and_macros_params(user: User) -> list:
    return [
        *STAFF_ROLES,
        user.pk,
        MacroScope.PERSONAL,
        MacroScope.TEAM,
        user.pk,
        MacroScope.DESK,
    ]


def staff_and_macros(user: User) -> tuple[list[User], list[Macro]]:
    """`staff_names()` and `macros(user)` in one statement: the union of theirs, written
    once per connection from their querysets."""
    if not user.is_staff_member:
        return staff_names(), []
    cache = connection_cache(connections[DEFAULT_DB_ALIAS], "statements")
    sql = cache.get(("page_staff_macros",))
    if sql is None:
        found = _staff_and_macros_sql(user)
        sql = cache[("page_staff_macros",)] = found[0] if found else False
    if sql is False:
        return staff_names(), macros(user)
    with connection.cursor() as cursor:
        cursor.execute(sql, _staff_and_macros_params(user))
        rows = cursor.fetchall()
    people, shortcuts = [], []
    for kind, pk, first, last, username, internal in rows:
        if kind == 0:
            people.append(
                User.from_db(
                    DEFAULT_DB_ALIAS,
                    ["id", "username", "first_name", "last_name"],
                    [pk, username, first, last],
                )
            )
        else:
            shortcuts.append(
                Macro.from_db(
                    DEFAULT_DB_ALIAS, ["id", "name", "internal"], [pk, first, bool(internal)]
                )
            )
    return people, shortcuts


def modules() -> list[Module]:
    """Every module, in the order the panel's module field lists them."""
    return all_rows(("page_modules",), [], lambda: TicketForm.base_fields["module"].queryset.all())


def defect_link(ticket: Ticket) -> DefectLink | None:
    return first_row(
        lambda: (
            DefectLink.objects.select_related("defect__fixed_in__version", "defect__module")
            .filter(ticket=ticket)
            .order_by()[:1]
        ),
        ("page_defect_link",),
        [ticket.pk],
    )


@dataclass
class PageCounts:
    tags: list[str]
    time: TimeSummary
    unread: int  # the reader's unread notifications, counted up to UNREAD_CAP


def tags_time_unread(ticket: Ticket, user: User) -> PageCounts:
    """The ticket's tag names in order, its minutes logged (billable, included) with its
    latest estimate's status, and the reader's unread notifications: one statement for
    what were three (`ticket_tags`, `ticket_time_summary`, `unread_count`), written out,
    the same values."""
    from palier.billing.models import Estimate, EstimateStatus, TimeEntry
    from palier.workspace.models import Notification, Tag

    qn = connection.ops.quote_name
    entries, estimates = TimeEntry._meta.db_table, Estimate._meta.db_table
    links, tags = qn(TicketTag._meta.db_table), qn(Tag._meta.db_table)
    sql = (
        f"SELECT 0, NULL,"
        f" (SELECT SUM(minutes) FROM {entries} WHERE ticket_id = %s AND billable = %s),"
        f" (SELECT SUM(minutes) FROM {entries} WHERE ticket_id = %s AND billable = %s),"
        f" (SELECT status FROM {estimates} WHERE ticket_id = %s ORDER BY id DESC LIMIT 1),"
        f" (SELECT COUNT(*) FROM (SELECT 1 FROM {Notification._meta.db_table}"
        " WHERE recipient_id = %s AND read_at IS NULL LIMIT %s) AS unread)"
        f" UNION ALL SELECT 1, {tags}.{qn('name')}, NULL, NULL, NULL, NULL FROM {links}"
        f" INNER JOIN {tags} ON ({links}.{qn('tag_id')} = {tags}.{qn('id')})"
        f" WHERE {links}.{qn('ticket_id')} = %s ORDER BY 1, 2"
    )
    pk = ticket.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk, True, pk, False, pk, user.pk, UNREAD_CAP, pk])
        rows = cursor.fetchall()
    _kind, _name, billable, included, status, unread = rows[0]
    summary = TimeSummary(
        int(billable or 0), int(included or 0), EstimateStatus(status).label if status else ""
    )
    return PageCounts([row[1] for row in rows[1:]], summary, int(unread))

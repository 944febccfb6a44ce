"""Writes of the agent workspace: saved views, presence heartbeats, teams, tags, macros."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.permissions import Permission, check_allowed
from palier.audit.log import record_change, snapshot
from palier.billing.actions import do_log_time
from palier.billing.models import Activity as TimeActivity
from palier.lib.errors import Conflict, DomainError, NotAllowed
from palier.tickets import actions as ticket_actions
from palier.tickets import labels
from palier.tickets.actions import record_event
from palier.tickets.attachments import do_attach_file
from palier.tickets.models import Activity, Channel, Message, Ticket
from palier.tickets.states import Status
from palier.workspace.macros import can_edit, check_text
from palier.workspace.models import (
    AssigneeEffect,
    Macro,
    MacroScope,
    SavedView,
    Tag,
    Team,
    TicketPresence,
    TicketTag,
)

# Only filter parameters are kept: a cursor would pin the view to one page.
VIEW_PARAMETERS = (
    "queue",
    "q",
    "customer",
    "module",
    "type",
    "criticality",
    "status",
    "age",
    "sort",
    "assignee",
)


def clean_query(params: dict[str, list[str]]) -> str:
    pairs = [(key, value) for key in VIEW_PARAMETERS for value in params.get(key, []) if value]
    return urlencode(pairs)


def _check_staff(user: User) -> None:
    if not user.is_staff_member:
        raise NotAllowed(_("Only the support team has a workspace."))


@transaction.atomic
def do_save_view(*, acting_user: User, name: str, query: str, shared: bool = False) -> SavedView:
    """Save a queue filter under a name, replacing the user's own view of that name."""
    _check_staff(acting_user)
    name = name.strip()
    if not name:
        raise DomainError(_("Give the view a name."), code="name_required")
    query = clean_query(parse_qs(query))
    if len(query) > 1000:
        raise DomainError(_("This filter is too long to save."), code="query_too_long")
    try:
        view, _created = SavedView.objects.update_or_create(
            owner=acting_user, name=name[:80], defaults={"shared": shared, "query": query}
        )
    except IntegrityError as exc:  # two saves of the same name at once
        raise Conflict(_("A view of this name was just saved; try again.")) from exc
    return view


@transaction.atomic
def do_delete_view(view: SavedView, *, acting_user: User) -> None:
    if view.owner_id != acting_user.pk:
        raise NotAllowed(_("Only its owner can delete a view."))
    view.delete()


def do_heartbeat(ticket: Ticket, *, acting_user: User, now: dt.datetime | None = None) -> None:
    """Note that a staff member has the ticket open. Not a ticket change: no event."""
    _check_staff(acting_user)
    TicketPresence.objects.update_or_create(
        ticket=ticket, user=acting_user, defaults={"last_seen": now or timezone.now()}
    )


def _team_snapshot(team: Team) -> dict:
    return {
        **snapshot(team, ["name", "lead_id"]),
        "members": sorted(team.members.values_list("pk", flat=True)),
    }


@transaction.atomic
def do_save_team(
    *,
    acting_user: User,
    name: str,
    lead: User | None = None,
    members: list[User] | tuple[User, ...] = (),
    team: Team | None = None,
) -> Team:
    """Create or change a team of staff; its lead is always one of its members."""
    check_allowed(acting_user, Permission.TEAM_WRITE)
    name = name.strip()
    if not name:
        raise DomainError(_("Give the team a name."), code="name_required")
    people = {user.pk: user for user in members}
    if lead is not None:
        people[lead.pk] = lead
    if any(not user.is_staff_member for user in people.values()):
        raise DomainError(_("A team is made of staff only."), code="invalid_member")
    clash = Team.objects.filter(name__iexact=name[:80])
    if team is not None:
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise DomainError(_("Another team has this name."), code="name_taken")
    before = None
    if team is None:
        team = Team(name=name[:80], lead=lead)
    else:
        team = Team.objects.select_for_update().get(pk=team.pk)
        before = _team_snapshot(team)
        team.name, team.lead = name[:80], lead
    team.save()
    team.members.set(list(people.values()))
    record_change(
        "team.create" if before is None else "team.update",
        team,
        acting_user=acting_user,
        before=before,
        after=_team_snapshot(team),
    )
    return team


def tag_name(text: str) -> str:
    """Tags are lower-case words joined by dashes: "Year-end closing" is year-end-closing."""
    return "-".join(text.strip().lower().split())[:40]


@transaction.atomic
def do_tag_ticket(ticket: Ticket, name: str, *, acting_user: User) -> Tag:
    """Put a tag on a ticket (creating the tag on first use); an internal event."""
    _check_staff(acting_user)
    name = tag_name(name)
    if not name:
        raise DomainError(_("A tag needs a name."), code="name_required")
    tag, _created = Tag.objects.get_or_create(name=name)
    Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
    _row, created = TicketTag.objects.get_or_create(
        ticket=ticket, tag=tag, defaults={"added_by": acting_user}
    )
    if created:
        record_event(ticket, "tagged", acting_user, field="tag", to_value=name, internal=True)
    return tag


@transaction.atomic
def do_untag_ticket(ticket: Ticket, tag: Tag, *, acting_user: User) -> None:
    _check_staff(acting_user)
    Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
    removed, _by_model = TicketTag.objects.filter(ticket=ticket, tag=tag).delete()
    if removed:
        record_event(
            ticket, "untagged", acting_user, field="tag", from_value=tag.name, internal=True
        )


def _check_macro_scope(user: User, scope: str, team: Team | None) -> None:
    if scope == MacroScope.DESK:
        check_allowed(user, Permission.TEAM_WRITE)
    elif scope == MacroScope.TEAM:
        if team is None:
            raise DomainError(_("Choose the team that shares this macro."), code="team_required")
        if not (user.is_manager or team.lead_id == user.pk):
            raise NotAllowed(_("Only the team's lead or a manager shares macros with a team."))
    elif scope != MacroScope.PERSONAL:
        raise DomainError(_("Unknown sharing."), code="invalid_scope")


@transaction.atomic
def do_save_macro(
    *,
    acting_user: User,
    name: str,
    texts: dict[str, str],
    scope: str = MacroScope.PERSONAL,
    team: Team | None = None,
    internal: bool = False,
    set_status: str = "",
    set_assignee: str = "",
    assignee: User | None = None,
    tag: str = "",
    macro: Macro | None = None,
) -> Macro:
    """Create or change a macro; its texts may name only the allowed variables."""
    _check_staff(acting_user)
    if macro is not None and not can_edit(acting_user, macro):
        raise NotAllowed(_("You may not change this macro."))
    _check_macro_scope(acting_user, scope, team)
    name = name.strip()
    if not name:
        raise DomainError(_("Give the macro a name."), code="name_required")
    languages = [code for code, _name in settings.LANGUAGES]
    texts = {code: (texts.get(code) or "").strip() for code in languages}
    texts = {code: text for code, text in texts.items() if text}
    if not texts:
        raise DomainError(
            _("Write the macro's text in at least one language."), code="text_required"
        )
    for text in texts.values():
        check_text(text)
    if set_status and set_status not in Status.values:
        raise DomainError(_("Unknown status."), code="invalid_status")
    if set_assignee not in AssigneeEffect.values:
        raise DomainError(_("Unknown assignment."), code="invalid_assignee")
    if set_assignee == AssigneeEffect.USER and (assignee is None or not assignee.is_staff_member):
        raise DomainError(_("Choose the colleague to assign to."), code="invalid_assignee")
    tag_row = Tag.objects.get_or_create(name=tag_name(tag))[0] if tag_name(tag) else None
    macro = macro or Macro(owner=acting_user)
    macro.name, macro.scope = name[:80], scope
    macro.team = team if scope == MacroScope.TEAM else None
    macro.internal, macro.texts = internal, texts
    macro.set_status, macro.set_assignee = set_status, set_assignee
    macro.assignee = assignee if set_assignee == AssigneeEffect.USER else None
    macro.add_tag = tag_row
    macro.save()
    return macro


@transaction.atomic
def do_delete_macro(macro: Macro, *, acting_user: User) -> None:
    if not can_edit(acting_user, macro):
        raise NotAllowed(_("You may not change this macro."))
    macro.delete()


UNCHANGED: Any = object()

# What the composer sends: a reply, an internal note, or a logged call or remote session.
COMPOSE_KINDS = ("reply", "note", "phone_call", "remote_session")


@dataclass
class TicketUpdate:
    """Everything one press of "Send" on the ticket page may change. Fields left UNCHANGED
    (or empty) are not touched."""

    body: str = ""
    kind: str = "reply"
    files: list[Any] = field(default_factory=list)
    request_type: Any = UNCHANGED
    module: Any = UNCHANGED
    customization: Any = UNCHANGED
    criticality: Any = UNCHANGED
    finding: str = ""
    reason: str = ""
    status: str = ""
    assignee: Any = UNCHANGED
    tag: str = ""
    minutes: int | None = None
    time_activity: str = ""


@dataclass
class UpdateResult:
    ticket: Ticket
    message: Message | None = None
    done: list[str] = field(default_factory=list)


def _changed(current: Any, wanted: Any) -> bool:
    return wanted is not UNCHANGED and wanted != current


@transaction.atomic
def do_update_ticket(
    ticket: Ticket,
    update: TicketUpdate,
    *,
    acting_user: User,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> UpdateResult:
    """Apply a ticket page's changes in one transaction, each through its own action (same
    checks, same events as one by one): requalification, criticality, diagnosis, message
    with its files, time, assignment, status, tag. Any refusal undoes them all."""
    _check_staff(acting_user)
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if expected_version is not None and expected_version != locked.version:
        raise Conflict(
            _("This ticket was changed by someone else; reload it and try again."),
            code="version_conflict",
            details={"expected_version": expected_version, "current_version": locked.version},
        )
    result = UpdateResult(ticket=locked)
    ticket = locked
    reason = update.reason.strip()
    requalify = {
        keyword: wanted
        for name, keyword, wanted in (
            ("type", "request_type", update.request_type),
            ("module", "module", update.module),
            ("customization", "customization", update.customization),
        )
        if _changed(getattr(ticket, name), wanted)
    }
    if requalify:
        ticket = ticket_actions.do_change_request(
            ticket, acting_user=acting_user, reason=reason, now=now, **requalify
        )
        result.done.append(_("Request requalified; the policy decided again."))
    if _changed(ticket.criticality, update.criticality):
        ticket = ticket_actions.do_change_criticality(
            ticket, update.criticality, acting_user=acting_user, reason=reason
        )
        result.done.append(_("Criticality changed."))
    if update.finding:
        if not reason:
            raise DomainError(
                _("Say what the diagnosis found (the reason is kept with it)."),
                code="reason_required",
            )
        ticket = ticket_actions.do_diagnose(
            ticket, update.finding, acting_user=acting_user, note=reason, now=now
        )
        result.done.append(_("Diagnosis recorded."))
    if update.body.strip():
        result.message = _add_message(ticket, update, acting_user, now)
        result.done.append(_message_done(update.kind))
    elif update.files:
        raise DomainError(
            _("Write a few words with the files: they go with a reply or a note."),
            code="files_without_message",
        )
    if update.minutes:
        do_log_time(
            ticket,
            acting_user=acting_user,
            date=timezone.localdate(now),
            minutes=update.minutes,
            activity=update.time_activity or TimeActivity.SUPPORT,
            note=update.body.strip().splitlines()[0][:200] if update.body.strip() else "",
            now=now,
        )
        result.done.append(_("%(minutes)s min logged.") % {"minutes": update.minutes})
    ticket = Ticket.objects.select_related("assignee").get(pk=ticket.pk)
    if _changed(ticket.assignee, update.assignee):
        ticket = ticket_actions.do_assign(ticket, update.assignee, acting_user=acting_user)
        result.done.append(
            _("Assigned to %(name)s.") % {"name": update.assignee}
            if update.assignee
            else _("Ticket unassigned.")
        )
    if update.status and update.status != ticket.status:
        ticket = ticket_actions.do_transition(
            ticket, update.status, acting_user=acting_user, reason=reason, now=now
        )
        result.done.append(
            _("Status set to “%(status)s”.") % {"status": labels.status(ticket.status)}
        )
    if update.tag.strip():
        do_tag_ticket(ticket, update.tag, acting_user=acting_user)
        result.done.append(_("Tag “%(tag)s” added.") % {"tag": tag_name(update.tag)})
    result.ticket = ticket
    return result


def _add_message(
    ticket: Ticket, update: TicketUpdate, acting_user: User, now: dt.datetime | None
) -> Message:
    if update.kind not in COMPOSE_KINDS:
        raise DomainError(_("Unknown kind of message."), code="invalid_kind")
    calls = {"phone_call": Activity.PHONE_CALL, "remote_session": Activity.REMOTE_SESSION}
    message = ticket_actions.do_add_message(
        ticket,
        acting_user=acting_user,
        body=update.body,
        internal=update.kind != "reply",
        activity=calls.get(update.kind, Activity.MESSAGE),
        channel=Channel.PHONE if update.kind == "phone_call" else Channel.PORTAL,
        now=now,
    )
    for upload in update.files:
        do_attach_file(ticket, upload, acting_user=acting_user, message=message)
    return message


def _message_done(kind: str) -> str:
    return {
        "reply": _("Reply sent to the customer."),
        "note": _("Internal note added."),
        "phone_call": _("Phone call logged."),
        "remote_session": _("Remote session logged."),
    }[kind]

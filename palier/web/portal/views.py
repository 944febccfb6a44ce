"""Customer portal: home, requests list and request page with reply, close and reopen."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palier.accounts.models import User
from palier.customers.queries import governing_contract
from palier.lib.compiled import all_rows
from palier.lib.errors import DomainError
from palier.lib.pagination import InvalidCursor
from palier.sla.queries import expected_first_response
from palier.tickets.actions import (
    check_can_reopen,
    decides_for_request,
    do_add_message,
    do_transition,
)
from palier.tickets.attachments import do_attach_file
from palier.tickets.explanations import explain
from palier.tickets.followers import (
    check_can_follow,
    do_follow_ticket,
    do_unfollow_ticket,
    is_following,
)
from palier.tickets.models import Ticket
from palier.tickets.queries import (
    TicketFilters,
    access_ticket_by_id,
    filter_tickets,
    list_tickets,
    ticket_attachments,
    ticket_history,
    ticket_messages,
)
from palier.tickets.states import (
    CONTACT,
    OPEN_STATUSES,
    WAITING_ON_CUSTOMER,
    Status,
    allowed_targets,
)
from palier.web.access import contact_required
from palier.web.left_out import left_out_filters
from palier.web.portal.forms import TYPE_HELP, VISIBILITY_WORDS, ReplyForm, RequestFilterForm
from palier.web.portal.patch import patch_context
from palier.web.portal.preview import entitlement_refusal
from palier.web.portal.rows import ROW_FIELDS, render_request_rows
from palier.web.portal.timeline import customer_timeline

PAGE_SIZE = 25
HOME_LIST_SIZE = 8


@contact_required
def home(request: HttpRequest) -> HttpResponse:
    customer = request.user.customer
    today = timezone.localdate()
    contract = governing_contract(customer, today)
    open_filter = TicketFilters(status=sorted(OPEN_STATUSES - WAITING_ON_CUSTOMER))
    waiting_filter = TicketFilters(status=sorted(WAITING_ON_CUSTOMER))
    related = ("module",)
    context = {
        "customer": customer,
        "contract": contract,
        "contract_active": contract is not None and contract.is_active_on(today),
        "refusal": entitlement_refusal(customer, today),
        "waiting_count": filter_tickets(request.user, waiting_filter).count(),
        "open_count": filter_tickets(request.user, open_filter).count(),
        "waiting": list(
            filter_tickets(request.user, waiting_filter)
            .select_related(*related)
            .order_by("-updated_at", "-id")[:HOME_LIST_SIZE]
        ),
        "open": list(
            filter_tickets(request.user, open_filter)
            .select_related(*related)
            .order_by("-updated_at", "-id")[:HOME_LIST_SIZE]
        ),
    }
    return render(request, "web/portal/home.html", context)


def _filters(form: RequestFilterForm) -> tuple[TicketFilters, str]:
    data: dict = {}
    if form.is_bound:
        # cleaned_data keeps every field that is valid: a bad value leaves out only itself
        # (the page says which), not every filter with it.
        form.is_valid()
        data = form.cleaned_data
    status = data.get("status") or ""
    statuses = (
        sorted(OPEN_STATUSES) if status == RequestFilterForm.OPEN else ([status] if status else [])
    )
    show = data.get("show") or ""
    filters = TicketFilters(
        status=statuses,
        q=data.get("q") or "",
        mine=show == "mine",
        followed=show == "followed",
    )
    return filters, data.get("sort") or "-created"


@contact_required
def request_list(request: HttpRequest) -> HttpResponse:
    form = RequestFilterForm(request.GET or None)
    filters, sort = _filters(form)
    cursor = request.GET.get("cursor") or None
    # The page's rows as values (they hold every sort's field), not instances.
    try:
        page = list_tickets(
            request.user, filters, sort=sort, cursor=cursor, limit=PAGE_SIZE, values=ROW_FIELDS
        )
    except InvalidCursor:
        # A stale or edited link: start again from the first page rather than fail.
        page = list_tickets(
            request.user, filters, sort=sort, cursor=None, limit=PAGE_SIZE, values=ROW_FIELDS
        )
        cursor = None
    next_query = None
    if page.next_cursor:
        query = request.GET.copy()
        query["cursor"] = page.next_cursor
        next_query = query.urlencode()
    first_query = request.GET.copy()
    first_query.pop("cursor", None)
    context = {
        "form": form,
        "left_out": left_out_filters(form),
        "page": page,
        "rows_html": render_request_rows(page.items),
        "next_query": next_query,
        "first_query": first_query.urlencode() if cursor else None,
    }
    return render(request, "web/portal/list.html", context)


# The lifecycle edges a contact is offered on the request page, with their button label.
CONTACT_ACTIONS = {
    (Status.RESOLVED, Status.IN_PROGRESS): lambda: _("Reopen the request"),
    (Status.PATCH_AVAILABLE, Status.RESOLVED): lambda: _("The patch solves it"),
    (Status.PATCH_AVAILABLE, Status.IN_PROGRESS): lambda: _("Still a problem after the patch"),
}


def contact_actions(ticket: Ticket, user: User) -> list[tuple[str, str, bool]]:
    """(target, label, is_close) for each edge the table allows a contact right now.
    Only the requester or a customer admin closes or reopens: a colleague who follows a
    shared request reads and replies, as with an estimate, but does not decide for them."""
    if not decides_for_request(ticket, user):
        return []
    actions = []
    now = timezone.now()
    for target in allowed_targets(ticket.status, CONTACT):
        if target == Status.CLOSED:
            actions.append((target, _("Close the request"), True))
            continue
        label = CONTACT_ACTIONS.get((ticket.status, target))
        if label is None:
            continue  # e.g. consent answers live on the estimate, replies move waiting tickets
        if target == Status.IN_PROGRESS and ticket.status == Status.RESOLVED:
            try:
                check_can_reopen(ticket, user, now)
            except DomainError:
                continue
        actions.append((target, label(), False))
    return actions


def _follow_context(ticket: Ticket, user: User) -> dict:
    try:
        check_can_follow(ticket, user)
    except DomainError:
        return {"can_follow": False, "following": False}
    return {"can_follow": True, "following": is_following(ticket, user)}


def _share_customer(user: User, ticket: Ticket) -> None:
    """The header names the contact's customer: the ticket's, read with it (the same row),
    rather than read again."""
    field = User._meta.get_field("customer")
    if user.customer_id == ticket.customer_id and not field.is_cached(user):
        field.set_cached_value(user, ticket.customer)


def _detail_context(request: HttpRequest, ticket: Ticket, reply_form: ReplyForm) -> dict:
    user = request.user
    # Files are grouped from the access-checked list, not the messages' prefetch (not even
    # read: one statement less), so an internal file on a public message never reaches a
    # contact.
    # Each statement compiled once per connection (lib.compiled), from the same
    # access-checked querysets: the ORM spent longer composing them than the database
    # answering.
    shape = "staff" if user.is_staff_member else "contact"
    msgs = all_rows(
        ("portal_messages", shape),
        [ticket.pk],
        lambda: ticket_messages(user, ticket).prefetch_related(None),
        known={"ticket": ticket},
    )
    files = all_rows(
        ("portal_files", shape),
        [ticket.pk],
        lambda: ticket_attachments(user, ticket).order_by("id"),
        known={"ticket": ticket},
    )
    for message in msgs:
        message.visible_files = [a for a in files if a.message_id == message.pk]
    loose_files = [a for a in files if a.message_id is None]
    explanation = (
        explain(ticket.decision, get_language() or "en", module=ticket.module)
        if ticket.decision
        else None
    )
    return {
        "ticket": ticket,
        "messages_list": msgs,
        "loose_files": loose_files,
        "timeline": customer_timeline(
            all_rows(
                ("portal_events", shape),
                [ticket.pk],
                lambda: ticket_history(user, ticket),
                known={"ticket": ticket},
            ),
            user.pk,
        ),
        "explanation": explanation,
        "reply_form": reply_form,
        "can_reply": ticket.status not in (Status.CLOSED, Status.DECLINED, Status.REFUSED),
        "actions": contact_actions(ticket, user),
        "expected_answer": expected_first_response(ticket),
        **_follow_context(ticket, user),
        **patch_context(ticket, user),
        # The model's type labels are not translated; the form's one-line titles are.
        "type_label": TYPE_HELP[ticket.type][0] if ticket.type in TYPE_HELP else ticket.type,
        "visibility_label": VISIBILITY_WORDS.get(ticket.visibility, ticket.visibility),
    }


@contact_required
def request_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket_by_id(request.user, ticket_id)
    _share_customer(request.user, ticket)
    return render(request, "web/portal/detail.html", _detail_context(request, ticket, ReplyForm()))


@require_POST
@contact_required
def reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket_by_id(request.user, ticket_id)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            with transaction.atomic():
                message = do_add_message(
                    ticket, acting_user=request.user, body=form.cleaned_data["body"]
                )
                for upload in form.cleaned_data["attachments"]:
                    do_attach_file(ticket, upload, acting_user=request.user, message=message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect("web:portal:detail", ticket_id=ticket.pk)
    ticket.refresh_from_db()
    context = _detail_context(request, ticket, form)
    return render(request, "web/portal/detail.html", context, status=400)


@require_POST
@contact_required
def change_status(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket_by_id(request.user, ticket_id)
    target = request.POST.get("target", "")
    offered = {t for t, _label, _close in contact_actions(ticket, request.user)}
    if target not in offered:
        messages.error(request, _("This change is not possible for this request any more."))
        return redirect("web:portal:detail", ticket_id=ticket.pk)
    try:
        do_transition(
            ticket, target, acting_user=request.user, reason=request.POST.get("reason", "")[:2000]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The request is now: %(status)s.")
            % {"status": Ticket(status=target).customer_status_label},
        )
    return redirect("web:portal:detail", ticket_id=ticket.pk)


@require_POST
@contact_required
def follow(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Follow a colleague's shared request, or stop (`follow=0`)."""
    ticket = access_ticket_by_id(request.user, ticket_id)
    try:
        if request.POST.get("follow") == "0":
            do_unfollow_ticket(ticket, acting_user=request.user)
            messages.success(request, _("You no longer follow this request."))
        else:
            do_follow_ticket(ticket, acting_user=request.user)
            messages.success(
                request, _("You follow this request: we will email you each of our replies.")
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("web:portal:detail", ticket_id=ticket.pk)

"""Managers' screens for people: the list, a new person, a person's page (change, invite,
deactivate, reactivate)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palier.accounts.models import Role
from palier.lib.errors import DomainError, InvalidFields
from palier.lib.rows import parse_id
from palier.people import actions
from palier.people.queries import (
    access_person_by_id,
    filter_people,
    last_invitations,
    visible_people,
)
from palier.web.access import manager_required
from palier.web.manage.forms import NewPersonForm, PersonForm

PAGE = 100


def _errors_to_form(form, exc: DomainError) -> None:
    if isinstance(exc, InvalidFields) or isinstance(exc.details, list):
        placed = False
        for detail in exc.details if isinstance(exc.details, list) else []:
            field = detail.get("field") if isinstance(detail, dict) else None
            if field in form.fields:
                form.add_error(field, detail["message"])
                placed = True
        if placed:
            return
    form.add_error(None, exc.message)


@manager_required
def people_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind") if request.GET.get("kind") in ("staff", "contacts") else None
    active = {"1": True, "0": False}.get(request.GET.get("active", "1"))
    customer_id = parse_id(request.GET.get("customer"))
    qs = filter_people(
        visible_people(request.user),
        q=request.GET.get("q", ""),
        kind=kind,
        customer_id=customer_id,
        active=active,
    )
    after = parse_id(request.GET.get("after"))
    if after:
        qs = qs.filter(pk__gt=after)
    people = list(qs.order_by("id")[: PAGE + 1])
    more = len(people) > PAGE
    people = people[:PAGE]
    invitations = last_invitations([p.pk for p in people])
    rows = [(p, invitations.get(p.pk)) for p in people]
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "web/manage/people_list.html",
        {
            "section": "people",
            "rows": rows,
            "more_after": people[-1].pk if more else None,
            "query": query.urlencode(),
            "kind": kind or "",
            "active": request.GET.get("active", "1"),
            "q": request.GET.get("q", ""),
        },
    )


@manager_required
def person_new(request: HttpRequest) -> HttpResponse:
    initial = {"language": request.LANGUAGE_CODE, "role": Role.CONTACT}
    if customer_id := parse_id(request.GET.get("customer")):
        initial["customer"] = customer_id
    form = NewPersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = actions.do_create_person(
                acting_user=request.user,
                email=data["email"],
                role=data["role"],
                customer=data["customer"],
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                is_customer_admin=data["is_customer_admin"],
                language=data["language"],
                phone=data["phone"],
                invite=data["invite"],
            )
        except DomainError as exc:
            _errors_to_form(form, exc)
        else:
            if data["invite"]:
                messages.success(
                    request,
                    _("%(name)s was created; the invitation is on its way to %(email)s.")
                    % {"name": person, "email": person.email},
                )
            else:
                messages.success(request, _("%(name)s was created.") % {"name": person})
            return redirect("web:manage:person", person.pk)
    return render(
        request, "web/manage/person_form.html", {"form": form, "person": None, "section": "people"}
    )


@manager_required
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = access_person_by_id(request.user, person_id)
    fields = ["email", "first_name", "last_name", "role", "customer", "is_customer_admin",
              "language", "phone", "username"]  # fmt: skip
    initial = {name: getattr(person, name) for name in fields}
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {
            name: form.cleaned_data[name]
            for name in fields
            if form.cleaned_data[name] != initial[name]
        }
        try:
            if changes:
                actions.do_update_person(person, acting_user=request.user, **changes)
        except DomainError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("web:manage:person", person.pk)
    invitation = last_invitations([person.pk]).get(person.pk)
    return render(
        request,
        "web/manage/person_form.html",
        {"form": form, "person": person, "invitation": invitation, "section": "people"},
    )


@manager_required
@require_POST
def person_action(request: HttpRequest, person_id: int, action: str) -> HttpResponse:
    person = access_person_by_id(request.user, person_id)
    try:
        if action == "invite":
            actions.do_invite(person, acting_user=request.user)
            messages.success(
                request, _("The invitation is on its way to %(email)s.") % {"email": person.email}
            )
        elif action == "deactivate":
            actions.do_deactivate(person, acting_user=request.user)
            messages.success(
                request,
                _("%(name)s is deactivated: signed out everywhere, API tokens revoked.")
                % {"name": person},
            )
        elif action == "reactivate":
            actions.do_reactivate(person, acting_user=request.user, invite=True)
            messages.success(
                request,
                _("%(name)s is active again and invited to choose a new password.")
                % {"name": person},
            )
        else:
            return redirect("web:manage:person", person.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("web:manage:person", person.pk)

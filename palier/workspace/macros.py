"""Macros (canned replies): who sees which, their text in the customer's language, and the
few variables a text may name.

A macro's text is not a template: `{{ name }}` is replaced by one of VARIABLES and nothing
else is interpreted, so a macro can neither read other data nor run anything. Unknown names
are refused when the macro is saved (`check_text`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palier.accounts.models import User
from palier.lib.errors import DomainError
from palier.tickets.models import Ticket
from palier.workspace.models import AssigneeEffect, Macro, MacroScope

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.]+)\s*\}\}")


VARIABLES: dict[str, tuple[Any, Callable[[Ticket, User], str]]] = {
    "contact_first_name": (
        gettext_lazy("the contact's first name"),
        lambda t, a: (t.contact.first_name or str(t.contact)) if t.contact else "",
    ),
    "contact_name": (
        gettext_lazy("the contact's full name"),
        lambda t, a: str(t.contact) if t.contact else "",
    ),
    "customer": (gettext_lazy("the customer's name"), lambda t, a: t.customer.name),
    "reference": (gettext_lazy("the ticket's reference"), lambda t, a: t.reference),
    "subject": (gettext_lazy("the ticket's subject"), lambda t, a: t.subject),
    "agent_first_name": (
        gettext_lazy("your first name"),
        lambda t, a: a.first_name or str(a),
    ),
    "agent_name": (gettext_lazy("your full name"), lambda t, a: str(a)),
}


def check_text(text: str) -> None:
    """Refuse a text that names a variable outside VARIABLES."""
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in VARIABLES})
    if unknown:
        raise DomainError(
            _("Unknown variable %(names)s; a macro may use: %(allowed)s.")
            % {
                "names": ", ".join(f"{{{{ {n} }}}}" for n in unknown),
                "allowed": ", ".join(f"{{{{ {n} }}}}" for n in VARIABLES),
            },
            code="unknown_variable",
            details={"unknown": unknown, "allowed": list(VARIABLES)},
        )


def render_text(text: str, ticket: Ticket, agent: User) -> str:
    def value(match: re.Match) -> str:
        entry = VARIABLES.get(match.group(1))
        return entry[1](ticket, agent) if entry else match.group(0)

    return PLACEHOLDER.sub(value, text)


def text_for(macro: Macro, language: str) -> str:
    """The macro's text in `language`, else in English, else in any language it has."""
    texts = macro.texts or {}
    for code in (language, "en", *(code for code, _name in settings.LANGUAGES)):
        if (texts.get(code) or "").strip():
            return texts[code]
    return ""


def visible_macros(user: User) -> QuerySet[Macro]:
    """A staff member's own macros, their teams' and the whole desk's."""
    if not user.is_staff_member:
        return Macro.objects.none()
    return Macro.objects.filter(
        Q(scope=MacroScope.PERSONAL, owner=user)
        | Q(scope=MacroScope.TEAM, team__members=user)
        | Q(scope=MacroScope.DESK)
    ).distinct()


def access_macro_by_id(user: User, macro_id: int) -> Macro:
    macro = visible_macros(user).select_related("add_tag", "assignee", "team").filter(pk=macro_id)
    found = macro.first()
    if found is None:
        raise Http404("macro")
    return found


def can_edit(user: User, macro: Macro) -> bool:
    """Its owner; for a team's macro its lead too; managers for every shared macro."""
    if macro.owner_id == user.pk:
        return True
    if macro.scope == MacroScope.PERSONAL:
        return False
    if user.is_manager:
        return True
    return (
        macro.scope == MacroScope.TEAM
        and macro.team is not None
        and (macro.team.lead_id == user.pk)
    )


@dataclass(frozen=True)
class MacroDraft:
    """What a macro puts into the composer: the agent still reads it and sends it."""

    body: str
    internal: bool
    status: str
    assignee_id: int | None | str  # "" leaves the assignee as it is
    tag: str


def draft_for(macro: Macro, ticket: Ticket, agent: User) -> MacroDraft:
    assignee: int | None | str = ""
    if macro.set_assignee == AssigneeEffect.ME:
        assignee = agent.pk
    elif macro.set_assignee == AssigneeEffect.NOBODY:
        assignee = None
    elif macro.set_assignee == AssigneeEffect.USER and macro.assignee_id:
        assignee = macro.assignee_id
    return MacroDraft(
        body=render_text(text_for(macro, ticket.language), ticket, agent),
        internal=macro.internal,
        status=macro.set_status,
        assignee_id=assignee,
        tag=macro.add_tag.name if macro.add_tag_id else "",
    )

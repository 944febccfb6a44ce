"""What the desk will decide about a request, shown on the form before it is sent.

It runs the same policy, on the same facts, as palier.tickets.actions.do_open_ticket, so
the preview and the stored decision cannot differ.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from palier.customers.models import Customer, Customization, Module
from palier.lib.money import format_chf
from palier.policy import Decision, check_entitlement
from palier.tickets.explanations import explain, refusal_text
from palier.tickets.facts import contract_facts, decide_request


@dataclass(frozen=True)
class Preview:
    """A decision put in the customer's words; `tone` picks the panel's colour."""

    tone: str  # included | billable | refused | neutral
    headline: str
    detail: str = ""
    decision: Decision | None = None


def entitlement_refusal(customer: Customer, today: dt.date) -> str:
    """The refusal explanation (with its date) when the customer may not open requests,
    else an empty string. The portal then shows no form, so nothing was sent or kept."""
    _contract, cfacts = contract_facts(customer, today)
    refusal = check_entitlement(cfacts, today)
    if refusal is None:
        return ""
    return refusal_text(refusal.refusal, refusal.refusal_date, kept=False)


def preview_decision(
    customer: Customer,
    request_type: str | None,
    module: Module | None,
    customization: Customization | None,
    today: dt.date,
) -> Preview:
    if customization is not None and module is None:
        module = customization.module  # as do_open_ticket does
    _contract, cfacts = contract_facts(customer, today)
    if not request_type:
        refusal = check_entitlement(cfacts, today)
        if refusal is not None:
            return Preview(
                "refused",
                _("Request not accepted"),
                refusal_text(refusal.refusal, refusal.refusal_date, kept=False),
                refusal,
            )
        return Preview("neutral", _("Choose the type of your request to see who will handle it."))
    if customization is not None and module is not None and customization.module_id != module.pk:
        return Preview(
            "neutral",
            _("The customization you picked is in another module than the one you chose."),
        )
    decision = decide_request(customer, request_type, module, customization, today)
    if not decision.accepted:
        return Preview(
            "refused",
            _("Request not accepted"),
            refusal_text(decision.refusal, decision.refusal_date, kept=False),
            decision,
        )
    why = explain(decision, get_language() or "en", module=module).why_level
    if decision.billable:
        rate = format_chf(cfacts.hourly_rate) if cfacts and cfacts.hourly_rate else ""
        headline = _(
            "Handled by Consulting, billable at %(rate)s/h; you will be asked to accept an "
            "estimate before work starts."
        ) % {"rate": rate}
        return Preview("billable", headline, why, decision)
    return Preview(
        "included", _("Handled by Customer Services, included in your maintenance."), why, decision
    )

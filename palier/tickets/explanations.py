"""The customer-facing explanation of a decision (POLICY.md section 6), in four languages.

Everything is rendered from a stored `Decision` (its reason, refusal and facts), so the
explanation a customer reads later is the one that held when the decision was taken.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _

from palier.lib.money import format_chf
from palier.policy import BuiltBy, Reason, Refusal


@dataclass(frozen=True)
class Explanation:
    headline: str
    why_level: str
    why_billable: str
    why_ticket: str
    refusal: str = ""
    # Keys of the help-centre articles that say the same at length (knowledge/defaults.py).
    why_level_article: str = ""
    why_billable_article: str = ""
    why_ticket_article: str = "why-ticket"

    def as_dict(self) -> dict[str, str]:
        return {
            "headline": self.headline,
            "why_level": self.why_level,
            "why_billable": self.why_billable,
            "why_ticket": self.why_ticket,
            "refusal": self.refusal,
        }


def _date(value: Any) -> str:
    if not value:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return formats.date_format(day, "DATE_FORMAT")


def _type_label(code: str) -> str:
    return {
        "usage": _("usage question"),
        "malfunction": _("malfunction"),
        "feature": _("feature request"),
        "training": _("information or training request"),
    }.get(code, code)


def _builder(built_by: str) -> str:
    return {
        BuiltBy.VENDOR: _("our staff"),
        BuiltBy.CUSTOMER_AUTHORIZED: _("your team, with our written authorization"),
        BuiltBy.CUSTOMER_UNAUTHORIZED: _("your team, without our authorization"),
    }.get(built_by, built_by)


def _module_name(name: str, module: Any) -> str:
    """The module's name in the active language when `module` is the one the facts name (the
    facts keep its English name, as the policy decided on it)."""
    if module is not None and name and getattr(module, "name", None) == name:
        return module.name_in((translation.get_language() or "en")[:2])
    return name


def _customization_phrase(facts: dict[str, Any], module: Any = None) -> str:
    c = facts.get("customization") or {}
    if not c:
        return ""
    phrase = _("the customization “%(object)s” in %(module)s, built by %(builder)s") % {
        "object": c.get("object", ""),
        "module": _module_name(c.get("module", ""), module),
        "builder": _builder(c.get("built_by", "")),
    }
    if c.get("built_on"):
        phrase += " " + _("on %(date)s") % {"date": _date(c["built_on"])}
    if c.get("author"):
        phrase += " (" + c["author"] + ")"
    if c.get("authorization_reference"):
        phrase += ", " + _("authorization %(ref)s") % {"ref": c["authorization_reference"]}
    return phrase


def refusal_text(code: str, date: Any, *, kept: bool = True) -> str:
    """Why a request is refused, and how to renew. `kept=False` where nothing was sent (the
    portal shows this instead of its form), so the text promises nothing about a request."""
    renew = _("To renew or reactivate it, please contact your account manager.")
    texts = {
        Refusal.NO_CONTRACT: _(
            "We could not find a maintenance contract for your organization. Support is "
            "available to customers holding an active maintenance contract."
        ),
        Refusal.EXPIRED: _("Your maintenance contract ended on %(date)s."),
        Refusal.SUSPENDED: _("Your maintenance contract is currently suspended."),
        Refusal.TERMINATED: _("Your maintenance contract was terminated on %(date)s."),
        Refusal.NOT_STARTED: _("Your maintenance contract starts on %(date)s."),
    }
    if code == Refusal.TERMINATED and not date:
        texts[code] = _("Your maintenance contract was terminated.")
    text = texts.get(code, code) % {"date": _date(date)}
    if kept:
        access = _(
            "Consulting and Customer Services are available to every customer with an active "
            "maintenance contract; your request has been kept and will be handled once the "
            "contract is active, or if our team accepts it."
        )
    else:
        access = _(
            "Consulting and Customer Services are available to every customer with an active "
            "maintenance contract; you can open requests here again once your contract is "
            "active."
        )
    return f"{text} {access} {renew}"


def _why_level(reason: str, facts: dict[str, Any], rnd: bool, module_row: Any = None) -> str:
    custom = _customization_phrase(facts, module_row)
    type_label = _type_label(facts.get("type", ""))
    module = _module_name(facts.get("module") or "", module_row) or _("the software")
    texts = {
        Reason.STANDARD_USAGE: _(
            "Your request is a question on the normal use of the standard software (%(module)s). "
            "Customer Services (level 1) answers it as part of your maintenance."
        ),
        Reason.USAGE_OF_VENDOR_CUSTOMIZATION: _(
            "Your request is about using %(custom)s. Help with using customizations our staff "
            "built is part of Customer Services (level 1)."
        ),
        Reason.CUSTOMER_BUILT_CUSTOMIZATION: _(
            "Your request concerns %(custom)s. Customer Services covers the standard software "
            "and customizations built by our staff only, so Consulting (level 2) handles it."
        ),
        Reason.STANDARD_MALFUNCTION: _(
            "Your request reports a malfunction of the standard software (%(module)s). Customer "
            "Services (level 1) handles it as part of your maintenance."
        ),
        Reason.CUSTOMIZATION_ERROR: _(
            "The problem lies in %(custom)s. Errors in modified or extended software are "
            "outside the maintenance contract and are handled by Consulting (level 2)."
        ),
        Reason.UNAUTHORIZED_MODIFICATION: _(
            "The problem concerns %(custom)s. Software modified without our prior written "
            "authorization is outside the maintenance contract; Consulting (level 2) handles it."
        ),
        Reason.FEATURE_REQUEST: _(
            "Your request asks for a new capability in %(module)s (%(type)s). New features are "
            "outside the maintenance contract and are handled by Consulting (level 2)."
        ),
        Reason.INFORMATION_OR_TRAINING: _(
            "Your request asks for information or training on %(module)s. Training is outside "
            "the maintenance contract and is given by Consulting (level 2)."
        ),
        Reason.CUSTOMER_MANIPULATION: _(
            "Our diagnosis found that the malfunction follows a manipulation made on your side. "
            "Correcting it is outside the maintenance contract and is handled by Consulting "
            "(level 2)."
        ),
        Reason.PRODUCT_DEFECT: _(
            "Our diagnosis found a defect in the standard product. It has been handed to our "
            "R&D, which can lengthen the time to resolution; in some cases it is only solved by "
            "a new patch, and you will be told when it is available."
        ),
    }
    text = texts.get(reason, reason) % {"custom": custom, "module": module, "type": type_label}
    if rnd and reason != Reason.PRODUCT_DEFECT:
        text += " " + _("It is being worked on by our R&D.")
    return text


def _why_billable(billable: bool, facts: dict[str, Any]) -> str:
    contract = facts.get("contract") or {}
    if not billable:
        return _(
            "Included in your maintenance contract %(contract)s (valid until %(end)s): this "
            "request is not billed."
        ) % {"contract": contract.get("reference", ""), "end": _date(contract.get("end"))}
    rate = contract.get("hourly_rate")
    rate_text = format_chf(rate) if rate else ""
    return _(
        "Work outside the maintenance contract is billed at %(rate)s per hour. Before any "
        "billable work starts, you will see an estimate and can accept or decline it; if you "
        "decline, nothing is billed."
    ) % {"rate": rate_text}


def why_ticket() -> str:
    return _(
        "Every request goes through a ticket, whatever the channel: it keeps a trace of what "
        "was asked and done, brings it to the right person at the right level, lets us hold "
        "our service-level targets, and gives later requests a record to build on."
    )


def explain(decision: Any, language: str, *, module: Any = None) -> Explanation:
    """Render a stored decision (a `Decision` model or the policy's dataclass). `module`, the
    request's `Module` when the caller has it at hand, names it in `language`."""
    with translation.override(language):
        facts = decision.facts or {}
        if getattr(decision, "kind", "") == "imported":
            return Explanation(
                headline=_("Imported from an earlier support tool"),
                why_level=_(
                    "This request was handled before the desk moved to Palier (%(source)s "
                    "%(key)s). Its level and billing were decided then; they are not decided "
                    "again."
                )
                % {"source": facts.get("source_name", ""), "key": facts.get("key", "")},
                why_billable="",
                why_level_article="support-policy",
                why_ticket=why_ticket(),
            )
        if not decision.accepted:
            text = refusal_text(decision.refusal, decision.refusal_date)
            return Explanation(
                headline=_("Request not accepted"),
                why_level="",
                why_billable="",
                why_ticket=why_ticket(),
                refusal=text,
            )
        if decision.rnd:
            headline = _("With our R&D, included in your maintenance")
        elif decision.level == 2:
            headline = _("Handled by Consulting (level 2), billable")
        else:
            headline = _("Handled by Customer Services (level 1), included in your maintenance")
        return Explanation(
            headline=headline,
            why_level=_why_level(decision.reason, facts, decision.rnd, module),
            why_billable=_why_billable(decision.billable, facts),
            why_ticket=why_ticket(),
            why_level_article="why-level-2" if decision.level == 2 else "support-policy",
            why_billable_article="why-billable" if decision.billable else "support-policy",
        )

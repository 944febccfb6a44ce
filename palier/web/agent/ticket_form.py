"""The one form of the ticket page: the properties panel and the composer, sent together.

The panel's fields sit outside the composer's <form> element and join it through the
`form` attribute, so one press of "Send" (or "Save") carries both.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from palier.accounts.models import User
from palier.billing.models import Activity as TimeActivity
from palier.customers.models import Customization, Module
from palier.policy import Finding, RequestType
from palier.tickets import labels
from palier.tickets.models import Criticality, Ticket
from palier.tickets.states import STAFF, Status, allowed_targets
from palier.web.agent.forms import staff_users, use_fast_selects
from palier.web.fields import IdChoiceField
from palier.workspace.actions import COMPOSE_KINDS

FORM_ID = "ticket-form"
KIND_LABELS = {
    "reply": _("Public reply"),
    "note": _("Internal note"),
    "phone_call": _("Phone call"),
    "remote_session": _("Remote session"),
}


KIND_ERROR = _(
    "Choose what to write: a public reply, an internal note, a phone call or a remote session."
)
ACTIVITY_ERROR = _("Choose the activity of the time spent from its list.")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked again by the attachments action."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def finding_choices(ticket: Ticket) -> list[tuple[str, str]]:
    """The findings of table D that apply to the ticket as it stands, after an empty choice.
    D4 goes through the R&D panel, which links the ticket to a defect."""
    choices: list[tuple[str, Any]] = [("", _("No finding yet"))]
    for finding in Finding:
        if finding == Finding.PRODUCT_DEFECT:
            continue
        if finding == Finding.CUSTOMER_MANIPULATION and ticket.type != RequestType.MALFUNCTION:
            continue
        if finding == Finding.BACK_TO_LEVEL_1 and ticket.level != 2:
            continue
        entry = labels.finding(finding.value)
        choices.append((finding.value, f"{entry.label} — {entry.explanation}"))
    return choices


def status_choices(ticket: Ticket) -> list[tuple[str, Any]]:
    current = labels.status(ticket.status)
    choices: list[tuple[str, Any]] = [("", _("%(status)s (unchanged)") % {"status": current})]
    choices += [(code, str(labels.status(code))) for code in allowed_targets(ticket.status, STAFF)]
    return choices


class TicketForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    last_message_id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    confirm_newer = forms.BooleanField(
        required=False, label=_("I have read the customer's newer message; send anyway")
    )
    # The composer.
    kind = forms.ChoiceField(
        label=_("What to write"),
        choices=list(KIND_LABELS.items()),
        initial="reply",
        widget=forms.RadioSelect,
        error_messages={"required": KIND_ERROR, "invalid_choice": KIND_ERROR},
    )
    body = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 4, "data-shortcut": "reply"}),
    )
    files = MultipleFileField(label=_("Attach files"), required=False)
    minutes = forms.IntegerField(
        label=_("Time spent (min)"), required=False, min_value=1, max_value=24 * 60
    )
    time_activity = forms.ChoiceField(
        label=_("Activity"),
        choices=TimeActivity.choices,
        initial=TimeActivity.SUPPORT,
        error_messages={"required": ACTIVITY_ERROR, "invalid_choice": ACTIVITY_ERROR},
    )
    tag = forms.CharField(label=_("Add a tag"), required=False, max_length=40)
    # The properties panel.
    type = forms.ChoiceField(label=_("Type"), required=False)
    module = IdChoiceField(
        Module.objects.all(), required=False, label=_("Module"), empty_label=_("Not known")
    )
    customization = IdChoiceField(
        Customization.objects.none(),
        required=False,
        label=_("Customization"),
        empty_label=_("None (standard software)"),
    )
    criticality = forms.ChoiceField(label=_("Criticality"), choices=Criticality.choices)
    finding = forms.ChoiceField(label=_("Diagnosis"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    assignee = IdChoiceField(
        User.objects.none(), required=False, label=_("Assignee"), empty_label=_("Nobody")
    )
    reason = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(
            attrs={
                "rows": 2,
                "placeholder": _("Kept in the history; the customer reads it for criticality"),
            }
        ),
    )
    # "Send and set pending": the button's status wins over the select's.
    then = forms.ChoiceField(
        required=False,
        choices=[("", ""), *Status.choices],
        error_messages={"invalid_choice": _("The status to set after sending is not known.")},
    )

    # Fields the page shows without an error line of its own (radio buttons, a menu beside
    # the send button, the button's value): form_errors.html says their errors at the top.
    ERRORS_ON_TOP = ("kind", "time_activity", "then")
    PANEL = (
        "type",
        "module",
        "customization",
        "criticality",
        "finding",
        "status",
        "assignee",
        "reason",
    )

    def __init__(self, *args: Any, ticket: Ticket, staff: list[User] | None = None, **kwargs):
        initial = {
            "expected_version": ticket.version,
            "type": ticket.type or "",
            "module": ticket.module_id,
            "customization": ticket.customization_id,
            "criticality": ticket.criticality,
            "assignee": ticket.assignee_id,
            **kwargs.pop("initial", {}),
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.ticket = ticket
        self.errors_on_top: tuple[str, ...] = self.ERRORS_ON_TOP
        types = [(code, str(labels.request_type(code))) for code in RequestType]
        self.fields["type"].choices = ([] if ticket.type else [("", _("To qualify"))]) + types
        if self.is_bound:
            # What a sent value is checked against; a form only shown lists its choices
            # (set below and by the page), and composing these cost the page ~0.2 ms.
            self.fields["customization"].queryset = Customization.objects.filter(
                customer_id=ticket.customer_id
            ).select_related("module")
            self.fields["assignee"].queryset = staff_users()
        self.fields["finding"].choices = finding_choices(ticket)
        self.fields["status"].choices = status_choices(ticket)
        people = staff if staff is not None else list(staff_users())
        self.fields["assignee"].choices = [("", _("Nobody")), *((u.pk, str(u)) for u in people)]
        self.fields["criticality"].choices = [
            (code, str(labels.criticality(code))) for code in Criticality.values
        ]
        use_fast_selects(self)
        for name in self.PANEL:
            self.fields[name].widget.attrs["form"] = FORM_ID
        for name in ("type", "module", "customization", "finding"):
            self.fields[name].widget.attrs["data-decides"] = "1"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        custom, module = data.get("customization"), data.get("module")
        if custom is not None:
            if module is None:
                data["module"] = custom.module
            elif module.pk != custom.module_id:
                self.add_error(
                    "customization", _("This customization is in another module than the request.")
                )
        if data.get("then"):
            data["status"] = data["then"]
        if data.get("kind") not in COMPOSE_KINDS:
            data["kind"] = "reply"
        return data

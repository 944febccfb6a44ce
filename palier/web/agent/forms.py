"""Forms of the agent workspace: they parse input; actions decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from palier.accounts.models import STAFF_ROLES, Role, User
from palier.customers.models import Customer, Customization, Module
from palier.engineering.models import Severity
from palier.policy import Finding, RequestType
from palier.tickets.models import Activity, Criticality
from palier.tickets.states import Status

TYPE_LABELS = {
    RequestType.USAGE: _("Usage question"),
    RequestType.MALFUNCTION: _("Malfunction"),
    RequestType.FEATURE: _("Feature request"),
    RequestType.TRAINING: _("Information or training"),
}
TYPE_CHOICES = [(code.value, label) for code, label in TYPE_LABELS.items()]

FINDING_LABELS = {
    Finding.CUSTOMER_MANIPULATION: _("D1 · Follows a manipulation by the customer (level 2)"),
    Finding.CUSTOMIZATION_ERROR: _("D2 · In a customization after all (level 2)"),
    Finding.FEATURE_REQUEST: _("D3 · Really a feature request (level 2)"),
    Finding.INFORMATION_OR_TRAINING: _("D3 · Really information or training (level 2)"),
    Finding.PRODUCT_DEFECT: _("D4 · Defect of the standard product (to R&D)"),
    Finding.BACK_TO_LEVEL_1: _("D5 · Standard usage or defect after all (back to level 1)"),
}

SORT_LABELS = {
    "-created": _("Newest first"),
    "created": _("Oldest first"),
    "-updated": _("Recently updated"),
    "updated": _("Least recently updated"),
    "criticality": _("Most critical first"),
    "customer": _("Customer"),
    "module": _("Module"),
    "type": _("Type"),
    "status": _("Status"),
}
AGE_CHOICES = [
    ("", _("Any age")),
    ("1", _("Older than 1 day")),
    ("7", _("Older than 7 days")),
    ("30", _("Older than 30 days")),
    ("90", _("Older than 90 days")),
]


def staff_users():
    return User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by(
        "first_name", "last_name", "username"
    )


class QueueFilterForm(forms.Form):
    """The queue page's GET parameters; bad values fall back to the default, never a 500."""

    queue = forms.CharField(required=False)
    q = forms.CharField(required=False, max_length=200, label=_("Search"))
    customer = forms.ModelChoiceField(
        Customer.objects.only("id", "name"),
        required=False,
        label=_("Customer"),
        empty_label=_("All customers"),
    )
    module = forms.ModelChoiceField(
        Module.objects.only("id", "name"),
        required=False,
        label=_("Module"),
        empty_label=_("All modules"),
    )
    type = forms.ChoiceField(
        choices=[("", _("All types")), *TYPE_CHOICES], required=False, label=_("Type")
    )
    criticality = forms.ChoiceField(
        choices=[("", _("All criticalities")), *Criticality.choices],
        required=False,
        label=_("Criticality"),
    )
    status = forms.ChoiceField(
        choices=[("", _("All statuses")), *Status.choices], required=False, label=_("Status")
    )
    age = forms.ChoiceField(choices=AGE_CHOICES, required=False, label=_("Age"))
    sort = forms.ChoiceField(choices=list(SORT_LABELS.items()), required=False, label=_("Sort"))
    cursor = forms.CharField(required=False, max_length=400, widget=forms.HiddenInput)


class VersionedForm(forms.Form):
    """Every ticket form carries the version it was shown at (optimistic concurrency)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReplyForm(VersionedForm):
    body = forms.CharField(
        label=_("Public reply"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 5, "data-shortcut": "reply"}),
    )
    last_message_id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    confirm_newer = forms.BooleanField(
        required=False,
        label=_("I have read the customer's newer message; send anyway"),
    )


class NoteForm(VersionedForm):
    body = forms.CharField(
        label=_("Internal note"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 3, "data-shortcut": "note"}),
    )


class ActivityForm(VersionedForm):
    activity = forms.ChoiceField(
        label=_("Activity"),
        choices=[
            (Activity.PHONE_CALL.value, _("Phone call")),
            (Activity.REMOTE_SESSION.value, _("Remote session")),
        ],
    )
    body = forms.CharField(
        label=_("What was said or done"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssignForm(VersionedForm):
    assignee = forms.ModelChoiceField(
        staff_users(),
        required=False,
        label=_("Assignee"),
        empty_label=_("Nobody"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_users()


class ChangeRequestForm(VersionedForm):
    type = forms.ChoiceField(choices=TYPE_CHOICES, label=_("Type"))
    module = forms.ModelChoiceField(
        Module.objects.all(),
        required=False,
        label=_("Module"),
        empty_label=_("Not known"),
    )
    customization = forms.ModelChoiceField(
        Customization.objects.none(),
        required=False,
        label=_("Customization"),
        empty_label=_("None (standard software)"),
    )
    reason = forms.CharField(label=_("Why"), max_length=2000, required=False)

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customization"].queryset = Customization.objects.filter(
            customer=customer
        ).select_related("module")

    def clean(self):
        data = super().clean()
        custom, module = data.get("customization"), data.get("module")
        if custom is not None:
            if module is None:
                data["module"] = custom.module
            elif module.pk != custom.module_id:
                self.add_error(
                    "customization", _("This customization is in another module than the request.")
                )
        return data


class CriticalityForm(VersionedForm):
    criticality = forms.ChoiceField(choices=Criticality.choices, label=_("Criticality"))
    reason = forms.CharField(
        label=_("Why (the customer is told)"),
        max_length=2000,
    )


class DiagnoseForm(VersionedForm):
    finding = forms.ChoiceField(
        label=_("Finding"), choices=[(code.value, label) for code, label in FINDING_LABELS.items()]
    )
    note = forms.CharField(
        label=_("Reason"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded with the decision and shown in the history."),
    )

    def __init__(self, *args, choices: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if choices is not None:
            self.fields["finding"].choices = [
                (code.value, label) for code, label in FINDING_LABELS.items() if code in choices
            ]


class TransitionForm(VersionedForm):
    target = forms.ChoiceField(label=_("Move to"), choices=Status.choices)
    reason = forms.CharField(label=_("Why"), max_length=2000, required=False)

    def __init__(self, *args, targets: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [(t, Status(t).label) for t in targets]


class AcceptRefusedForm(VersionedForm):
    reason = forms.CharField(
        label=_("Why accept it anyway"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NewTicketForm(forms.Form):
    """A request taken on the phone, on behalf of a customer's contact."""

    customer = forms.ModelChoiceField(Customer.objects.all(), label=_("Customer"))
    contact = forms.ModelChoiceField(
        User.objects.none(),
        required=False,
        label=_("Contact"),
        empty_label=_("Not a registered contact"),
    )
    type = forms.ChoiceField(
        choices=[("", _("To qualify later")), *TYPE_CHOICES], required=False, label=_("Type")
    )
    module = forms.ModelChoiceField(
        Module.objects.all(), required=False, label=_("Module"), empty_label=_("Not known")
    )
    customization = forms.ModelChoiceField(
        Customization.objects.none(),
        required=False,
        label=_("Customization"),
        empty_label=_("None (standard software)"),
    )
    criticality = forms.ChoiceField(
        choices=Criticality.choices, initial=Criticality.MEDIUM, label=_("Criticality")
    )
    subject = forms.CharField(max_length=200, label=_("Subject"))
    description = forms.CharField(
        required=False,
        max_length=50_000,
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, customer: Customer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Contacts and customizations of the picked customer only; the action checks again.
        if customer is not None:
            self.fields["contact"].queryset = User.objects.filter(
                customer=customer, role=Role.CONTACT, is_active=True
            ).order_by("first_name", "username")
            self.fields["customization"].queryset = Customization.objects.filter(
                customer=customer
            ).select_related("module")

    def clean(self):
        data = super().clean()
        custom, module = data.get("customization"), data.get("module")
        if custom is not None and module is not None and module.pk != custom.module_id:
            self.add_error(
                "customization", _("This customization is in another module than the request.")
            )
        return data


class SaveViewForm(forms.Form):
    name = forms.CharField(max_length=80, label=_("Name of the view"))
    shared = forms.BooleanField(required=False, label=_("Share with the team"))
    query = forms.CharField(max_length=1000, required=False, widget=forms.HiddenInput)


class EscalateForm(VersionedForm):
    """Finding D4: link a known defect (`defect`) or describe a new one (`title`, `severity`)."""

    defect = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    title = forms.CharField(
        label=_("New defect title"),
        max_length=200,
        required=False,
        # The title goes into the release notes that every affected customer reads.
        help_text=_("Shown in the release notes to every affected customer: no customer names."),
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM, required=False
    )
    note = forms.CharField(
        label=_("Reason"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded with the diagnosis and shown in the history."),
    )

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("defect") and not (data.get("title") or "").strip():
            self.add_error("title", _("Give the new defect a title, or link a known defect."))
        return data

"""Forms of the agent workspace: they parse input; actions decide and write."""

from __future__ import annotations

import re
from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from palier.accounts.models import STAFF_ROLES, Role, User
from palier.customers.models import Customer, Customization, Module
from palier.engineering.models import Severity
from palier.policy import RequestType
from palier.tickets import labels
from palier.tickets.models import Criticality
from palier.tickets.states import Status
from palier.web.fields import IdChoiceField, LineField
from palier.web.left_out import refuse_repeated
from palier.workspace.menus import Menus, current_menus, selected

TYPE_CHOICES = [(code.value, labels.request_type(code.value).label) for code in RequestType]

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


class FastSelect(forms.Select):
    """A <select> rendered in Python: a list of hundreds of customers cost ~5 ms through
    Django's per-option widget templates, on every queue page."""

    # Set on a menu whose choices are the same on every page (codes and their labels): its
    # options' markup is then written once per language and process (_static_options).
    static_key = ""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = "" if value is None else str(value)
        if self.static_key:
            language = get_language() or "en"
            key = (self.static_key, language)
            if key not in _static_options:
                _static_options[key] = self._options(None)
            options = selected(_static_options[key], chosen)
        else:
            options = self._options(chosen)
        return mark_safe(  # noqa: S308 - every value is escaped
            f'<select name="{escape(name, quote=True)}"{flatatt(attrs)}>{options}</select>'
        )

    def _options(self, chosen: str | None) -> str:
        options = []
        for key, label in self.choices:
            if type(key) is int:  # an id: digits, nothing to escape
                raw = shown = str(key)
            else:
                raw = "" if key is None else str(getattr(key, "value", key))
                shown = _escaped(raw)
            selected = " selected" if raw == chosen else ""
            options.append(f'<option value="{shown}"{selected}>{_escaped(str(label))}</option>')
        return "".join(options)


# (FastSelect.static_key, language) -> the menu's options, none selected.
_static_options: dict[tuple[str, str], str] = {}


class MenuSelect(FastSelect):
    """A filter's menu of customers or modules: its options' markup is kept per menu stamp
    and language (workspace.menus), so a page prints it without reading a row or writing an
    option. The field still checks a value sent against its queryset."""

    menu = ""  # "customer" or "module"
    empty_label: str = ""
    menus: Menus | None = None

    def render(self, name, value, attrs=None, renderer=None):
        menus = self.menus or current_menus()
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = "" if value is None else str(value)
        empty = (
            f'<option value=""{" selected" if chosen == "" else ""}>'
            f"{_escaped(str(self.empty_label))}</option>"
        )
        options = selected(menus.options(self.menu, get_language() or "en"), chosen)
        return mark_safe(  # noqa: S308 - the options are escaped (Menus.options), the rest here
            f'<select name="{escape(name, quote=True)}"{flatatt(attrs)}>{empty}{options}</select>'
        )


_NEEDS_ESCAPING = re.compile("[&<>\"']").search


def _escaped(text: str) -> str:
    """html.escape(text), looked for first: most menus' names have nothing to escape."""
    return escape(text, quote=True) if _NEEDS_ESCAPING(text) else text


def use_fast_selects(form: forms.Form) -> None:
    """Render every plain <select> of `form` in Python (see FastSelect)."""
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            fast = FastSelect(attrs=field.widget.attrs)
            fast.choices = field.choices
            fast.is_required = field.widget.is_required
            field.widget = fast


def staff_users():
    return User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by(
        "first_name", "last_name", "username"
    )


class FixedChoiceField(forms.ChoiceField):
    """A ChoiceField whose choices are the same for every form (codes and lazy labels): a
    form's copy of its fields shares them instead of copying each label (Django deep-copies
    every field of a form on every request)."""

    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = self._choices
        return result


class QueueFilterForm(forms.Form):
    """The queue page's GET parameters; bad values fall back to the default, never a 500."""

    queue = forms.CharField(required=False)
    q = forms.CharField(required=False, max_length=200, label=_("Search"))
    customer = IdChoiceField(
        Customer.objects.only("id", "name"),
        required=False,
        label=_("Customer"),
        empty_label=_("All customers"),
        widget=FastSelect,
    )
    module = IdChoiceField(
        Module.objects.only("id", "name"),
        required=False,
        label=_("Module"),
        empty_label=_("All modules"),
        widget=FastSelect,
    )
    type = FixedChoiceField(
        choices=[("", _("All types")), *TYPE_CHOICES],
        required=False,
        label=_("Type"),
        widget=FastSelect,
    )
    criticality = FixedChoiceField(
        choices=[("", _("All criticalities")), *Criticality.choices],
        required=False,
        label=_("Criticality"),
        widget=FastSelect,
    )
    status = FixedChoiceField(
        choices=[("", _("All statuses")), *Status.choices],
        required=False,
        label=_("Status"),
        widget=FastSelect,
    )
    age = FixedChoiceField(choices=AGE_CHOICES, required=False, label=_("Age"), widget=FastSelect)
    sort = FixedChoiceField(
        choices=list(SORT_LABELS.items()), required=False, label=_("Sort"), widget=FastSelect
    )
    cursor = forms.CharField(required=False, max_length=400, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("customer", "module"):
            widget = MenuSelect(attrs=self.fields[name].widget.attrs)
            widget.menu, widget.empty_label = name, self.fields[name].empty_label
            self.fields[name].widget = widget
        for name in ("type", "criticality", "status", "age", "sort"):
            self.fields[name].widget.static_key = f"queue-filter-{name}"

    def clean(self) -> dict:
        data = super().clean()
        refuse_repeated(self, ("q",))  # ?q=a&q=b: left out and said, neither one searched
        return data

    def use_menus(self, menus: Menus) -> None:
        """Print the customer and module menus from `menus` (the page read them with its
        counts); without, they are read when printed."""
        for name in ("customer", "module"):
            self.fields[name].widget.menus = menus

    def filter_fields(self) -> SafeString:
        """The filters bar's menus, as web/agent/queue.html's loop over the form printed
        them (every field but the search box and the hidden ones)."""
        out = []
        for name in ("customer", "module", "type", "criticality", "status", "age", "sort"):
            field = self[name]
            label_for = escape(field.id_for_label, quote=True)
            label = conditional_escape(field.label)
            out.append(
                f'\n      <div class="form-field"><label for="{label_for}">{label}</label>'
                f"{field.as_widget()}</div>\n      "
            )
        return mark_safe("".join(out))  # noqa: S308 - every value is escaped


class VersionedForm(forms.Form):
    """Every ticket form carries the version it was shown at (optimistic concurrency)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AcceptRefusedForm(VersionedForm):
    reason = forms.CharField(
        label=_("Why accept it anyway"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NewTicketForm(forms.Form):
    """A request taken on the phone, on behalf of a customer's contact."""

    customer = IdChoiceField(Customer.objects.all(), label=_("Customer"))
    contact = IdChoiceField(
        User.objects.none(),
        required=False,
        label=_("Contact"),
        empty_label=_("Not a registered contact"),
    )
    type = forms.ChoiceField(
        choices=[("", _("To qualify later")), *TYPE_CHOICES], required=False, label=_("Type")
    )
    module = IdChoiceField(
        Module.objects.all(), required=False, label=_("Module"), empty_label=_("Not known")
    )
    customization = IdChoiceField(
        Customization.objects.none(),
        required=False,
        label=_("Customization"),
        empty_label=_("None (standard software)"),
    )
    criticality = forms.ChoiceField(
        choices=Criticality.choices, initial=Criticality.MEDIUM, label=_("Criticality")
    )
    subject = LineField(max_length=200, label=_("Subject"))
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
    query = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.HiddenInput,
        error_messages={"max_length": _("This filter is too long to save as a view.")},
    )

    def problems(self) -> list[str]:
        """What keeps the view from being saved, in words (the page shows no form)."""
        if not self.data.get("name", "").strip():
            return [str(_("Give the view a name."))]
        return [
            str(error)
            if field.name == "query"
            else str(_("%(label)s: %(error)s") % {"label": field.label, "error": error})
            for field in self
            for error in field.errors
        ]


class EscalateForm(VersionedForm):
    """Finding D4: link a known defect (`defect`) or describe a new one (`title`, `severity`)."""

    defect = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    title = LineField(
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


BULK_ACTIONS = [
    ("assign", _("Assign")),
    ("status", _("Set status")),
    ("criticality", _("Set criticality")),
    ("close", _("Close")),
    ("merge", _("Merge into one")),
]


class BulkForm(forms.Form):
    """The queue's bulk bar: which tickets, what to do, and the values it needs."""

    ticket = forms.Field(required=False, widget=forms.MultipleHiddenInput, label=_("Tickets"))
    action = forms.ChoiceField(choices=BULK_ACTIONS, label=_("Action"))
    assignee = forms.ChoiceField(required=False, label=_("Assign to"))
    status = forms.ChoiceField(
        required=False, label=_("Status"), choices=[("", "—"), *Status.choices]
    )
    criticality = forms.ChoiceField(
        required=False, label=_("Criticality"), choices=[("", "—"), *Criticality.choices]
    )
    reason = forms.CharField(required=False, max_length=2000, label=_("Why"))
    merge_into = forms.CharField(required=False, max_length=40, label=_("Merge into"))

    def __init__(self, *args, staff: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {str(u.pk): u for u in staff}
        self.fields["assignee"].choices = [
            ("me", _("Me")),
            ("", _("Nobody")),
            *((str(u.pk), str(u)) for u in staff),
        ]

    def clean_ticket(self) -> list[int]:
        ids = [i for i in (self.cleaned_data.get("ticket") or []) if str(i).isdigit()]
        if not ids:
            raise forms.ValidationError(_("Select at least one ticket."))
        return [int(i) for i in ids]

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "assign":
            data["assignee_user"] = self.staff.get(data.get("assignee") or "")
        if action == "status" and not data.get("status"):
            self.add_error("status", _("Choose the status."))
        if action == "criticality" and not data.get("criticality"):
            self.add_error("criticality", _("Choose the criticality."))
        return data

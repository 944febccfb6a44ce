"""Forms of the customer portal. They parse and check input; actions do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from palier.catalogue.queries import sorted_versions
from palier.customers.models import Customer, Customization, Module, ProductVersion, Visibility
from palier.lib.errors import DomainError
from palier.policy import RequestType
from palier.tickets.attachments import ALLOWED_TYPES, check_attachment, clean_filename
from palier.tickets.models import CRITICALITY_DEFINITIONS, Criticality
from palier.tickets.states import CUSTOMER_STATUS_LABELS, Status
from palier.web.fields import IdChoiceField, LineField
from palier.web.left_out import refuse_repeated

MAX_FILES = 10

# One line per type, and whether it is included in maintenance (POLICY.md rule L).
TYPE_HELP: dict[str, tuple[Any, Any, str]] = {
    RequestType.USAGE: (
        _("A question on using the software"),
        _("How to do something, or why the software behaves as it does."),
        "included",
    ),
    RequestType.MALFUNCTION: (
        _("Something does not work"),
        _("An error message or a wrong result."),
        "included",
    ),
    RequestType.FEATURE: (
        _("A new feature or a change"),
        _("Something the software should do that it does not do today."),
        "billable",
    ),
    RequestType.TRAINING: (
        _("Information or training"),
        _("A session or documentation for your team."),
        "billable",
    ),
}
COVERAGE_LABELS = {
    "included": _("Included in your maintenance, unless it concerns a customization"),
    "billable": _("Billable: handled by Consulting"),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files; each is checked by the same rule as the attach action."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("At most %(n)d files per message.") % {"n": MAX_FILES}, code="too_many_files"
            )
        errors = []
        for upload in files:
            try:
                check_attachment(clean_filename(upload.name), upload.size)
            except DomainError as exc:
                errors.append(forms.ValidationError(exc.message, code=exc.code))
        if errors:
            raise forms.ValidationError(errors)
        return files


def attachments_help() -> str:
    limit = settings.PALIER_MAX_ATTACHMENT_BYTES / (1024 * 1024)
    return _("Up to %(n)d files, %(mb).0f MB each. Accepted: %(types)s.") % {
        "n": MAX_FILES,
        "mb": limit,
        "types": ", ".join(sorted(ext.lstrip(".") for ext in ALLOWED_TYPES)),
    }


# Who sees a request, exactly: a customer admin sees every request of the organization.
VISIBILITY_WORDS = {
    Visibility.PRIVATE: _("Private: you and your organization's administrators"),
    Visibility.SHARED: _("Shared: every colleague of your organization"),
}


class NewRequestForm(forms.Form):
    type = forms.ChoiceField(
        label=_("What do you need?"),
        choices=[(t.value, TYPE_HELP[t][0]) for t in RequestType],
        widget=forms.RadioSelect,
    )
    module = IdChoiceField(
        label=_("Module"),
        queryset=Module.objects.none(),
        required=False,
        empty_label=_("I don't know / several"),
    )
    customization = IdChoiceField(
        label=_("This concerns one of our customizations"),
        queryset=Customization.objects.none(),
        required=False,
        empty_label=_("No, the standard software"),
        help_text=_("Pick it if your request is about a change made for your organization."),
    )
    product_version = IdChoiceField(
        label=_("Version you use"),
        queryset=ProductVersion.objects.none(),
        required=False,
        empty_label=_("I don't know"),
    )
    criticality = forms.ChoiceField(
        label=_("How critical is it?"),
        choices=Criticality.choices,
        initial=Criticality.MEDIUM,
        widget=forms.RadioSelect,
    )
    subject = LineField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=50_000,
        help_text=_("What you did, what you expected, what happened; error messages in full."),
    )
    attachments = AttachmentsField(label=_("Attachments"))
    visibility = forms.ChoiceField(
        label=_("Who may follow this request?"),
        choices=[(value, VISIBILITY_WORDS[value]) for value in Visibility.values],
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args: Any,
        customer: Customer,
        installed_version: ProductVersion | None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["module"].queryset = Module.objects.select_related("product").order_by("name")
        # Each module under its name in the reader's language (English where none is given).
        language = get_language() or "en"
        self.fields["module"].label_from_instance = lambda m: m.name_in(language[:2])
        self.fields["customization"].queryset = Customization.objects.filter(
            customer=customer
        ).select_related("module")
        versions = ProductVersion.objects.select_related("product")
        self.fields["product_version"].queryset = versions
        self.fields["product_version"].choices = [("", _("I don't know"))] + [
            (v.pk, str(v)) for v in sorted_versions(versions)
        ]
        self.fields["visibility"].initial = customer.default_visibility
        self.fields["attachments"].help_text = attachments_help()
        if installed_version is not None:
            self.fields["product_version"].initial = installed_version.pk

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        module, custom = data.get("module"), data.get("customization")
        version = data.get("product_version")
        if custom is not None and module is not None and custom.module_id != module.pk:
            self.add_error(
                "customization",
                _(
                    "This customization is in %(module)s; choose that module or another "
                    "customization."
                )
                % {"module": str(custom.module)},
            )
        module = module or (custom.module if custom else None)
        if version is not None and module is not None and version.product_id != module.product_id:
            self.add_error("product_version", _("This version is of another product."))
        return data

    def type_options(self) -> list[dict[str, Any]]:
        """The type radios with their one-line explanation and coverage, for the template."""
        options = []
        for radio in self["type"]:
            title, text, coverage = TYPE_HELP[radio.data["value"]]
            options.append(
                {
                    "radio": radio,
                    "title": title,
                    "text": text,
                    "coverage": coverage,
                    "coverage_label": COVERAGE_LABELS[coverage],
                }
            )
        return options

    def criticality_options(self) -> list[dict[str, Any]]:
        return [
            {"radio": radio, "definition": CRITICALITY_DEFINITIONS[radio.data["value"]]}
            for radio in self["criticality"]
        ]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}), max_length=50_000
    )
    attachments = AttachmentsField(label=_("Attachments"))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()


SORT_CHOICES = [
    ("-created", _("Newest first")),
    ("created", _("Oldest first")),
    ("-updated", _("Recently updated")),
    ("updated", _("Least recently updated")),
]


class RequestFilterForm(forms.Form):
    """The requests list's filters. A value it does not know leaves out that filter alone,
    and the page says which (never a 500)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Text or PAL-2026-000123")}
        ),
    )
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All")),
            ("mine", _("Opened by me")),
            ("followed", _("Followed")),
        ],
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    OPEN = "open"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", _("All")),
            (self.OPEN, _("Open")),
            *[(s.value, CUSTOMER_STATUS_LABELS[s]) for s in Status],
        ]

    def clean(self) -> dict:
        data = super().clean()
        refuse_repeated(self, ("q",))  # ?q=a&q=b: left out and said, neither one searched
        return data

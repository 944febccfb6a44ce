"""Billing forms: the consultant's estimate, quick time entry, billing run, decline reason."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from palier.billing.models import Activity
from palier.web.fields import IdChoiceField
from palier.web.widgets import IsoDateInput


class EstimateForm(forms.Form):
    hours = forms.DecimalField(
        label=_("Hours"), min_value=Decimal("0.25"), max_value=10000, max_digits=7, decimal_places=2
    )
    activity = forms.ChoiceField(label=_("Activity"), choices=Activity.choices[:3])
    text = forms.CharField(
        label=_("What the work covers"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TimeForm(forms.Form):
    ticket = forms.CharField(label=_("Ticket (reference or number)"), max_length=40)
    date = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=IsoDateInput())
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=24 * 60)
    activity = forms.ChoiceField(label=_("Activity"), choices=Activity.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)


class TimerForm(forms.Form):
    ticket = forms.CharField(label=_("Ticket (reference or number)"), max_length=40)
    activity = forms.ChoiceField(label=_("Activity"), choices=Activity.choices)


class RunForm(forms.Form):
    period_start = forms.DateField(label=_("From"), widget=IsoDateInput())
    period_end = forms.DateField(label=_("To"), widget=IsoDateInput())
    customer = IdChoiceField(
        label=_("Customer"), queryset=None, required=False, empty_label=_("All customers")
    )

    def __init__(self, *args, **kwargs) -> None:
        from palier.customers.models import Customer

        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.order_by("name")

    def clean(self) -> dict:
        data = super().clean()
        if (
            data.get("period_start")
            and data.get("period_end")
            and (data["period_end"] < data["period_start"])
        ):
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


class PeriodForm(forms.Form):
    period_start = forms.DateField(label=_("From"), widget=IsoDateInput())
    period_end = forms.DateField(label=_("To"), widget=IsoDateInput())


class CreditForm(forms.Form):
    reason = forms.CharField(label=_("Why is it credited?"), max_length=2000)


class SendForm(forms.Form):
    to_address = forms.EmailField(label=_("Send to"), max_length=254)


class BankFileForm(forms.Form):
    file = forms.FileField(
        label=_("Bank file (camt.054 or camt.053, XML)"),
        help_text=_("As your bank delivers it; a file imported before is refused."),
    )


class MatchForm(forms.Form):
    number = forms.CharField(label=_("Invoice number"), max_length=20)

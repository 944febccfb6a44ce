"""The dashboard's filter form: a period and the desk's dimensions, all optional."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from palier.customers.models import Customer, Module, Product
from palier.dashboards.filters import MAX_DAYS, Filters
from palier.web.fields import IdChoiceField
from palier.web.left_out import refuse_repeated
from palier.web.widgets import IsoDateInput
from palier.workspace.models import Team
from palier.workspace.queries import team_member_ids

# Dates a desk's history can hold: beyond them a period's arithmetic (a day added to 9999-12-31,
# midnight of 0001-01-01 in UTC) leaves Python's dates.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)
_BOUNDS = [MinValueValidator(EARLIEST), MaxValueValidator(LATEST)]


class DashboardForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=IsoDateInput(), validators=_BOUNDS
    )
    end = forms.DateField(label=_("To"), required=False, widget=IsoDateInput(), validators=_BOUNDS)
    customer = IdChoiceField(
        Customer.objects.only("id", "name"),
        required=False,
        label=_("Customer"),
        empty_label=_("All customers"),
    )
    product = IdChoiceField(
        Product.objects.only("id", "name"),
        required=False,
        label=_("Product"),
        empty_label=_("All products"),
    )
    module = IdChoiceField(
        Module.objects.only("id", "name"),
        required=False,
        label=_("Module"),
        empty_label=_("All modules"),
    )
    team = IdChoiceField(
        Team.objects.only("id", "name"),
        required=False,
        label=_("Team"),
        empty_label=_("All teams"),
        help_text=_("Requests assigned to its members."),
    )
    level = forms.TypedChoiceField(
        choices=[("", _("Both levels")), (1, _("Level 1")), (2, _("Level 2"))],
        coerce=int,
        empty_value=None,
        required=False,
        label=_("Level"),
    )

    def clean(self) -> dict:
        data = super().clean()
        refuse_repeated(self, self.fields)  # ?team=1&team=2: which was meant is not guessed
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The period ends before it starts."))
        if start and end and (end - start).days > MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most three years."))
        return data

    def filters(self) -> Filters:
        """The filters asked for; the last 30 days and no filter where the form is invalid."""
        default = Filters.default(timezone.localdate())
        if not self.is_valid():
            return default
        data = self.cleaned_data
        start = data.get("start") or default.start
        end = data.get("end") or max(default.end, start)
        if end < start or (end - start).days > MAX_DAYS:
            start, end = default.start, default.end
        return Filters(
            start=start,
            end=min(end, start + dt.timedelta(days=MAX_DAYS)),
            customer_id=data["customer"].pk if data.get("customer") else None,
            product_id=data["product"].pk if data.get("product") else None,
            module_id=data["module"].pk if data.get("module") else None,
            team_id=data["team"].pk if data.get("team") else None,
            team_members=tuple(team_member_ids(data["team"])) if data.get("team") else None,
            level=data.get("level"),
        )

"""R&D forms: work a defect, plan a patch."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from palier.customers.models import Product
from palier.engineering.models import OPEN_DEFECT_STATUSES, Defect, DefectStatus, Severity
from palier.web.fields import IdChoiceField, IdMultipleChoiceField, LineField


class DefectForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=DefectStatus.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    duplicate_of = forms.IntegerField(
        label=_("Duplicate of (defect number)"), required=False, min_value=1
    )
    title_fr = LineField(label=_("Title in French"), required=False, max_length=200)
    title_de = LineField(label=_("Title in German"), required=False, max_length=200)
    title_it = LineField(label=_("Title in Italian"), required=False, max_length=200)


def _translated_notes(label) -> forms.CharField:
    """A translation of the release notes (optional; the notes themselves fall back to the
    text R&D wrote)."""
    return forms.CharField(
        label=label, required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PatchForm(forms.Form):
    product = IdChoiceField(label=_("Product"), queryset=Product.objects.all())
    number = forms.CharField(label=_("Version number"), max_length=40)
    defects = IdMultipleChoiceField(
        label=_("Defects it fixes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        queryset=Defect.objects.none(),
    )
    notes = forms.CharField(
        label=_("Notes for the release notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes_fr = _translated_notes(_("Notes in French"))
    notes_de = _translated_notes(_("Notes in German"))
    notes_it = _translated_notes(_("Notes in Italian"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only open defects can be planned in a patch.
        self.fields["defects"].queryset = (
            Defect.objects.filter(status__in=list(OPEN_DEFECT_STATUSES))
            .select_related("module")
            .order_by("-id")
        )

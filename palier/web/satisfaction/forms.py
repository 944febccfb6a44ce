from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

SCORE_LABELS = [
    (5, _("5 · Very satisfied")),
    (4, _("4 · Satisfied")),
    (3, _("3 · So-so")),
    (2, _("2 · Dissatisfied")),
    (1, _("1 · Very dissatisfied")),
]


class AnswerForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with our help?"),
        choices=SCORE_LABELS,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything to tell us? (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CloseFollowUpForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

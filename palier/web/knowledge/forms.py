"""Forms of the knowledge-base screens."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from palier.customers.models import Module
from palier.knowledge.models import ArticleVisibility
from palier.web.fields import IdChoiceField


class ArticleSettingsForm(forms.Form):
    visibility = forms.ChoiceField(label=_("Who may read it"), choices=ArticleVisibility.choices)
    module = IdChoiceField(
        label=_("Module"),
        queryset=Module.objects.select_related("product"),
        required=False,
        empty_label=_("General (no module)"),
    )


class TranslationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Blank lines separate paragraphs; lines starting with “- ” make a list."),
    )
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class NewArticleForm(ArticleSettingsForm, TranslationForm):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    field_order = ["language", "title", "body", "visibility", "module"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["note"]
        del self.fields["expected_version"]

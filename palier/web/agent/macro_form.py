"""The form of a macro: its name, who shares it, its text in each language, its effects."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from palier.accounts.models import User
from palier.tickets import labels
from palier.tickets.states import Status
from palier.web.agent.forms import staff_users
from palier.web.fields import IdChoiceField
from palier.workspace.macros import VARIABLES
from palier.workspace.models import AssigneeEffect, Macro, MacroScope, Team


class MacroForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    scope = forms.ChoiceField(
        label=_("Shared with"), choices=MacroScope.choices, widget=forms.RadioSelect
    )
    team = IdChoiceField(Team.objects.none(), required=False, label=_("Team"))
    internal = forms.BooleanField(
        required=False, label=_("Write an internal note instead of a public reply")
    )
    set_status = forms.ChoiceField(label=_("Then set the status"), required=False)
    set_assignee = forms.ChoiceField(
        label=_("Then assign"), choices=AssigneeEffect.choices, required=False
    )
    assignee = IdChoiceField(User.objects.none(), required=False, label=_("Colleague"))
    tag = forms.CharField(label=_("Then add the tag"), max_length=40, required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        for code, name in settings.LANGUAGES:
            self.fields[f"text_{code}"] = forms.CharField(
                label=_("Text in %(language)s") % {"language": name},
                required=False,
                max_length=20_000,
                widget=forms.Textarea(attrs={"rows": 4, "lang": code}),
            )
        teams = Team.objects.all() if user.is_manager else Team.objects.filter(lead=user)
        self.fields["team"].queryset = teams
        self.fields["assignee"].queryset = staff_users()
        self.fields["set_status"].choices = [
            ("", _("Leave as it is")),
            *((code, str(labels.status(code))) for code in Status.values if code != "refused"),
        ]

    def text_fields(self):
        return [self[f"text_{code}"] for code, _name in settings.LANGUAGES]

    @staticmethod
    def initial_for(macro: Macro) -> dict:
        initial = {
            "name": macro.name,
            "scope": macro.scope,
            "team": macro.team_id,
            "internal": macro.internal,
            "set_status": macro.set_status,
            "set_assignee": macro.set_assignee,
            "assignee": macro.assignee_id,
            "tag": macro.add_tag.name if macro.add_tag_id else "",
        }
        for code, text in (macro.texts or {}).items():
            initial[f"text_{code}"] = text
        return initial


def variables_help() -> list[tuple[str, str]]:
    return [(f"{{{{ {name} }}}}", str(label)) for name, (label, _get) in VARIABLES.items()]

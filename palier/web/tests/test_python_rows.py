"""Markup written in Python prints what the templates it replaces print, byte for byte."""

from __future__ import annotations

import pytest
from django import forms
from django.template import Context, Template
from django.utils.safestring import mark_safe
from django.utils.translation import override

from palier.tickets.actions import do_transition
from palier.tickets.models import Ticket
from palier.web.portal.rows import ROW_FIELDS, render_request_rows
from palier.web.tests.helpers import open_request

NASTY = "a <b> & \"c\" 'd'"


class NastyForm(forms.Form):
    name = forms.CharField(label=NASTY, help_text=NASTY, max_length=3)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)
    kind = forms.ChoiceField(label="Kind", choices=[("a", NASTY), ("b", "B")], required=False)
    safe = forms.CharField(label=mark_safe("<em>Safe</em>"), help_text=mark_safe("<b>h</b>"))
    when = forms.DateField(label="When", required=False)

    def clean(self):
        data = super().clean()
        self.add_error("note", NASTY)
        return data


FORMS = [
    NastyForm(),
    NastyForm(data={"name": "toolong<", "note": NASTY, "kind": "a", "when": "x"}),
    NastyForm(data={}),
]


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("form", FORMS, ids=["unbound", "errors", "empty"])
@pytest.mark.parametrize("name", ["name", "note", "kind", "safe", "when", "missing"])
def test_field_row_prints_what_the_field_partial_prints(form, name, language):
    field = form[name] if name in form.fields else ""
    with override(language):
        included = Template('{% include "web/partials/field.html" %}').render(
            Context({"field": field})
        )
        written = Template("{% load palier_web %}{% field_row field %}").render(
            Context({"field": field})
        )
    assert written == included


ROW_LOOP = Template(
    """{% load i18n %}{% for ticket in tickets %}
      <tr>
        <td class="ref">{{ ticket.reference }}</td>
        <td><a href="{% url 'web:portal:detail' ticket.pk %}">{{ ticket.subject }}</a>{% if ticket.visibility == "shared" %} <span class="badge" title="{% translate 'Shared with your organization' %}">{% translate "Shared" %}</span>{% endif %}</td>
        <td>{% include "web/portal/partials/status_badge.html" %}</td>
        <td class="hide-sm">{{ ticket.contact|default:"—" }}</td>
        <td class="hide-sm">{{ ticket.module|default:"—" }}</td>
        <td class="hide-sm">{{ ticket.updated_at|date:"SHORT_DATETIME_FORMAT" }}</td>
      </tr>
      {% endfor %}"""  # noqa: E501 - web/portal/list.html's loop before rows.py
)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_portal_rows_print_what_the_list_template_printed(world, language):
    open_request(world.contact_a, f"Shared {NASTY}", visibility="shared")
    private = open_request(world.contact_a, "Private one", visibility="private")
    waiting = open_request(world.contact_a2, "Waiting", visibility="shared")
    do_transition(private, "in_progress", acting_user=world.agent)
    do_transition(waiting, "in_progress", acting_user=world.agent)
    do_transition(waiting, "waiting_customer", acting_user=world.agent)
    tickets = list(Ticket.objects.select_related("contact", "module").order_by("-pk"))
    Ticket.objects.filter(pk=tickets[0].pk).update(module=None, contact=None)
    # A module named in French only (German falls back to English), a contact with no name.
    Ticket.objects.filter(pk=tickets[1].pk).update(contact=world.contact_a2)
    tickets[2].module.__class__.objects.filter(pk=tickets[2].module_id).update(
        name_fr=f"Comptabilité {NASTY}", name_de=""
    )
    type(world.contact_a2).objects.filter(pk=world.contact_a2.pk).update(
        first_name="", last_name=""
    )
    tickets = list(Ticket.objects.select_related("contact", "module").order_by("-pk"))
    rows = list(Ticket.objects.order_by("-pk").values(*ROW_FIELDS))
    assert len(tickets) >= 3
    with override(language):
        assert render_request_rows(rows) == ROW_LOOP.render(Context({"tickets": tickets}))
    assert render_request_rows([]) == ""

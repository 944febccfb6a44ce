"""The Python widget renderer writes what Django's templates write, byte for byte."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from palier.testing.factories import make_ticket
from palier.tickets.actions import do_add_message
from palier.web.agent.forms import QueueFilterForm
from palier.web.agent.ticket_form import MultipleFileInput, TicketForm
from palier.web.form_renderer import WidgetRenderer
from palier.web.replay import FORM_FIELD
from palier.web.tests.helpers import open_request
from palier.web.widgets import IsoDateInput

NASTY = "a <b> & \"c\" 'd'"
CHOICES = [
    ("", "—"),
    ("x", NASTY),
    (3, gettext_lazy("Open")),
    ("group", [("g1", "One"), ("g2", 2)]),
    ("safe", mark_safe("<em>safe</em>")),
]

WIDGETS = [
    (forms.TextInput(), NASTY),
    (forms.TextInput(attrs={"placeholder": NASTY, "required": True, "disabled": False}), None),
    (forms.TextInput(), mark_safe("<i>")),
    (forms.NumberInput(attrs={"min": 1, "step": 1}), 1250),
    (forms.EmailInput(), "a@b.ch"),
    (forms.PasswordInput(), "secret"),
    (forms.HiddenInput(), 7),
    (forms.DateInput(), dt.date(2026, 12, 6)),
    (IsoDateInput(), dt.date(2026, 12, 6)),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(), False),
    (forms.Textarea(attrs={"rows": 3}), f"line\n{NASTY}"),
    (forms.Textarea(), ""),
    (forms.Select(choices=CHOICES), "x"),
    (forms.Select(choices=CHOICES, attrs={"data-autosubmit": True}), 3),
    (forms.Select(choices=CHOICES), "g2"),
    (forms.SelectMultiple(choices=CHOICES), ["x", "g1"]),
    (forms.RadioSelect(choices=CHOICES), "x"),
    (forms.RadioSelect(choices=CHOICES, attrs={"class": "kinds"}), None),
    (forms.CheckboxSelectMultiple(choices=CHOICES), ["x", "g2"]),
    (forms.ClearableFileInput(), None),
    (MultipleFileInput(attrs={"multiple": True}), None),
    (forms.FileInput(), None),
    (forms.SplitDateTimeWidget(), None),  # not written in Python: the templates
]


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize(("widget", "value"), WIDGETS, ids=lambda w: type(w).__name__)
def test_every_common_widget_is_written_as_the_templates_write_it(widget, value, language):
    attrs = {"id": "id_f", "aria-describedby": "id_f_help"}
    with override(language):
        expected = widget.render("f", value, attrs=attrs, renderer=DjangoTemplates())
        written = widget.render("f", value, attrs=attrs, renderer=WidgetRenderer())
    assert written == expected
    assert "<b>" not in written  # escaped


@pytest.mark.parametrize("widget", [forms.RadioSelect, forms.CheckboxSelectMultiple])
def test_a_radio_or_checkbox_shown_on_its_own_is_written_as_the_templates_write_it(widget):
    def tags(renderer) -> list[str]:
        form = forms.Form(initial={"f": "x"}, renderer=renderer)
        form.fields["f"] = forms.ChoiceField(choices=CHOICES, widget=widget)
        # `{% for radio in form.f %}{{ radio.tag }}` and `{{ radio }}` (label wrapped)
        return [part for option in form["f"] for part in (option.tag(), str(option))]

    written = tags(WidgetRenderer())
    assert written == tags(DjangoTemplates())
    assert len(written) == 12 and "checked" in written[2]


@pytest.mark.django_db
def test_the_desk_forms_are_written_as_the_templates_write_them(world):
    ticket = make_ticket(world.contact_a, "malfunction", "Printing fails", module_name="Logistics")
    for form in (
        QueueFilterForm({"queue": "open", "q": NASTY, "status": "new"}),
        TicketForm(ticket=ticket),
    ):
        for field in form:
            field.form.renderer = DjangoTemplates()
            expected = field.as_widget()
            field.form.renderer = WidgetRenderer()
            assert field.as_widget() == expected, field.name


def _page(client, path: str) -> str:
    html = client.get(path).content.decode()
    # The CSRF token is masked anew and each form's submission key is fresh on every answer.
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", html)
    html = re.sub(rf'name="{FORM_FIELD}" value="[^"]+"', "KEY", html)
    return re.sub(r'nonce="[^"]+"', "NONCE", html)


@pytest.mark.django_db
def test_every_screen_with_forms_is_the_same_with_either_renderer(client, world, settings):
    ticket = open_request(world.contact_a)
    do_add_message(ticket, acting_user=world.agent, body="Taken.")
    screens = [
        (world.agent, "/desk/?queue=open"),
        (world.agent, f"/desk/tickets/{ticket.pk}/"),
        (world.agent, "/desk/new/"),
        (world.agent, "/billing/time/"),
        (world.contact_a, "/portal/requests/"),
        (world.contact_a, f"/portal/requests/{ticket.pk}/"),
        (world.contact_a, "/portal/requests/new/"),
    ]
    for user, path in screens:
        client.force_login(user)
        settings.FORM_RENDERER = "django.forms.renderers.DjangoTemplates"
        expected = _page(client, path)
        settings.FORM_RENDERER = "palier.web.form_renderer.WidgetRenderer"
        written = _page(client, path)
        assert "<select" in written or "<input" in written, path
        assert written == expected, path


@pytest.mark.parametrize("lax", ["no", "0", "yes", "True"])
def test_a_tick_box_refused_comes_back_unticked_with_the_value_a_tick_sends(lax):
    """A refused value is not kept in the box: ticked again, it would be refused again."""
    from django import forms

    from palier.web.fields import CheckboxField

    class Form(forms.Form):
        public = CheckboxField(required=False)

    form = Form({"public": lax})
    assert not form.is_valid()
    html = str(form["public"])
    assert "checked" not in html and f'value="{lax}"' not in html
    assert str(Form({"public": "on"})["public"]).count("checked") == 1

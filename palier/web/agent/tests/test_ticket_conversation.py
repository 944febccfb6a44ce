"""The ticket page's conversation and history written in Python print what the template
loops they replace printed, byte for byte."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.utils.translation import override

from palier.tickets.actions import do_add_message, do_change_criticality
from palier.tickets.attachments import do_attach_file
from palier.tickets.queries import ticket_messages
from palier.web.agent.conversation import render_events, render_messages
from palier.web.agent.views.ticket import history
from palier.web.tests.helpers import open_request

pytestmark = pytest.mark.django_db

NASTY = "a <b> & \"c\" 'd'"
# web/agent/ticket.html's loops before palier/web/agent/conversation.py.
MESSAGES = Template(
    """{% load i18n %}{% for m in conversation %}
        <li class="message {% if m.internal %}message--internal{% elif m.from_customer %}message--customer{% else %}message--staff{% endif %}" id="message-{{ m.pk }}">
          <div class="message__meta">
            <span><span class="message__author">{{ m.author_name|default:m.author }}</span>
              {% if m.internal %}<span class="badge badge--internal">{% if m.activity == "phone_call" %}{% translate "Phone call · internal" %}{% elif m.activity == "remote_session" %}{% translate "Remote session · internal" %}{% else %}{% translate "Internal note" %}{% endif %}</span>
              {% elif m.from_customer %}<span class="badge">{% translate "Customer" %}</span>
              {% else %}<span class="badge badge--included">{% translate "Public reply" %}</span>{% endif %}</span>
            <time datetime="{{ m.created_at|date:'c' }}">{{ m.created_at|date:"SHORT_DATETIME_FORMAT" }}</time>
          </div>
          <div class="message__body">{{ m.body }}</div>
          {% if m.attachments.all %}<ul class="attachments">{% for a in m.attachments.all %}<li><a href="{% url 'web:attachment' a.pk %}">{{ a.filename }}</a></li>{% endfor %}</ul>{% endif %}
        </li>
        {% empty %}
        <li class="empty">{% translate "No message yet." %}</li>
        {% endfor %}"""  # noqa: E501
)
EVENTS = Template(
    """{% load i18n %}{% for event, line in events %}
          <li><strong title="{{ line.explanation }}">{{ line.label }}</strong>{% if line.before or line.after %} <span class="muted">{{ line.before|default:"—" }} → {{ line.after|default:"—" }}</span>{% endif %}
            {% if event.internal %}<span class="badge badge--internal">{% translate "internal" %}</span>{% endif %}
            {% if show_codes %}<code class="code-hint">{{ line.code }}{% if line.field %} · {{ line.field }}{% endif %}</code>{% endif %}
            {% if line.reason %}<div class="small">{{ line.reason }}</div>{% endif %}
            <time datetime="{{ event.at|date:'c' }}">{{ event.at|date:"SHORT_DATETIME_FORMAT" }} · {{ event.actor|default:_("the desk") }}</time></li>
          {% endfor %}"""  # noqa: E501
)


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_conversation_and_history_print_what_the_template_printed(world, language):
    ticket = open_request(world.contact_a, f"Subject {NASTY}")
    assert render_messages([]) == MESSAGES.render(Context({"conversation": []}))
    do_add_message(ticket, acting_user=world.contact_a, body=f"Customer {NASTY}")
    do_add_message(ticket, acting_user=world.agent, body="Public")
    note = do_add_message(ticket, acting_user=world.agent, body="Note", internal=True)
    do_add_message(
        ticket, acting_user=world.agent, body="Call", internal=True, activity="phone_call"
    )
    do_add_message(
        ticket, acting_user=world.agent, body="Session", internal=True, activity="remote_session"
    )
    do_add_message(ticket, acting_user=None, body="By mail", author_name=NASTY)
    upload = SimpleUploadedFile(f"{NASTY}.txt", b"x", content_type="text/plain")
    do_attach_file(ticket, upload, acting_user=world.agent, message=note, internal=True)
    do_change_criticality(ticket, "high", acting_user=world.agent, reason=NASTY)
    messages = list(ticket_messages(world.agent, ticket))
    events = history(world.agent, ticket, [world.agent])
    assert len(events) >= 3
    with override(language):
        assert render_messages(messages) == MESSAGES.render(Context({"conversation": messages}))
        for codes in (False, True):
            printed = EVENTS.render(Context({"events": events, "show_codes": codes}))
            assert render_events(events, show_codes=codes) == printed

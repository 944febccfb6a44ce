"""`{% csrf_token %}` with a one-time submission key beside it.

Loaded as a template builtin after Django's own tags (settings.TEMPLATES), so every form
that carries the CSRF token carries a fresh `_submission` key too, the admin's included: a
form posted twice gets its first answer again (palier/web/replay.py).
"""

from __future__ import annotations

import secrets

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html

from palier.web.replay import FORM_FIELD

register = template.Library()


class CsrfAndSubmissionNode(template.Node):
    def __init__(self) -> None:
        self.csrf = CsrfTokenNode()

    def render(self, context: template.Context) -> str:
        csrf = self.csrf.render(context)
        if not csrf:
            return csrf
        key = format_html(
            '<input type="hidden" name="{}" value="{}">', FORM_FIELD, secrets.token_urlsafe(18)
        )
        return csrf + key


@register.tag
def csrf_token(parser, token) -> CsrfAndSubmissionNode:
    return CsrfAndSubmissionNode()

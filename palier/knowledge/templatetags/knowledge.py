"""Template helpers of the knowledge base: an article's text as HTML, and links to articles."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def article_html(text: str) -> SafeString:
    """Paragraphs (blank lines) and lists (lines starting with "- "), everything escaped."""
    blocks = []
    for block in (text or "").replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.strip().split("\n") if line.strip()]
        if not lines:
            continue
        items = [line for line in lines if line.startswith("- ")]
        head = [line for line in lines if not line.startswith("- ")]
        html = ""
        if head:
            html += "<p>" + "<br>".join(conditional_escape(h) for h in head) + "</p>"
        if items:
            html += (
                "<ul>" + "".join(f"<li>{conditional_escape(i[2:])}</li>" for i in items) + "</ul>"
            )
        blocks.append(html)
    return mark_safe("".join(blocks))  # noqa: S308 (every piece escaped above)


@register.filter
def excerpt(text: str, length: int = 180) -> str:
    flat = " ".join((text or "").replace("- ", "").split())
    return flat if len(flat) <= length else flat[: length - 1].rsplit(" ", 1)[0] + "…"


@register.simple_tag
def article_link(key: str, label: str = "") -> SafeString:
    """A link to an article of the help centre (no query: the label is given or generic);
    nothing for an explanation that names no article."""
    if not key:
        return format_html("")
    url = reverse("web:knowledge:article", args=[key])
    return format_html('<a class="article-link" href="{}">{}</a>', url, label or _("Read more"))

"""Template helpers of the agent workspace."""

from __future__ import annotations

from django import template

from palier.workspace.notifications import UNREAD_CAP, unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> str:
    """The signed-in staff member's unread notifications as a badge text ("" for none,
    "99+" past the cap): one bounded query."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    # A page that read the count with its own statement hands it over (queue pages).
    count = context.get("unread_count")
    if count is None:
        count = unread_count(user)
    if not count:
        return ""
    return f"{UNREAD_CAP - 1}+" if count >= UNREAD_CAP else str(count)

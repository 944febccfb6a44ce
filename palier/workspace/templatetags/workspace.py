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
    # A view that counted them in one of its own statements hands the count over as
    # `unread_count` (the queue pages, the ticket page).
    count = context.get("unread_count")
    if not isinstance(count, int):
        count = unread_count(user)
    if not count:
        return ""
    return f"{UNREAD_CAP - 1}+" if count >= UNREAD_CAP else str(count)

"""A past ticket as read from another tool, before it is matched to the desk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import translation


@dataclass
class PastComment:
    created_at: dt.datetime
    body: str
    author_email: str = ""
    author_name: str = ""
    author_ref: str = ""  # the tool's own id of the author (a Jira account id)
    public: bool | None = None  # None: the tool does not say
    from_requester: bool = False  # written by the ticket's requester
    channel: str = ""  # the message's own channel ("phone" for a call); "" is the ticket's
    activity: str = "message"  # tickets.models.Activity ("phone_call" for a call's note)
    # A body the import writes words into (a call's facts, a channel's name): said again in
    # the ticket's language when it is written, since `body` is in the reader's.
    said: Callable[[], str] | None = field(default=None, repr=False, compare=False)

    def body_in(self, language: str) -> str:
        if self.said is None:
            return self.body
        with translation.override(language):
            return self.said()


@dataclass
class PastTicket:
    key: str
    line: int  # where the ticket starts in its file
    subject: str
    created_at: dt.datetime
    description: str = ""
    type_value: str = ""
    status_value: str = ""
    status: str = "closed"  # the desk's status it is imported in
    priority: str = ""
    customer_ref: str = ""  # an organization: the customer's number, code or name
    contact_email: str = ""
    contact_name: str = ""
    assignee: str = ""  # an email or a name
    channel: str = "email"
    updated_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    comments: list[PastComment] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    # The file's own column (or JSON field) for "key", "customer" and "contact", so that a
    # problem found while matching names what the person reading the file sees.
    columns: dict[str, str] = field(default_factory=dict)
    file: str = ""  # its file, when several are read together (Zendesk's pages)

    def column(self, name: str) -> str:
        return self.columns.get(name) or name  # a column the file lacks: its own name


@dataclass
class ReadProblem:
    line: int
    column: str
    message: str

"""Request and response shapes of the REST API. The policy's codes are its enum values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import WithJsonSchema

from palier.customers.models import validate_country
from palier.lib.money import CENT
from palier.lib.visible import NOTHING_VISIBLE, visible_line
from palier.policy import BuiltBy, ContractState, Finding, Reason, Refusal, RequestType
from palier.tickets.models import Channel, Criticality
from palier.tickets.states import Status

ChannelCode = StrEnum("ChannelCode", {c.upper(): c for c in Channel.values})
CriticalityCode = StrEnum("CriticalityCode", {c.upper(): c for c in Criticality.values})
StatusCode = StrEnum("StatusCode", {c.upper(): c for c in Status.values})
LanguageCode = StrEnum("LanguageCode", {c.upper(): c for c in ("en", "fr", "de", "it")})
VisibilityCode = StrEnum("VisibilityCode", {"PRIVATE": "private", "SHARED": "shared"})

# Ids and versions stay within a 64-bit integer: beyond it both databases fail on the query.
MAX_INT = 2**63 - 1
# A whole number in a JSON body is a JSON integer: pydantic's lax mode would read true as 1,
# 1.0 as 1 and "1" as 1, which the document does not describe. Every integer of a request
# body is one of these (api/tests/test_strict_input.py walks every body to check it).
Integer = Annotated[int, Strict()]
# Likewise a yes or no is a JSON boolean: lax mode read "true", "yes", "on" and 1 as true.
Boolean = Annotated[bool, Strict()]
Id = Annotated[Integer, Field(ge=0, le=MAX_INT)]
Version = Annotated[Integer, Field(ge=0, le=MAX_INT)]
# In a query string or a path every value is text, read as an integer from its digits. An id
# that filters a list names an object: 0 or below names none, and is refused (not ignored).
# Python reads "1_0" as 10 and " 7 " as 7: in an address an id is its ASCII digits alone.


def _digits(value: Any) -> Any:
    if isinstance(value, str) and not (
        value.isascii() and value.lstrip("-").isdigit() and value.count("-") <= 1
    ):
        raise ValueError(_("An id is written with the digits 0 to 9 only."))
    return value


IdFilter = Annotated[int, BeforeValidator(_digits), Field(ge=1, le=MAX_INT)]
# An id in a path, or a position to page from (after_id=0 is the start).
IdInUrl = Annotated[int, BeforeValidator(_digits), Field(ge=0, le=MAX_INT)]


def _count_digits(value: Any) -> Any:
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError(_("A number here is written with the digits 0 to 9 only."))
    return value


def page_limit(most: int) -> Any:
    """How many rows a page holds, in a query string: its ASCII digits alone, 1 to `most`
    (read as positions are: "1_0" is not 10, " 7" not 7, and -1 or 0 are refused, not
    taken for 1)."""
    return Annotated[int, BeforeValidator(_count_digits), Field(ge=1, le=most)]


PageLimit = page_limit(200)
LongPageLimit = page_limit(500)
# How many rows a list skips (customers' offset), read likewise.
Offset = Annotated[int, BeforeValidator(_count_digits), Field(ge=0, le=1_000_000)]

# A day the desk can count with: written as text (YYYY-MM-DD; a number such as 0 is not a
# day), between these two (9999-12-31 overflowed date arithmetic further on).
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def _day_text(value: Any) -> Any:
    if isinstance(value, str | dt.date) and not isinstance(value, dt.datetime):
        return value
    raise ValueError(_("A day is written as text, YYYY-MM-DD."))


def _day_in_range(value: dt.date) -> dt.date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(
            _("A day between %(first)s and %(last)s.") % {"first": FIRST_DAY, "last": LAST_DAY}
        )
    return value


Day = Annotated[
    dt.date,
    BeforeValidator(_day_text),
    AfterValidator(_day_in_range),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": r"^\d{4}-\d{2}-\d{2}$",
            "description": f"A day, YYYY-MM-DD, from {FIRST_DAY} to {LAST_DAY}.",
        }
    ),
]


class In(Schema):
    """A request body's object: an object and nothing else. ninja's Schema reads attributes
    of whatever it is given, so a JSON array or a number passed for an object validated as
    an object of defaults (`[]` as a PATCH body, `["x"]` as an address). A field the
    document does not name is refused too, instead of being silently ignored."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        given = getattr(value, "_obj", value)  # ninja wraps what it validates in a getter
        if not isinstance(given, dict):
            raise ValueError(_("Input should be a JSON object."))
        return value


def _visible(text: str) -> str:
    """A subject or a name shows something; bidi controls it leaves open are dropped."""
    cleaned = visible_line(text)
    if text and not cleaned:
        raise ValueError(str(NOTHING_VISIBLE))
    return cleaned


Subject = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_visible),
]
LongText = Annotated[str, StringConstraints(max_length=50_000)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50_000)]
Reason_ = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000)]


class ErrorDetail(Schema):
    code: str
    message: str
    details: Any | None = None


class ErrorOut(Schema):
    error: ErrorDetail


# Every endpoint documents the same JSON error shape for the statuses a client can meet.
ERRORS = {status: ErrorOut for status in (400, 401, 403, 404, 409, 410, 413, 415, 422, 429)}


class Ref(Schema):
    id: int
    name: str


# --- customers -----------------------------------------------------------------------


def _iso_country(code: str) -> str:
    """The model's rule (customers.models.validate_country), raised as pydantic wants it."""
    try:
        validate_country(code)
    except DjangoValidationError as exc:
        raise ValueError(exc.messages[0]) from exc
    return code


Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$"), AfterValidator(_iso_country)]


class PostalAddress(In):
    """Where invoices go (and the QR-bill's debtor): postcode and city make it complete.
    The lengths are those of a Swiss QR-bill."""

    street: Annotated[str, StringConstraints(strip_whitespace=True, max_length=70)] = ""
    house_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=16)] = ""
    postcode: Annotated[str, StringConstraints(strip_whitespace=True, max_length=16)] = ""
    city: Annotated[str, StringConstraints(strip_whitespace=True, max_length=35)] = ""
    country: Country = "CH"


# The customer's number in the vendor's ERP: imports match customers by it.
CustomerNumber = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]


class CustomerOut(Schema):
    id: int
    code: str
    reference: str = Field(description="the customer's number in the vendor's ERP")
    name: str
    language: str
    default_visibility: str
    address: PostalAddress


class CustomerIn(In):
    code: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,40}$")]
    name: Subject
    reference: CustomerNumber = ""
    language: LanguageCode = LanguageCode.EN
    default_visibility: VisibilityCode = VisibilityCode.PRIVATE
    address: PostalAddress | None = None


class CustomerPatch(In):
    name: Subject | None = None
    reference: CustomerNumber | None = None
    language: LanguageCode | None = None
    default_visibility: VisibilityCode | None = None
    address: PostalAddress | None = Field(None, description="replaces the whole address")


class ContractOut(Schema):
    id: int
    customer_id: int
    reference: str
    state: ContractState
    start: dt.date
    end: dt.date
    tier: str
    hourly_rate: Decimal
    prepaid_hours: Decimal
    module_ids: list[int]
    active_today: bool


# Amounts and hours in hundredths: "1E+1" or "2.5" is read as 10.00 or 2.50, so that an
# answer shows the value as it is stored.
TO_HUNDREDTHS = AfterValidator(lambda value: value.quantize(CENT))


def hundredths_schema(maximum: int, *, exclusive_zero: bool = False) -> WithJsonSchema:
    """A number to the cent, as JSON number or text: the OpenAPI says both forms and the
    two decimal places the API enforces."""
    number: dict[str, Any] = {"type": "number", "multipleOf": 0.01, "maximum": maximum}
    number["exclusiveMinimum" if exclusive_zero else "minimum"] = 0
    digits = len(str(maximum))
    return WithJsonSchema(
        {
            "anyOf": [
                number,
                {"type": "string", "pattern": rf"^\d{{1,{digits}}}(\.\d{{1,2}})?$"},
            ],
            "description": f"At most two decimal places, up to {maximum}.",
        }
    )


Hundredths = Annotated[
    Decimal,
    Field(ge=0, le=100_000, decimal_places=2),
    TO_HUNDREDTHS,
    hundredths_schema(100_000),
]


class ContractIn(In):
    customer_id: Id
    reference: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    state: ContractState = ContractState.ACTIVE
    start: Day
    end: Day
    tier: Annotated[str, StringConstraints(max_length=20)] = "standard"
    hourly_rate: Hundredths = Decimal("185.00")
    prepaid_hours: Hundredths = Decimal("0.00")
    module_ids: list[Id] = []


class ContractPatch(In):
    state: ContractState | None = None
    start: Day | None = None
    end: Day | None = None
    tier: Annotated[str, StringConstraints(max_length=20)] | None = None
    hourly_rate: Hundredths | None = None
    prepaid_hours: Hundredths | None = None


class CustomizationOut(Schema):
    id: int
    customer_id: int
    module: Ref
    object: str
    built_by: BuiltBy
    author: str
    built_on: dt.date | None
    authorization_reference: str
    authorization_date: dt.date | None
    description: str


class CustomizationIn(In):
    customer_id: Id
    module_id: Id
    object: Subject
    built_by: BuiltBy
    author: Annotated[str, StringConstraints(max_length=200)] = ""
    built_on: Day | None = None
    authorization_reference: Annotated[str, StringConstraints(max_length=80)] = ""
    authorization_date: Day | None = None
    description: LongText = ""


class CustomizationPatch(In):
    object: Subject | None = None
    built_by: BuiltBy | None = None
    author: Annotated[str, StringConstraints(max_length=200)] | None = None
    built_on: Day | None = None
    authorization_reference: Annotated[str, StringConstraints(max_length=80)] | None = None
    authorization_date: Day | None = None
    description: LongText | None = None


class VersionOut(Schema):
    id: int
    number: str
    released_on: dt.date | None
    end_of_support: dt.date | None


class ModuleOut(Schema):
    id: int
    code: str
    name: str


class ProductOut(Schema):
    id: int
    code: str
    name: str
    modules: list[ModuleOut]
    versions: list[VersionOut]


# --- tickets -------------------------------------------------------------------------


class TicketIn(In):
    type: RequestType
    subject: Subject
    description: LongText = ""
    module_id: Id | None = None
    customization_id: Id | None = None
    product_version_id: Id | None = None
    criticality: CriticalityCode = CriticalityCode.MEDIUM
    channel: ChannelCode = ChannelCode.API
    language: LanguageCode | None = None
    visibility: VisibilityCode | None = None
    customer_id: Id | None = Field(None, description="Staff only: the customer (phone calls).")
    contact_id: Id | None = Field(None, description="Staff only: the contact who called.")


class TicketPatch(In):
    expected_version: Version | None = Field(None, description="Refuse with 409 if changed since.")
    type: RequestType | None = None
    module_id: Id | None = None
    customization_id: Id | None = Field(None, description="0 removes the customization.")
    criticality: CriticalityCode | None = None
    assignee_id: Id | None = Field(None, description="0 unassigns.")
    reason: Reason_ = ""


class MessageIn(In):
    body: Body
    expected_version: Version | None = None


class NoteIn(In):
    body: Body
    activity: Annotated[
        str, StringConstraints(pattern=r"^(message|phone_call|remote_session)$")
    ] = "message"
    expected_version: Version | None = None


class DiagnosisIn(In):
    finding: Finding
    note: Reason_ = Field(
        "",
        description="Why: shown to the customer with the new decision (use /notes for internal).",
    )
    expected_version: Version | None = None


class TransitionIn(In):
    to: StatusCode
    reason: Reason_ = ""
    expected_version: Version | None = None


class AcceptIn(In):
    # Required, but an empty reason reaches the action, which refuses it as reason_required.
    reason: Reason_
    expected_version: Version | None = None


class DecisionOut(Schema):
    id: int
    kind: str
    accepted: bool
    level: int | None
    billable: bool
    rnd: bool
    reason: Reason | None
    refusal: Refusal | None
    refusal_date: dt.date | None
    finding: Finding | None
    rules: list[str]
    facts: dict
    note: str
    decided_at: dt.datetime


class ExplanationOut(Schema):
    language: str
    headline: str
    why_level: str
    why_billable: str
    why_ticket: str
    refusal: str


class TicketOut(Schema):
    id: int
    reference: str
    customer: Ref
    contact: Ref | None
    channel: str
    language: str
    type: RequestType | None
    suggested_type: str
    needs_qualification: bool
    module: Ref | None
    customization: Ref | None
    product_version: Ref | None
    criticality: str
    subject: str
    status: str
    status_label: str
    level: int | None
    billable: bool
    reason: Reason | None
    visibility: str
    assignee: Ref | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class TicketDetailOut(TicketOut):
    description: str
    decision: DecisionOut | None
    explanation: ExplanationOut | None
    allowed_transitions: list[str]


class TicketPageOut(Schema):
    items: list[TicketOut]
    next_cursor: str | None


class MessageOut(Schema):
    id: int
    author: Ref | None
    body: str
    internal: bool
    channel: str
    activity: str
    from_customer: bool
    created_at: dt.datetime


class EventOut(Schema):
    id: int
    kind: str
    actor: Ref | None
    at: dt.datetime
    field: str
    from_value: str
    to_value: str
    reason: str
    data: dict


class CodesOut(Schema):
    request_types: list[str]
    reasons: list[str]
    refusals: list[str]
    findings: list[str]
    statuses: list[str]
    channels: list[str]
    criticalities: list[str]
    built_by: list[str]


class MeOut(Schema):
    id: int
    username: str
    name: str
    email: str
    role: str
    customer: Ref | None
    is_customer_admin: bool
    language: str

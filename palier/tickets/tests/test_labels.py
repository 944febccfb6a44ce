"""Every code a person could read has words: a label and a one-line explanation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from palier.policy import Finding, Reason, Refusal, RequestType
from palier.tickets import labels
from palier.tickets.models import Criticality, EventKind, TicketEvent
from palier.tickets.states import Status

SOURCE = Path(labels.__file__).resolve().parents[1]
# record_event(ticket, "kind", ...) and kind = "..." handed to record_event elsewhere.
RECORDED_KIND = re.compile(r'record_event\(\s*[\w.]+,\s*"([a-z_]+)"', re.MULTILINE)
RULES = ["E", "E-override", *(f"L{i}" for i in range(1, 9)), *(f"D{i}" for i in range(1, 6))]


# Kinds made of a prefix and a code (record_event(ticket, f"mail_{code}", ...)).
COMPOSED_KINDS = {"mail_files_capped", "mail_parse_budget", "mail_text_cut"}


def recorded_event_kinds() -> set[str]:
    kinds: set[str] = set(COMPOSED_KINDS)
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts:
            continue
        kinds.update(RECORDED_KIND.findall(path.read_text(encoding="utf-8")))
    return kinds


def test_the_source_records_event_kinds_this_test_can_see():
    kinds = recorded_event_kinds()
    assert {"defect_linked", "patch_available", "time_logged", "consent_requested"} <= kinds


@pytest.mark.parametrize(
    ("table", "codes"),
    [
        (labels.RULES, RULES),
        (labels.REASONS, [code.value for code in Reason]),
        (labels.FINDINGS, [code.value for code in Finding]),
        (labels.REFUSALS, [code.value for code in Refusal]),
        (labels.STATUSES, list(Status.values)),
        (labels.REQUEST_TYPES, [code.value for code in RequestType]),
        (labels.CRITICALITIES, list(Criticality.values)),
        (labels.EVENTS, sorted({*EventKind.values, *recorded_event_kinds()})),
    ],
    ids=["rules", "reasons", "findings", "refusals", "statuses", "types", "criticality", "events"],
)
def test_every_code_has_a_label_and_an_explanation_that_are_words(table, codes):
    for code in codes:
        assert code in table, f"{code} has no label"
        entry = table[code]
        assert str(entry.label) and str(entry.label) != code
        assert str(entry.explanation) and str(entry.explanation) != code
        assert "_" not in str(entry.label), f"{code}: a label is words, not a code"


def test_labels_are_read_in_the_readers_language():
    with translation.override("de"):
        assert str(labels.reason("standard_usage").label) != "Standard usage"
        assert str(labels.status("waiting_customer").label) == "Wartet auf den Kunden"
    with translation.override("fr"):
        assert str(labels.rule("L4")) != "Standard malfunction"


def test_an_unknown_code_reads_as_itself_rather_than_failing():
    entry = labels.reason("reason_added_tomorrow")
    assert (entry.code, str(entry), entry.explanation) == (
        "reason_added_tomorrow",
        "reason_added_tomorrow",
        "",
    )


def event(kind, **fields):
    return TicketEvent(kind=kind, **fields)


def test_history_lines_say_in_words_what_the_codes_said():
    with translation.override("en"):
        line = labels.describe_event(
            event(
                "decision",
                field="reason",
                from_value="customization_error",
                to_value="standard_malfunction",
            )
        )
        assert (line.before, line.after) == ("Error in a customization", "Standard malfunction")
        line = labels.describe_event(
            event("defect_linked", field="defect", to_value="4", data={"title": "Crash"})
        )
        assert (line.label, line.before, line.after) == ("Linked to a defect", "", "DEF-4 · Crash")
        line = labels.describe_event(
            event(
                "patch_available",
                field="patch",
                to_value="11.3.3",
                data={"version": "11.3.3"},
                reason="patch 11.3.3 released",
            )
        )
        assert (line.label, line.after) == ("Patch available", "version 11.3.3")
        assert line.reason == "Patch 11.3.3 released."
        line = labels.describe_event(
            event("assigned", field="assignee", from_value="", to_value="lena.agent"),
            {"lena.agent": "Lena Agent"},
        )
        assert line.after == "Lena Agent"
        line = labels.describe_event(
            event("field", field="criticality", from_value="low", to_value="high")
        )
        assert (line.label, line.before, line.after) == ("Criticality changed", "Low", "High")
        line = labels.describe_event(
            event("diagnosis", field="reason", data={"finding": "customer_manipulation"})
        )
        assert line.label == "Diagnosis: Follows a manipulation by the customer"


def test_a_reason_the_desk_wrote_in_english_is_read_in_the_readers_language():
    with translation.override("fr"):
        text = labels.system_reason("The customer accepted the estimate.")
    assert text != "The customer accepted the estimate."
    assert labels.system_reason("Renewal signed.") == "Renewal signed."


def test_intake_lines_and_the_desks_other_reasons_are_words_in_the_readers_language():
    with translation.override("de"):
        received = labels.describe_event(event("created", to_value="new"))
        refused = labels.describe_event(event("refused", to_value="refused", reason="expired"))
        declined = labels.system_reason(labels.DECLINED_REASON)
        planned = labels.system_reason("fixed in 11.3.3")
    assert received.after not in ("", "new") and refused.after != "refused"
    assert refused.reason == "Vertrag abgelaufen"
    assert declined.startswith("Der Kunde hat die Offerte abgelehnt")
    assert planned == "Wird in Version 11.3.3 behoben."

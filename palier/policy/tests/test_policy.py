"""Every row of POLICY.md section 4 (tables E, L and D), on the pure policy: no database."""

from __future__ import annotations

import datetime as dt

import pytest

from palier.policy import (
    BuiltBy,
    ContractFacts,
    ContractState,
    CustomizationFacts,
    Decision,
    Finding,
    PolicyError,
    Reason,
    Refusal,
    RequestFacts,
    RequestType,
    check_entitlement,
    decide,
    decide_accepted_anyway,
    decide_after_finding,
)

TODAY = dt.date(2026, 6, 15)
START = dt.date(2026, 1, 1)
END = dt.date(2026, 12, 31)


def contract(state: ContractState = ContractState.ACTIVE, start=START, end=END) -> ContractFacts:
    return ContractFacts(state=state, start=start, end=end, reference="MC-1", hourly_rate="185.00")


def custom(built_by: BuiltBy) -> CustomizationFacts:
    return CustomizationFacts(
        built_by=built_by,
        module="Sales",
        object='Order line: column "Delivery zone"',
        built_on=dt.date(2025, 11, 3),
        author="Vendor consulting",
        authorization_reference="AUTH-1" if built_by == BuiltBy.CUSTOMER_AUTHORIZED else "",
    )


def request(kind: RequestType, built_by: BuiltBy | None = None) -> RequestFacts:
    return RequestFacts(
        type=kind, module="Sales", customization=custom(built_by) if built_by else None
    )


# --- E: entitlement ------------------------------------------------------------------


def test_a_customer_without_contract_is_refused_with_no_contract():
    d = decide(request(RequestType.USAGE), None, TODAY)
    assert (d.accepted, d.refusal, d.refusal_date, d.level) == (
        False,
        Refusal.NO_CONTRACT,
        None,
        None,
    )
    assert d.rules == ("E",)


def test_expired_contract_is_refused_with_its_end_date():
    d = decide(request(RequestType.USAGE), contract(end=dt.date(2026, 5, 31)), TODAY)
    assert (d.accepted, d.refusal, d.refusal_date) == (False, Refusal.EXPIRED, dt.date(2026, 5, 31))
    assert d.facts["contract"]["end"] == dt.date(2026, 5, 31)
    assert d.as_dict()["refusal_date"] == "2026-05-31"


def test_suspended_contract_is_refused_as_suspended_even_within_its_dates():
    d = decide(request(RequestType.USAGE), contract(ContractState.SUSPENDED), TODAY)
    assert (d.accepted, d.refusal) == (False, Refusal.SUSPENDED)


def test_terminated_contract_is_refused_as_terminated_with_its_past_end_date():
    ended = dt.date(2026, 5, 31)
    d = decide(request(RequestType.USAGE), contract(ContractState.TERMINATED, end=ended), TODAY)
    assert (d.accepted, d.refusal, d.refusal_date) == (False, Refusal.TERMINATED, ended)


def test_a_contract_terminated_before_its_end_is_refused_without_a_date():
    d = decide(request(RequestType.USAGE), contract(ContractState.TERMINATED), TODAY)
    assert (d.accepted, d.refusal, d.refusal_date) == (False, Refusal.TERMINATED, None)


def test_contract_not_yet_started_is_refused_with_its_start_date():
    d = decide(request(RequestType.USAGE), contract(start=dt.date(2026, 7, 1)), TODAY)
    assert (d.accepted, d.refusal, d.refusal_date) == (
        False,
        Refusal.NOT_STARTED,
        dt.date(2026, 7, 1),
    )


def test_the_first_day_of_the_contract_is_covered():
    assert check_entitlement(contract(start=TODAY), TODAY) is None
    assert decide(request(RequestType.USAGE), contract(start=TODAY), TODAY).accepted


def test_the_last_day_of_the_contract_is_covered_and_the_next_is_not():
    assert decide(request(RequestType.USAGE), contract(end=TODAY), TODAY).accepted
    d = decide(request(RequestType.USAGE), contract(end=TODAY), TODAY + dt.timedelta(days=1))
    assert (d.refusal, d.refusal_date) == (Refusal.EXPIRED, TODAY)


def test_the_day_before_the_start_is_not_covered():
    d = decide(request(RequestType.USAGE), contract(start=TODAY), TODAY - dt.timedelta(days=1))
    assert (d.refusal, d.refusal_date) == (Refusal.NOT_STARTED, TODAY)


@pytest.mark.parametrize("kind", list(RequestType))
def test_entitlement_is_checked_for_every_request_type(kind):
    assert decide(request(kind), None, TODAY).refusal == Refusal.NO_CONTRACT


def test_a_manager_override_accepts_a_refused_request_by_rule_l_marked_e_override():
    d = decide_accepted_anyway(
        request(RequestType.FEATURE), contract(end=dt.date(2026, 1, 31)), TODAY
    )
    assert (d.accepted, d.level, d.billable, d.reason) == (True, 2, True, Reason.FEATURE_REQUEST)
    assert d.rules == ("E-override", "L7")


def test_a_manager_override_without_any_contract_still_decides_the_level():
    d = decide_accepted_anyway(request(RequestType.USAGE), None, TODAY)
    assert (d.accepted, d.level, d.reason, d.rules) == (
        True,
        1,
        Reason.STANDARD_USAGE,
        ("E-override", "L1"),
    )
    assert d.facts == {"today": TODAY}


# --- L: level at intake --------------------------------------------------------------

L_TABLE = [
    ("L1", RequestType.USAGE, None, 1, False, Reason.STANDARD_USAGE),
    ("L2", RequestType.USAGE, BuiltBy.VENDOR, 1, False, Reason.USAGE_OF_VENDOR_CUSTOMIZATION),
    (
        "L3",
        RequestType.USAGE,
        BuiltBy.CUSTOMER_AUTHORIZED,
        2,
        True,
        Reason.CUSTOMER_BUILT_CUSTOMIZATION,
    ),
    (
        "L3",
        RequestType.USAGE,
        BuiltBy.CUSTOMER_UNAUTHORIZED,
        2,
        True,
        Reason.CUSTOMER_BUILT_CUSTOMIZATION,
    ),
    ("L4", RequestType.MALFUNCTION, None, 1, False, Reason.STANDARD_MALFUNCTION),
    ("L5", RequestType.MALFUNCTION, BuiltBy.VENDOR, 2, True, Reason.CUSTOMIZATION_ERROR),
    (
        "L5",
        RequestType.MALFUNCTION,
        BuiltBy.CUSTOMER_AUTHORIZED,
        2,
        True,
        Reason.CUSTOMIZATION_ERROR,
    ),
    (
        "L6",
        RequestType.MALFUNCTION,
        BuiltBy.CUSTOMER_UNAUTHORIZED,
        2,
        True,
        Reason.UNAUTHORIZED_MODIFICATION,
    ),
    ("L7", RequestType.FEATURE, None, 2, True, Reason.FEATURE_REQUEST),
    ("L7", RequestType.FEATURE, BuiltBy.VENDOR, 2, True, Reason.FEATURE_REQUEST),
    ("L7", RequestType.FEATURE, BuiltBy.CUSTOMER_UNAUTHORIZED, 2, True, Reason.FEATURE_REQUEST),
    ("L8", RequestType.TRAINING, None, 2, True, Reason.INFORMATION_OR_TRAINING),
    ("L8", RequestType.TRAINING, BuiltBy.VENDOR, 2, True, Reason.INFORMATION_OR_TRAINING),
    (
        "L8",
        RequestType.TRAINING,
        BuiltBy.CUSTOMER_AUTHORIZED,
        2,
        True,
        Reason.INFORMATION_OR_TRAINING,
    ),
]


@pytest.mark.parametrize(("rule", "kind", "built_by", "level", "billable", "reason"), L_TABLE)
def test_each_row_of_table_l_decides_level_billability_and_reason(
    rule, kind, built_by, level, billable, reason
):
    d = decide(request(kind, built_by), contract(), TODAY)
    assert (d.accepted, d.level, d.billable, d.reason) == (True, level, billable, reason)
    assert d.rules == ("E", rule)
    assert d.refusal is None and d.rnd is False


def test_a_decision_names_the_facts_it_used():
    d = decide(request(RequestType.MALFUNCTION, BuiltBy.VENDOR), contract(), TODAY)
    assert d.facts["type"] == "malfunction"
    assert d.facts["module"] == "Sales"
    assert d.facts["today"] == TODAY
    assert d.facts["contract"] == {
        "reference": "MC-1",
        "state": "active",
        "start": START,
        "end": END,
        "hourly_rate": "185.00",
    }
    assert d.facts["customization"]["built_by"] == "vendor"
    assert d.facts["customization"]["author"] == "Vendor consulting"
    assert d.facts["customization"]["built_on"] == dt.date(2025, 11, 3)


def test_a_request_without_customization_records_none_as_its_customization():
    assert decide(request(RequestType.USAGE), contract(), TODAY).facts["customization"] is None


def test_a_decision_serializes_to_json_ready_values():
    data = decide(request(RequestType.USAGE, BuiltBy.VENDOR), contract(), TODAY).as_dict()
    assert data["rules"] == ["E", "L2"]
    assert data["facts"]["today"] == "2026-06-15"
    assert data["facts"]["customization"]["built_on"] == "2025-11-03"
    assert data["reason"] == "usage_of_vendor_customization"


@pytest.mark.parametrize(
    "decision",
    [
        decide(request(RequestType.USAGE, BuiltBy.VENDOR), contract(), TODAY),
        decide(request(RequestType.MALFUNCTION), contract(), TODAY),
        decide(request(RequestType.USAGE), None, TODAY),
        decide(request(RequestType.USAGE), contract(ContractState.SUSPENDED), TODAY),
        decide(request(RequestType.USAGE), contract(end=dt.date(2026, 5, 31)), TODAY),
    ],
)
def test_a_decisions_facts_alone_serialize_as_in_the_whole_decision(decision):
    assert decision.facts_as_dict() == decision.as_dict()["facts"]


def test_an_unknown_request_type_is_a_policy_error():
    with pytest.raises(PolicyError):
        decide(RequestFacts(type="complaint"), contract(), TODAY)  # type: ignore[arg-type]


# --- D: after diagnosis --------------------------------------------------------------


def intake(kind: RequestType, built_by: BuiltBy | None = None) -> tuple[Decision, RequestFacts]:
    req = request(kind, built_by)
    return decide(req, contract(), TODAY), req


def test_d1_customer_manipulation_moves_a_malfunction_to_billable_level_2():
    current, req = intake(RequestType.MALFUNCTION)
    d = decide_after_finding(current, req, Finding.CUSTOMER_MANIPULATION, TODAY)
    assert (d.level, d.billable, d.reason, d.rnd) == (2, True, Reason.CUSTOMER_MANIPULATION, False)
    assert d.rules == ("E", "L4", "D1")
    assert d.facts["finding"] == "customer_manipulation"


def test_d2_a_malfunction_in_a_customization_after_all_is_billable_customization_error():
    current, req = intake(RequestType.MALFUNCTION)
    d = decide_after_finding(current, req, Finding.CUSTOMIZATION_ERROR, TODAY)
    assert (d.level, d.billable, d.reason) == (2, True, Reason.CUSTOMIZATION_ERROR)
    assert d.rules[-1] == "D2"


@pytest.mark.parametrize(
    ("finding", "reason"),
    [
        (Finding.FEATURE_REQUEST, Reason.FEATURE_REQUEST),
        (Finding.INFORMATION_OR_TRAINING, Reason.INFORMATION_OR_TRAINING),
    ],
)
@pytest.mark.parametrize("kind", [RequestType.USAGE, RequestType.MALFUNCTION])
def test_d3_a_request_that_is_really_a_feature_or_training_goes_to_level_2_with_that_code(
    kind, finding, reason
):
    current, req = intake(kind)
    d = decide_after_finding(current, req, finding, TODAY)
    assert (d.level, d.billable, d.reason, d.rules[-1]) == (2, True, reason, "D3")


def test_d4_a_product_defect_goes_to_rnd_and_is_not_billed():
    current, req = intake(RequestType.MALFUNCTION)
    d = decide_after_finding(current, req, Finding.PRODUCT_DEFECT, TODAY)
    assert (d.rnd, d.billable, d.reason, d.rules[-1]) == (True, False, Reason.PRODUCT_DEFECT, "D4")


def test_d4_frees_a_billable_customization_malfunction_that_was_a_product_defect():
    current, req = intake(RequestType.MALFUNCTION, BuiltBy.VENDOR)
    assert current.billable
    d = decide_after_finding(current, req, Finding.PRODUCT_DEFECT, TODAY)
    assert (d.rnd, d.billable) == (True, False)


def test_d5_back_to_level_1_makes_a_malfunction_a_standard_malfunction():
    current, req = intake(RequestType.MALFUNCTION, BuiltBy.VENDOR)
    d = decide_after_finding(current, req, Finding.BACK_TO_LEVEL_1, TODAY)
    assert (d.level, d.billable, d.reason, d.rules) == (
        1,
        False,
        Reason.STANDARD_MALFUNCTION,
        ("E", "L5", "D5"),
    )


def test_d5_back_to_level_1_makes_a_usage_question_standard_usage():
    current, req = intake(RequestType.USAGE, BuiltBy.CUSTOMER_AUTHORIZED)
    d = decide_after_finding(current, req, Finding.BACK_TO_LEVEL_1, TODAY)
    assert (d.level, d.billable, d.reason) == (1, False, Reason.STANDARD_USAGE)


def test_d5_does_not_apply_to_a_request_already_at_level_1():
    current, req = intake(RequestType.USAGE)
    with pytest.raises(PolicyError, match="level-2"):
        decide_after_finding(current, req, Finding.BACK_TO_LEVEL_1, TODAY)


@pytest.mark.parametrize(
    "finding", [Finding.CUSTOMER_MANIPULATION, Finding.CUSTOMIZATION_ERROR, Finding.PRODUCT_DEFECT]
)
@pytest.mark.parametrize("kind", [RequestType.USAGE, RequestType.FEATURE, RequestType.TRAINING])
def test_malfunction_findings_do_not_apply_to_other_request_types(kind, finding):
    current, req = intake(kind)
    with pytest.raises(PolicyError, match="malfunction"):
        decide_after_finding(current, req, finding, TODAY)


def test_a_refused_request_cannot_be_diagnosed():
    req = request(RequestType.MALFUNCTION)
    refused = decide(req, None, TODAY)
    with pytest.raises(PolicyError):
        decide_after_finding(refused, req, Finding.PRODUCT_DEFECT, TODAY)


def test_findings_chain_their_rules_and_keep_the_intake_facts():
    current, req = intake(RequestType.MALFUNCTION)
    first = decide_after_finding(current, req, Finding.CUSTOMER_MANIPULATION, TODAY)
    second = decide_after_finding(first, req, Finding.BACK_TO_LEVEL_1, TODAY)
    assert second.rules == ("E", "L4", "D1", "D5")
    assert second.facts["contract"]["reference"] == "MC-1"
    assert second.facts["finding"] == "back_to_level_1"


def test_the_policy_package_imports_nothing_from_django():
    import pathlib

    source = pathlib.Path(__file__).resolve().parents[1]
    for path in source.glob("*.py"):
        text = path.read_text()
        assert "import django" not in text and "from django" not in text, path.name

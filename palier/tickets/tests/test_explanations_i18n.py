"""Every decision explains itself in fr, de and it (POLICY.md section 6), naming its facts.

The decisions come from the policy itself (rules L, D and E), so a new reason or refusal
without a translated text shows up here as English in a French explanation.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import formats, translation

from palier.policy import (
    BuiltBy,
    ContractFacts,
    ContractState,
    CustomizationFacts,
    Decision,
    Finding,
    RequestFacts,
    RequestType,
    decide,
    decide_after_finding,
)
from palier.testing.factories import make_customization, make_ticket
from palier.tickets.explanations import explain

LANGUAGES = ["fr", "de", "it"]
TODAY = dt.date(2026, 11, 20)
CONTRACT = ContractFacts(
    state=ContractState.ACTIVE,
    start=dt.date(2026, 1, 1),
    end=dt.date(2027, 6, 30),
    reference="MC-ALPEN-7",
    hourly_rate="185.00",
)
OBJECT = 'Auftragszeile: Spalte "Lieferzone"'
AUTHOR = "Beat Zürcher"
BUILT_ON = dt.date(2025, 3, 14)


def _custom(built_by: BuiltBy) -> CustomizationFacts:
    return CustomizationFacts(
        built_by=built_by,
        module="Finance",
        object=OBJECT,
        built_on=BUILT_ON,
        author=AUTHOR,
        authorization_reference="AUT-0042" if built_by == BuiltBy.CUSTOMER_AUTHORIZED else "",
    )


def _request(kind: RequestType, built_by: BuiltBy | None = None) -> RequestFacts:
    return RequestFacts(type=kind, module="Finance", customization=built_by and _custom(built_by))


def _after(kind: RequestType, finding: Finding, built_by: BuiltBy | None = None) -> Decision:
    request = _request(kind, built_by)
    return decide_after_finding(decide(request, CONTRACT, TODAY), request, finding, TODAY)


def _with_contract(**changes) -> ContractFacts:
    return ContractFacts(**{**CONTRACT.__dict__, **changes})


# One decision per row of POLICY.md tables L and D, and one per refusal of rule E.
ACCEPTED = {
    "L1 standard_usage": decide(_request(RequestType.USAGE), CONTRACT, TODAY),
    "L2 usage_of_vendor_customization": decide(
        _request(RequestType.USAGE, BuiltBy.VENDOR), CONTRACT, TODAY
    ),
    "L3 customer_built_customization": decide(
        _request(RequestType.USAGE, BuiltBy.CUSTOMER_AUTHORIZED), CONTRACT, TODAY
    ),
    "L4 standard_malfunction": decide(_request(RequestType.MALFUNCTION), CONTRACT, TODAY),
    "L5 customization_error": decide(
        _request(RequestType.MALFUNCTION, BuiltBy.VENDOR), CONTRACT, TODAY
    ),
    "L6 unauthorized_modification": decide(
        _request(RequestType.MALFUNCTION, BuiltBy.CUSTOMER_UNAUTHORIZED), CONTRACT, TODAY
    ),
    "L7 feature_request": decide(_request(RequestType.FEATURE), CONTRACT, TODAY),
    "L8 information_or_training": decide(_request(RequestType.TRAINING), CONTRACT, TODAY),
    "D1 customer_manipulation": _after(RequestType.MALFUNCTION, Finding.CUSTOMER_MANIPULATION),
    "D2 customization_error": _after(
        RequestType.MALFUNCTION, Finding.CUSTOMIZATION_ERROR, BuiltBy.VENDOR
    ),
    "D3 feature_request": _after(RequestType.USAGE, Finding.FEATURE_REQUEST),
    "D3 information_or_training": _after(RequestType.USAGE, Finding.INFORMATION_OR_TRAINING),
    "D4 product_defect": _after(RequestType.MALFUNCTION, Finding.PRODUCT_DEFECT),
    "D5 back_to_level_1": _after(RequestType.MALFUNCTION, Finding.BACK_TO_LEVEL_1, BuiltBy.VENDOR),
}
REFUSED = {
    "no_contract": (decide(_request(RequestType.USAGE), None, TODAY), None),
    "expired": (
        decide(
            _request(RequestType.USAGE),
            _with_contract(start=dt.date(2024, 1, 1), end=dt.date(2026, 10, 31)),
            TODAY,
        ),
        dt.date(2026, 10, 31),
    ),
    "suspended": (
        decide(_request(RequestType.USAGE), _with_contract(state=ContractState.SUSPENDED), TODAY),
        None,
    ),
    "terminated": (
        decide(
            _request(RequestType.USAGE),
            _with_contract(state=ContractState.TERMINATED, end=dt.date(2026, 9, 30)),
            TODAY,
        ),
        dt.date(2026, 9, 30),
    ),
    "terminated early": (
        decide(_request(RequestType.USAGE), _with_contract(state=ContractState.TERMINATED), TODAY),
        None,
    ),
    "not_started": (
        decide(_request(RequestType.USAGE), _with_contract(start=dt.date(2027, 1, 1)), TODAY),
        dt.date(2027, 1, 1),
    ),
}
# Words of the English source that must not survive in a translated explanation (case
# matters: German writes "Level 2" too).
ENGLISH = [
    "maintenance contract",
    "level 2",
    "level 1",
    "billable",
    "customization",
    " our ",
    "Your ",
]
GLOSSARY = {
    "fr": {"contract": "contrat de maintenance", "level1": "niveau 1", "level2": "niveau 2"},
    "de": {"contract": "Wartungsvertrag", "level1": "Level 1", "level2": "Level 2"},
    "it": {
        "contract": "contratto di manutenzione",
        "level1": "livello 1",
        "level2": "livello 2",
    },
}


def _day(value: dt.date, language: str) -> str:
    with translation.override(language):
        return formats.date_format(value, "DATE_FORMAT")


def _fields(decision: Decision, language: str) -> dict[str, str]:
    return {k: v for k, v in explain(decision, language).as_dict().items() if v}


def test_the_policy_tables_are_all_covered():
    reasons = {d.reason for d in ACCEPTED.values()}
    assert len(reasons) == 10  # every reason a decision can carry
    assert {d.refusal for d, _ in REFUSED.values()} == {
        "no_contract",
        "expired",
        "suspended",
        "terminated",
        "not_started",
    }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_each_decision_is_explained_in_the_language_not_in_english(case, language):
    decision = ACCEPTED[case]
    english, translated = _fields(decision, "en"), _fields(decision, language)
    assert (
        translated.keys()
        == english.keys()
        == {
            "headline",
            "why_level",
            "why_billable",
            "why_ticket",
        }
    )
    for key, text in translated.items():
        assert text != english[key], key
        leftovers = [word for word in ENGLISH if word in text]
        assert leftovers == [], (key, text)


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_each_decision_names_its_facts(case, language):
    decision = ACCEPTED[case]
    text = " ".join(_fields(decision, language).values())
    custom = decision.facts.get("customization")
    if custom and not decision.rnd and case[:2] not in ("D1", "D5", "D3"):
        assert OBJECT in text and AUTHOR in text and "Finance" in text
        assert _day(BUILT_ON, language) in text
        if custom["built_by"] == BuiltBy.CUSTOMER_AUTHORIZED:
            assert "AUT-0042" in text
    if decision.billable:
        assert "CHF 185.00" in text
    else:
        assert "MC-ALPEN-7" in text and _day(CONTRACT.end, language) in text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_level_and_contract_use_the_policy_words(case, language):
    decision = ACCEPTED[case]
    fields = _fields(decision, language)
    words = GLOSSARY[language]
    if decision.level == 2:
        assert words["level2"] in fields["headline"] and "Consulting" in fields["why_level"]
    elif not decision.rnd:
        assert words["level1"] in fields["headline"] and "Customer Services" in fields["headline"]
    assert words["contract"] in fields["why_billable"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", sorted(REFUSED))
def test_each_refusal_says_why_with_its_date_in_the_language(case, language):
    decision, date = REFUSED[case]
    english, translated = _fields(decision, "en"), _fields(decision, language)
    assert translated["refusal"] != english["refusal"]
    assert translated["headline"] != english["headline"]
    assert GLOSSARY[language]["contract"].lower() in translated["refusal"].lower()
    if date:
        assert _day(date, language) in translated["refusal"]
    else:
        assert not any(ch.isdigit() for ch in translated["refusal"]), translated["refusal"]
    assert [word for word in ENGLISH if word in translated["refusal"]] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_refusal_dates_are_the_ones_of_the_contract(language):
    expired, end = REFUSED["expired"]
    not_started, start = REFUSED["not_started"]
    assert _day(end, language) in explain(expired, language).refusal
    assert _day(start, language) not in explain(expired, language).refusal
    assert _day(start, language) in explain(not_started, language).refusal


@pytest.mark.django_db
def test_api_serves_the_explanation_in_the_tickets_language(world, api):
    custom = make_customization(
        world.customer_b, "Sales", "Liste des commandes: colonne « Zone »", "customer_authorized"
    )
    ticket = make_ticket(
        world.contact_b, "usage", "Colonne zone", module_name="Sales", customization=custom
    )
    body = api(world.contact_b).get(f"/tickets/{ticket.id}").json()
    explanation = body["explanation"]
    assert explanation["language"] == "fr"
    assert "Consulting (niveau 2)" in explanation["headline"]
    assert "Liste des commandes: colonne « Zone »" in explanation["why_level"]
    assert "AUTH-2026-017" in explanation["why_level"]
    assert "CHF 185.00" in explanation["why_billable"]
    german = api(world.contact_b).get(f"/tickets/{ticket.id}", lang="de").json()["explanation"]
    assert german["language"] == "de" and "Level 2" in german["headline"]


@pytest.mark.django_db
def test_the_module_is_named_in_the_readers_language_when_the_caller_has_it():
    from palier.customers.models import Module, Product

    product = Product.objects.create(name="Palier ERP", code="erp-x")
    module = Module.objects.create(
        product=product, code="fin", name="Finance", name_fr="Finances", name_de="Finanzen"
    )
    decision = decide(_request(RequestType.USAGE), CONTRACT, TODAY)
    assert "(Finances)" in explain(decision, "fr", module=module).why_level
    assert "(Finanzen)" in explain(decision, "de", module=module).why_level
    # No Italian name: the English one, as the policy decided on it.
    assert "(Finance)" in explain(decision, "it", module=module).why_level
    # Without the row, or for another module than the facts name, the facts' name stays.
    assert "(Finance)" in explain(decision, "fr").why_level
    other = Module.objects.create(product=product, code="hr", name="HR", name_fr="RH")
    assert "(Finance)" in explain(decision, "fr", module=other).why_level
    custom = _after(RequestType.MALFUNCTION, Finding.CUSTOMIZATION_ERROR, BuiltBy.VENDOR)
    assert "Finanzen" in explain(custom, "de", module=module).why_level

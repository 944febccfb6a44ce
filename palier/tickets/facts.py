"""Turn stored tickets and customers into the policy's facts."""

from __future__ import annotations

import contextlib
import datetime as dt

from palier.customers.models import Contract, Customer, Customization, Module
from palier.customers.queries import governing_contract
from palier.policy import (
    ContractFacts,
    Decision,
    Finding,
    PolicyError,
    RequestFacts,
    RequestType,
    decide,
    decide_accepted_anyway,
    decide_after_finding,
)


def request_facts(
    request_type: str, module_name: str, customization: Customization | None
) -> RequestFacts:
    return RequestFacts(
        type=RequestType(request_type),
        module=module_name,
        customization=customization.facts() if customization else None,
    )


def contract_facts(
    customer: Customer, today: dt.date
) -> tuple[Contract | None, ContractFacts | None]:
    contract = governing_contract(customer, today)
    return contract, (contract.facts() if contract else None)


def decide_request(
    customer: Customer,
    request_type: str,
    module: Module | None,
    customization: Customization | None,
    today: dt.date,
    *,
    requalifying: bool = False,
    finding: str = "",
) -> Decision:
    """What the policy decides for this request today: the one place actions and previews
    ask, so a preview always shows what the action will store. A request being requalified
    was accepted at intake and stays accepted even if the contract lapsed since; the finding
    of its diagnosis, if any, still holds (rule D again) where it applies to the request as
    it now reads (a finding about a malfunction falls when the request is no longer one)."""
    _contract, cfacts = contract_facts(customer, today)
    facts = request_facts(request_type, module.name if module else "", customization)
    decision = decide(facts, cfacts, today)
    if requalifying and not decision.accepted:
        decision = decide_accepted_anyway(facts, cfacts, today)
    if finding and decision.accepted:
        # A finding that no longer applies (back to level 1 from level 1) is dropped.
        with contextlib.suppress(PolicyError):
            decision = decide_after_finding(decision, facts, Finding(finding), today)
    return decision

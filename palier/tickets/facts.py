"""Turn stored tickets and customers into the policy's facts."""

from __future__ import annotations

import datetime as dt

from palier.customers.models import Contract, Customer, Customization
from palier.customers.queries import current_contract
from palier.policy import ContractFacts, RequestFacts, RequestType


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
    contract = current_contract(customer, today)
    return contract, (contract.facts() if contract else None)

"""Rules E, L and D of shared/POLICY.md section 4.

`decide` takes a request at intake; `decide_after_finding` takes an agent's diagnosis.
Both return a `Decision` that names the rules that fired and the facts they used, so that
the desk can store it, explain it and audit it. Today's date is an argument: the policy
never reads a clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any

from palier.policy.codes import BuiltBy, ContractState, Finding, Reason, Refusal, RequestType


class PolicyError(ValueError):
    """The facts given cannot be decided (e.g. a finding that does not apply)."""


@dataclass(frozen=True)
class ContractFacts:
    state: ContractState
    start: dt.date
    end: dt.date
    reference: str = ""
    hourly_rate: str = ""  # CHF per hour, as a decimal string, for the explanation


@dataclass(frozen=True)
class CustomizationFacts:
    built_by: BuiltBy
    module: str
    object: str
    built_on: dt.date | None = None
    author: str = ""
    authorization_reference: str = ""


@dataclass(frozen=True)
class RequestFacts:
    type: RequestType
    module: str = ""
    customization: CustomizationFacts | None = None


@dataclass(frozen=True)
class Decision:
    accepted: bool
    level: int | None = None  # 1 Customer Services, 2 Consulting; None when refused
    billable: bool = False
    reason: Reason | None = None
    refusal: Refusal | None = None
    refusal_date: dt.date | None = None  # the date that matters to a refusal
    rnd: bool = False  # handed to R&D (rule D4)
    rules: tuple[str, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form, for storage and for the API."""
        data = asdict(self)
        data["rules"] = list(self.rules)
        data["refusal_date"] = self.refusal_date.isoformat() if self.refusal_date else None
        return _jsonable(data)

    def facts_as_dict(self) -> dict[str, Any]:
        """`as_dict()["facts"]`, without copying the rest of the decision."""
        return _jsonable(self.facts)


def check_entitlement(contract: ContractFacts | None, today: dt.date) -> Decision | None:
    """Rule E: a refusal, or None when the contract is active on `today`."""
    if contract is None:
        return _refuse(Refusal.NO_CONTRACT, None, {})
    facts = {"contract": _contract_facts(contract), "today": today}
    if contract.state == ContractState.TERMINATED:
        # Its end date tells when it stopped only if it is past: an early termination of a
        # contract that would have run until next year has no date worth showing.
        return _refuse(Refusal.TERMINATED, contract.end if contract.end <= today else None, facts)
    if contract.state == ContractState.SUSPENDED:
        return _refuse(Refusal.SUSPENDED, None, facts)
    if today < contract.start:
        return _refuse(Refusal.NOT_STARTED, contract.start, facts)
    if today > contract.end:
        return _refuse(Refusal.EXPIRED, contract.end, facts)
    return None


def decide(request: RequestFacts, contract: ContractFacts | None, today: dt.date) -> Decision:
    """Rules E then L: entitlement, then the level and billability at intake."""
    refusal = check_entitlement(contract, today)
    if refusal is not None:
        return refusal
    assert contract is not None
    rule, level, reason = _intake_rule(request.type, request.customization)
    return Decision(
        accepted=True,
        level=level,
        billable=level == 2,
        reason=reason,
        rules=("E", rule),
        facts=_facts(request, contract, today),
    )


def decide_accepted_anyway(
    request: RequestFacts, contract: ContractFacts | None, today: dt.date
) -> Decision:
    """A manager accepts a refused request: rule L applies as if entitled, marked E-override."""
    rule, level, reason = _intake_rule(request.type, request.customization)
    facts = _facts(request, contract, today) if contract else {"today": today}
    return Decision(
        accepted=True,
        level=level,
        billable=level == 2,
        reason=reason,
        rules=("E-override", rule),
        facts=facts,
    )


def _intake_rule(
    kind: RequestType, customization: CustomizationFacts | None
) -> tuple[str, int, Reason]:
    built_by = customization.built_by if customization else None
    if kind == RequestType.USAGE:
        if built_by is None:
            return "L1", 1, Reason.STANDARD_USAGE
        if built_by == BuiltBy.VENDOR:
            return "L2", 1, Reason.USAGE_OF_VENDOR_CUSTOMIZATION
        return "L3", 2, Reason.CUSTOMER_BUILT_CUSTOMIZATION
    if kind == RequestType.MALFUNCTION:
        if built_by is None:
            return "L4", 1, Reason.STANDARD_MALFUNCTION
        if built_by == BuiltBy.CUSTOMER_UNAUTHORIZED:
            return "L6", 2, Reason.UNAUTHORIZED_MODIFICATION
        return "L5", 2, Reason.CUSTOMIZATION_ERROR
    if kind == RequestType.FEATURE:
        return "L7", 2, Reason.FEATURE_REQUEST
    if kind == RequestType.TRAINING:
        return "L8", 2, Reason.INFORMATION_OR_TRAINING
    raise PolicyError(f"unknown request type {kind!r}")


_FINDINGS: dict[Finding, tuple[str, Reason]] = {
    Finding.CUSTOMER_MANIPULATION: ("D1", Reason.CUSTOMER_MANIPULATION),
    Finding.CUSTOMIZATION_ERROR: ("D2", Reason.CUSTOMIZATION_ERROR),
    Finding.FEATURE_REQUEST: ("D3", Reason.FEATURE_REQUEST),
    Finding.INFORMATION_OR_TRAINING: ("D3", Reason.INFORMATION_OR_TRAINING),
    Finding.PRODUCT_DEFECT: ("D4", Reason.PRODUCT_DEFECT),
}


_MALFUNCTION_FINDINGS = frozenset(
    {Finding.CUSTOMER_MANIPULATION, Finding.CUSTOMIZATION_ERROR, Finding.PRODUCT_DEFECT}
)


def decide_after_finding(
    current: Decision, request: RequestFacts, finding: Finding, today: dt.date
) -> Decision:
    """Rule D: move an accepted request after diagnosis."""
    if not current.accepted:
        raise PolicyError("a refused request cannot be diagnosed")
    facts = {**current.facts, "finding": finding.value, "today": today}
    # D1, D2 and D4 are findings about a malfunction; on another type they do not apply.
    if finding in _MALFUNCTION_FINDINGS and request.type != RequestType.MALFUNCTION:
        raise PolicyError(f"{finding.value} applies only to a malfunction")
    if finding == Finding.BACK_TO_LEVEL_1:
        if current.level != 2:
            raise PolicyError("back_to_level_1 applies only to a level-2 request")
        reason = (
            Reason.STANDARD_MALFUNCTION
            if request.type == RequestType.MALFUNCTION
            else Reason.STANDARD_USAGE
        )
        return Decision(
            accepted=True,
            level=1,
            billable=False,
            reason=reason,
            rules=(*current.rules, "D5"),
            facts=facts,
        )
    rule, reason = _FINDINGS[finding]
    if finding == Finding.PRODUCT_DEFECT:
        return Decision(
            accepted=True,
            level=1,
            billable=False,
            reason=reason,
            rnd=True,
            rules=(*current.rules, rule),
            facts=facts,
        )
    return Decision(
        accepted=True,
        level=2,
        billable=True,
        reason=reason,
        rules=(*current.rules, rule),
        facts=facts,
    )


def _refuse(code: Refusal, date: dt.date | None, facts: dict[str, Any]) -> Decision:
    return Decision(accepted=False, refusal=code, refusal_date=date, rules=("E",), facts=facts)


def _contract_facts(contract: ContractFacts) -> dict[str, Any]:
    return {
        "reference": contract.reference,
        "state": contract.state.value,
        "start": contract.start,
        "end": contract.end,
        "hourly_rate": contract.hourly_rate,
    }


def _facts(request: RequestFacts, contract: ContractFacts, today: dt.date) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "type": request.type.value,
        "module": request.module,
        "contract": _contract_facts(contract),
        "today": today,
        "customization": None,
    }
    if request.customization:
        c = request.customization
        facts["customization"] = {
            "module": c.module,
            "object": c.object,
            "built_by": c.built_by.value,
            "built_on": c.built_on,
            "author": c.author,
            "authorization_reference": c.authorization_reference,
        }
    return facts


def _jsonable(value: Any) -> Any:
    """A JSON-ready copy, as `asdict` then the conversion of dates would make it."""
    if is_dataclass(value) and not isinstance(value, type):
        return _jsonable(asdict(value))
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value

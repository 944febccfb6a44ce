"""The support policy (shared/POLICY.md) as pure Python: facts in, decision out.

No Django import may appear in this package: it is tested alone and read as the policy.
"""

from palier.policy.codes import (
    BuiltBy,
    ContractState,
    Finding,
    Reason,
    Refusal,
    RequestType,
)
from palier.policy.decide import (
    ContractFacts,
    CustomizationFacts,
    Decision,
    PolicyError,
    RequestFacts,
    check_entitlement,
    decide,
    decide_accepted_anyway,
    decide_after_finding,
)

__all__ = [
    "BuiltBy",
    "ContractFacts",
    "ContractState",
    "CustomizationFacts",
    "Decision",
    "Finding",
    "PolicyError",
    "Reason",
    "Refusal",
    "RequestFacts",
    "RequestType",
    "check_entitlement",
    "decide",
    "decide_accepted_anyway",
    "decide_after_finding",
]

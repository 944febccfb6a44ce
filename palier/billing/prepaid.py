"""Rates and prepaid consulting balances: how much an hour costs, how much was bought."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from palier.billing import conf
from palier.billing.models import ContractRate, TimeEntry, hours_to_minutes, minutes_to_hours
from palier.customers.models import Contract


def rate_for(contract: Contract | None, activity: str) -> Decimal:
    """The contract's rate for this activity, else the setting's default for the activity,
    else the contract's hourly rate."""
    if contract is not None:
        row = ContractRate.objects.filter(contract=contract, activity=activity).first()
        if row is not None:
            return row.hourly_rate
    default = conf.default_rates().get(activity)
    if default is not None:
        return default
    if contract is not None:
        return contract.hourly_rate
    raise LookupError(activity)


@dataclass(frozen=True)
class PrepaidBalance:
    bought_minutes: int
    used_minutes: int

    @property
    def remaining_minutes(self) -> int:
        return max(self.bought_minutes - self.used_minutes, 0)

    @property
    def percent_used(self) -> int:
        if self.bought_minutes <= 0:
            return 0
        return int(self.used_minutes * 100 // self.bought_minutes)

    def as_dict(self) -> dict:
        return {
            "bought_hours": minutes_to_hours(self.bought_minutes),
            "used_hours": minutes_to_hours(self.used_minutes),
            "remaining_hours": minutes_to_hours(self.remaining_minutes),
            "percent_used": self.percent_used,
        }


def prepaid_balance(contract: Contract | None) -> PrepaidBalance:
    if contract is None:
        return PrepaidBalance(0, 0)
    used = TimeEntry.objects.filter(contract=contract).aggregate(m=Sum("prepaid_minutes"))["m"] or 0
    return PrepaidBalance(hours_to_minutes(contract.prepaid_hours), used)

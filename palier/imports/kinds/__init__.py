"""The kinds of tabular import, by name (`palier import KIND FILE`)."""

from __future__ import annotations

from palier.imports.engine import Kind
from palier.imports.kinds.contacts import ContactKind
from palier.imports.kinds.customers import ContractKind, CustomerKind
from palier.imports.kinds.customizations import CustomizationKind, InstallationKind

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        CustomerKind(),
        ContractKind(),
        CustomizationKind(),
        ContactKind(),
        InstallationKind(),
    )
}

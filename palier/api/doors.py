"""Each API write names its row of the permission table in the OpenAPI document.

`x-palier-permission` is the row (accounts/permissions.py) and `x-palier-roles` the roles it
allows; the action enforces it. `api/tests/test_permissions_walk.py` tries every write as
every role and checks the answer against the table, and fails on a write without a row.
"""

from __future__ import annotations

from palier.accounts.permissions import Permission, roles_allowed

# Answered by whoever holds the signed link of the consent mail, signed in or not.
SIGNED_LINK = "signed_link"


def needs(permission: Permission) -> dict:
    """`openapi_extra` of an operation the table governs."""
    return {"x-palier-permission": str(permission), "x-palier-roles": roles_allowed(permission)}


def by_signed_link() -> dict:
    return {"x-palier-permission": SIGNED_LINK, "x-palier-roles": []}

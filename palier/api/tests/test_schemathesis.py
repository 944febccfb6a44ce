"""A bounded schemathesis run over the whole API, as a contact, a customer admin, a level-1
agent and a manager: zero server errors, zero answers outside the OpenAPI document, zero
requests the document forbids that the API accepts.

Each operation gets a few valid cases and a few invalid ones per role (derandomized, so a
run is reproducible; PALIER_FUZZ_EXAMPLES raises the count for a longer hunt). Every case runs
in a savepoint rolled back afterwards, so that each meets the same desk.
"""

from __future__ import annotations

import contextlib
import os

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

schemathesis = pytest.importorskip("schemathesis")

from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from palier.accounts.actions import do_create_token  # noqa: E402
from palier.testing.factories import make_customization, make_ticket  # noqa: E402

EXAMPLES = int(os.environ.get("PALIER_FUZZ_EXAMPLES", "3"))
ROLES = ("contact_a", "admin_a", "agent", "manager")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def rolled_back():
    with contextlib.suppress(_Rollback), transaction.atomic():
        yield
        raise _Rollback


@pytest.fixture
def schema(world):
    """The schema served by the WSGI application itself (body limits and middleware
    included), calling it in this thread: the test's database connection stays open, as
    Django's test client keeps it."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from palier.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    make_ticket(world.contact_a, "malfunction", "Fuzz ticket", visibility="shared")
    make_customization(world.customer_a, "Sales", "Fuzz: Zone", "vendor")
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _run(operation, mode: GenerationMode, headers: dict[str, str], failures: list) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        with rolled_back():
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except Exception as failure:  # noqa: BLE001 (collected, reported together)
                failures.append(
                    f"{case.method} {case.formatted_path} {mode.value} -> "
                    f"{response.status_code}: {str(failure)[:400]}"
                )

    # Unsatisfiable: nothing of this operation can be made invalid (no parameter, no body).
    with contextlib.suppress(Unsatisfiable):
        run()


@pytest.mark.parametrize("role", ROLES)
def test_the_api_keeps_to_its_document_whatever_it_is_sent(world, schema, role):
    _token, raw = do_create_token(getattr(world, role), name="fuzz")
    headers = {"Authorization": f"Bearer {raw}"}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _run(operation, mode, headers, failures)
    assert operations > 60
    assert failures == [], "\n".join(failures[:40])

from __future__ import annotations

import pytest


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    """A CSV file of these lines (each written with its own separators), as Excel ends them."""
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.fixture
def numbered(world):
    """World customers A and B with their ERP numbers."""
    world.customer_a.reference = "10042"
    world.customer_a.save()
    world.customer_b.reference = "10043"
    world.customer_b.save()
    return world


@pytest.fixture(autouse=True)
def _english():
    """Messages in English whatever an earlier test (a token of a German contact) activated."""
    from django.utils import translation

    with translation.override("en"):
        yield

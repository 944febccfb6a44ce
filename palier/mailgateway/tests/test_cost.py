"""Ingest costs a fixed number of queries, whatever the size of the desk."""

from __future__ import annotations

from palier.mailgateway.actions import ingest


def _mail(i: int, subject: str = "Wie drucke ich?") -> bytes:
    return (
        f"From: anna.a@example.com\r\nSubject: {subject}\r\nMessage-ID: <cost-{i}@example.com>"
        "\r\n\r\nWie drucke ich eine Offerte?\r\n"
    ).encode()


def test_a_new_request_by_mail_costs_a_fixed_number_of_queries(
    world, smtp, django_assert_max_num_queries
):
    ingest(_mail(0), "test")  # warm caches (content types, first contract lookup)
    with django_assert_max_num_queries(20):
        ingest(_mail(1), "test")


def test_a_duplicate_delivery_costs_one_query(world, smtp, django_assert_max_num_queries):
    ingest(_mail(2), "test")
    with django_assert_max_num_queries(1):
        ingest(_mail(2), "test")

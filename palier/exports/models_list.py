"""Which records make up the desk, in an order where each comes after what it points to."""

from __future__ import annotations

from django.apps import apps
from django.db import models

# Every app of Palier holds the desk's records unless it is left out here, with the reason:
# an app added later (satisfaction was) is in the export without anyone remembering it.
EXCLUDED_APPS = {
    "mailgateway",  # the mail transport: raw messages and the outgoing queue
    "web",  # guards against a form sent twice
    "ops",  # the worker's bookkeeping
    "audit",  # the log of who changed what, kept by the desk that wrote it
    "dashboards",  # weekly reports sent, made again from the records
}
# Secrets, sessions and work in progress: not the desk's records.
EXCLUDED = {
    "accounts.apitoken",  # only hashes; a new desk makes new tokens
    "accounts.usersession",
    "accounts.trustedbrowser",
    "people.invitation",  # links die with the desk they were sent from
    "imports.importrun",  # uploaded files and their checks
    "webhooks.webhookdelivery",  # a delivery log, not a record
    "workspace.menustamp",  # a cache key the database's triggers change (workspace.menus)
}
# Fields that are never written out: a password hash opens nothing elsewhere.
EXCLUDED_FIELDS = {"accounts.user": {"password"}}


def desk_models() -> list[type[models.Model]]:
    found = [
        m
        for m in apps.get_models()
        if m.__module__.startswith("palier.")
        and m._meta.app_label not in EXCLUDED_APPS
        and m._meta.label_lower not in EXCLUDED
        and not m._meta.proxy
        and m._meta.managed
    ]
    return _ordered(found)


def _ordered(found: list[type[models.Model]]) -> list[type[models.Model]]:
    """Dependencies first (by foreign keys that cannot be empty, then those that can);
    a cycle (a ticket and its decision) is broken at a nullable key."""
    remaining = sorted(found, key=lambda m: m._meta.label_lower)
    ordered: list[type[models.Model]] = []
    for strict in (True, False):
        progress = True
        while remaining and progress:
            progress = False
            for model in list(remaining):
                needs = {
                    f.related_model
                    for f in model._meta.concrete_fields
                    if f.is_relation
                    and f.related_model is not model
                    and f.related_model in remaining
                    and (strict or not f.null)
                }
                if not needs:
                    ordered.append(model)
                    remaining.remove(model)
                    progress = True
    return ordered + remaining


def fields_of(model: type[models.Model]) -> list[models.Field]:
    skip = EXCLUDED_FIELDS.get(model._meta.label_lower, set())
    return [f for f in model._meta.concrete_fields if f.name not in skip and not f.primary_key]


def m2m_of(model: type[models.Model]) -> list[models.ManyToManyField]:
    return [f for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]

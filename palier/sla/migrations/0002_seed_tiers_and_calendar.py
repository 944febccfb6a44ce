"""Seed the standard and premium tiers and the default business calendar (Vaud, 8-12, 13-17)."""

from django.db import migrations

# criticality: (first response, resolution) in business hours
TIERS = {
    "standard": (
        "Standard",
        "Business hours, targets of a standard maintenance contract.",
        {"critical": (2, 16), "high": (4, 24), "medium": (8, 40), "low": (16, 80)},
    ),
    "premium": (
        "Premium",
        "Business hours, faster targets for production-critical customers.",
        {"critical": (1, 8), "high": (2, 16), "medium": (4, 24), "low": (8, 40)},
    ),
}
OFFICE = [["08:00", "12:00"], ["13:00", "17:00"]]


def seed(apps, schema_editor):
    ServiceTier = apps.get_model("sla", "ServiceTier")
    TargetRow = apps.get_model("sla", "TargetRow")
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    for code, (name, description, rows) in TIERS.items():
        tier, _ = ServiceTier.objects.get_or_create(
            code=code, defaults={"name": name, "description": description}
        )
        for criticality, (first, resolution) in rows.items():
            TargetRow.objects.get_or_create(
                tier=tier, criticality=criticality,
                defaults={"first_response_hours": first, "resolution_hours": resolution},
            )
    if not BusinessCalendar.objects.filter(is_default=True).exists():
        BusinessCalendar.objects.create(
            name="Vendor office", time_zone="Europe/Zurich", canton="VD", is_default=True,
            hours={str(day): OFFICE for day in range(5)},
        )


def unseed(apps, schema_editor):
    apps.get_model("sla", "ServiceTier").objects.filter(code__in=list(TIERS)).delete()
    apps.get_model("sla", "BusinessCalendar").objects.filter(is_default=True).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_service_levels")]
    operations = [migrations.RunPython(seed, unseed)]

"""Level-2 work joins the daily roll-up: a customization column, and the roll-up built again
(its closed days have no level-2 rows yet; until the worker's next run the panels read the
base tables, as without a roll-up)."""

from django.db import migrations, models


def restart_rollup(apps, schema_editor):
    apps.get_model("dashboards", "RollupState").objects.update(built_through=None)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0002_daily_rollup"),
    ]

    operations = [
        migrations.AddField(
            model_name="dayfigure",
            name="customization_id",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunPython(restart_rollup, migrations.RunPython.noop),
    ]

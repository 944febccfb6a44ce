"""The menu stamp: one row, changed by triggers whenever what the workspace's menus print
changes (customers' names and codes, modules' names, staff members, saved views; see
workspace.models.MenuStamp). Contacts do not change it: they are in no menu, and they come
and go with mail.

The triggers run in the transaction that makes the change, so the new stamp is seen exactly
when the change is. The stamp is random (64 bits), never a counter.
"""

import secrets

from django.db import migrations, models

# palier: lock-reviewed (a new table of one row; CREATE TRIGGER takes a brief lock on each
# table and rewrites nothing)

# (table, columns whose change is printed, condition on the row or "")
WATCHED = (
    ("customers_customer", ("name", "code"), ""),
    ("customers_module", ("name", "name_fr", "name_de", "name_it"), ""),
    (
        "accounts_user",
        ("first_name", "last_name", "username", "role", "is_active"),
        "{row}.role <> 'contact'",
    ),
    ("workspace_savedview", ("owner_id", "name", "shared", "query"), ""),
)

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION workspace_menu_stamp() RETURNS trigger AS $$
BEGIN
    INSERT INTO workspace_menustamp (id, stamp)
    VALUES (1, floor((random() - 0.5) * 1.8e19)::bigint)
    ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
SQLITE_BODY = (
    "BEGIN INSERT INTO workspace_menustamp (id, stamp) VALUES (1, random())"
    " ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp; END"
)


def _events(columns: tuple[str, ...], condition: str):
    """(name, event, WHEN condition) of each trigger of a watched table."""
    update_when = ""
    if condition:
        update_when = (
            f"{condition.format(row='OLD')} OR {condition.format(row='NEW')}"
        )
    return (
        ("insert", "INSERT", condition.format(row="NEW")),
        ("update", f"UPDATE OF {', '.join(columns)}", update_when),
        ("delete", "DELETE", condition.format(row="OLD")),
    )


def _up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    # The first stamp: without it a desk would read its menus on every page until the first
    # change to one of them.
    apps.get_model("workspace", "MenuStamp").objects.create(
        id=1, stamp=secrets.randbits(63) - 2**62
    )
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION)
    for table, columns, condition in WATCHED:
        for name, event, when in _events(columns, condition):
            trigger = f"{table}_menu_stamp_{name}"
            if vendor == "postgresql":
                schema_editor.execute(
                    f"CREATE TRIGGER {trigger} AFTER {event} ON {table} FOR EACH ROW"
                    + (f" WHEN ({when})" if when else "")
                    + " EXECUTE FUNCTION workspace_menu_stamp()"
                )
            elif vendor == "sqlite":
                schema_editor.execute(
                    f"CREATE TRIGGER {trigger} AFTER {event} ON {table}"
                    + (f" WHEN {when}" if when else "")
                    + f" {SQLITE_BODY}"
                )


def _down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    apps.get_model("workspace", "MenuStamp").objects.all().delete()
    for table, _columns, _condition in WATCHED:
        for name in ("insert", "update", "delete"):
            trigger = f"{table}_menu_stamp_{name}"
            if vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
            elif vendor == "sqlite":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS workspace_menu_stamp()")


class Migration(migrations.Migration):
    dependencies = [
        ("workspace", "0002_teams_tags_macros_notifications"),
        ("customers", "0004_customer_number_conflict_message"),
        ("accounts", "0005_external_identities"),
    ]

    operations = [
        migrations.CreateModel(
            name="MenuStamp",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("stamp", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(_up, _down),
    ]

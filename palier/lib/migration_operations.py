"""Migration operations that hold both databases.

`AddIndexConcurrently` builds an index without the table's write lock on PostgreSQL (the desk
keeps serving during `palier migrate`), but SQLite's schema editor knows no CONCURRENTLY:
there it is a plain index build (SQLite has one writer anyway). Use it in a migration with
`atomic = False` (palier.ops.migration_safety checks both).
"""

from __future__ import annotations

from django.contrib.postgres.operations import AddIndexConcurrently


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index)
        return None

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index)
        return None

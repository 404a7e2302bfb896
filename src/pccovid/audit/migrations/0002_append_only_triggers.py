"""Refuse UPDATE and DELETE of audit rows in the database itself, whatever code runs.

PostgreSQL refuses both (a test database is emptied with TRUNCATE, which row triggers do not see).
SQLite refuses UPDATE; its DELETE stays guarded by the model and queryset only, because Django empties
SQLite test databases with DELETE between transactional tests.
"""

from django.db import migrations

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_personaldataread_append_only
    BEFORE UPDATE OR DELETE ON audit_personaldataread
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS audit_personaldataread_append_only ON audit_personaldataread;
DROP FUNCTION IF EXISTS audit_refuse_change();
"""
SQLITE_TRIGGER = """
CREATE TRIGGER audit_personaldataread_no_update BEFORE UPDATE ON audit_personaldataread
BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS audit_personaldataread_no_update;"


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]

from django.db import migrations, models

BATCH = 5_000


def street_keys_fill(apps, schema_editor):
    """Records staged before the street key existed get it from their raw address, as an import would."""
    from pccovid.migration.adapters import COLUMNS, street_part
    from pccovid.migration.cleaning import street_key

    staged = apps.get_model("migration", "StagedRecord")
    for source, columns in COLUMNS.items():
        if not columns.address:
            continue
        changed = []
        rows = staged.objects.filter(source=source).only("pk", "raw").iterator(chunk_size=BATCH)
        for record in rows:
            street = street_part(str((record.raw or {}).get(columns.address) or ""))
            if street:
                record.street_key = street_key(street)
                changed.append(record)
            if len(changed) == BATCH:
                staged.objects.bulk_update(changed, ["street_key"])
                changed = []
        staged.objects.bulk_update(changed, ["street_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("migration", "0005_record_link_phone_claim"),
    ]

    operations = [
        migrations.AddField(
            model_name="stagedrecord",
            name="street_key",
            field=models.CharField(
                blank=True, help_text="House number and street, folded ('125/7 le loi').", max_length=200
            ),
        ),
        migrations.RunPython(street_keys_fill, migrations.RunPython.noop),
    ]

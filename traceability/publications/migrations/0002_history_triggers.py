"""The database refuses to change or delete history rows (see ``consultations.history``): events, decision
revisions, their clause links and snapshots. After the history chain is filled (dispositions 0012)."""

from django.db import migrations

from traceability.consultations.history import triggers_create, triggers_drop


def create(apps, schema_editor):
    triggers_create(schema_editor)


def drop(apps, schema_editor):
    triggers_drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0001_snapshot"),
        ("dispositions", "0012_history_chain"),
    ]

    operations = [migrations.RunPython(create, drop)]

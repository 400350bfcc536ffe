import django.db.models.deletion
from django.db import migrations, models

# Replies written between 0013 and this migration (by a server still running the code before 0013) take their
# process too, before the column becomes required.
LATE_BACKFILL = """
    UPDATE dispositions_response SET process_id = (
        SELECT s.process_id FROM dispositions_decisionrevision r
        JOIN consultations_submission s ON s.id = r.submission_id
        WHERE r.id = dispositions_response.revision_id
    )
    WHERE process_id IS NULL
"""


def late_backfill(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(LATE_BACKFILL)
        if cursor.rowcount and schema_editor.connection.vendor == "postgresql":
            # The foreign-key checks of those rows now, not at commit: the table is altered below.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    # Apart from 0013: on PostgreSQL a table cannot be altered in the transaction that left deferred foreign-key
    # checks pending on it (0013's backfill does).
    dependencies = [("dispositions", "0013_response_process")]

    operations = [
        migrations.RunPython(late_backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="response",
            name="process",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="consultations.process",
                verbose_name="process",
            ),
        ),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(
                models.F("process"),
                models.Case(models.When(answered_at__isnull=True, then=0), default=1),
                models.F("responded_at"),
                models.F("id"),
                condition=models.Q(("kind", "contest")),
                name="response_contest_queue",
            ),
        ),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(
                condition=models.Q(("answered_at__isnull", True), ("kind", "contest")),
                fields=["process"],
                name="response_contest_waiting",
            ),
        ),
    ]

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Each reply takes its decision's submission's process (one statement; a reply always has a revision).
BACKFILL = """
    UPDATE dispositions_response SET process_id = (
        SELECT s.process_id FROM dispositions_decisionrevision r
        JOIN consultations_submission s ON s.id = r.submission_id
        WHERE r.id = dispositions_response.revision_id
    )
"""


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0010_submission_language_search_and_list_indexes"),
        ("dispositions", "0012_history_chain"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="response", name="response_queue"),
        migrations.AddField(
            model_name="response",
            name="process",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="consultations.process",
                verbose_name="process",
            ),
        ),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
    ]

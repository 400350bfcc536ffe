import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    # Apart from 0013: on PostgreSQL a table cannot be altered in the transaction that left deferred foreign-key
    # checks pending on it (0013's backfill does).
    dependencies = [("dispositions", "0013_response_process")]

    operations = [
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

from django.db import migrations


class Migration(migrations.Migration):
    """The history is the revisions now: the events table and the links' old owner go."""

    dependencies = [("dispositions", "0005_revisions_from_dispositions")]

    operations = [
        migrations.RemoveField(model_name="clauselink", name="disposition"),
        migrations.DeleteModel(name="DispositionEvent"),
    ]

"""Exclusions on public morality withhold the submission's words from the public (decided before this
existed, too): set ``withheld`` on their revisions, dispositions and submissions."""

from django.db import migrations


def withhold(apps, schema_editor):
    DecisionRevision = apps.get_model("dispositions", "DecisionRevision")
    Disposition = apps.get_model("dispositions", "Disposition")
    Submission = apps.get_model("consultations", "Submission")
    DecisionRevision.objects.filter(ground="public_morality").update(withheld=True)
    Disposition.objects.filter(ground="public_morality").update(withheld=True)
    Submission.objects.filter(disposition__ground="public_morality").update(withheld=True)


class Migration(migrations.Migration):
    dependencies = [
        ("dispositions", "0008_decision_vocabulary_release_history"),
        ("consultations", "0006_decision_vocabulary_release_history"),
    ]

    operations = [migrations.RunPython(withhold, migrations.RunPython.noop)]

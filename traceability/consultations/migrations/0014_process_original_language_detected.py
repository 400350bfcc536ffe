"""Processes that existed before ``original_language``: the language their texts are written in, detected from
their title, summary and description, rather than the field's default (English) for all. Processes are few (tens,
not millions): one pass over them. A process whose language cannot be told keeps the default."""

from django.db import migrations


def detect_original_languages(apps, schema_editor):
    from traceability.consultations.content_languages import detect

    Process = apps.get_model("consultations", "Process")
    for process in Process.objects.only("pk", "title", "summary", "description").iterator():
        found = detect("\n".join((process.title, process.summary, process.description))).code
        if found:
            Process.objects.filter(pk=process.pk).update(original_language=found)


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0013_process_translations"),
    ]

    operations = [
        migrations.RunPython(detect_original_languages, migrations.RunPython.noop, elidable=True),
    ]

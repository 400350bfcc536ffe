import hashlib

from django.db import migrations


def _fingerprint(heading, text):
    return hashlib.sha256(" ".join(f"{heading}\n{text}".split()).encode("utf-8")).hexdigest()


def adopt_existing_versions(apps, schema_editor):
    """Versions imported before matching existed are adopted as they stand. A clause keeps the
    identity of the clause with the same anchor in the version before (anchors were meant to be
    permanent then); any other clause starts a new identity."""
    DocumentVersion = apps.get_model("outcomes", "DocumentVersion")
    Clause = apps.get_model("outcomes", "Clause")
    ClauseIdentity = apps.get_model("outcomes", "ClauseIdentity")
    previous: dict[tuple[int, str], int] = {}
    for version in DocumentVersion.objects.order_by("process_id", "number").iterator():
        version.adopted_at = version.created_at
        version.save(update_fields=["adopted_at"])
        clauses = list(Clause.objects.filter(version=version).order_by("position"))
        for clause in clauses:
            identity_id = previous.get((version.process_id, clause.eid))
            if identity_id is None:
                identity_id = ClauseIdentity.objects.create(process_id=version.process_id, introduced_in=version).pk
            clause.identity_id = identity_id
            clause.fingerprint = _fingerprint(clause.heading, clause.text)
            clause.linkable = clause.kind != "section"
        Clause.objects.bulk_update(clauses, ["identity", "fingerprint", "linkable"], batch_size=500)
        previous = {(version.process_id, clause.eid): clause.identity_id for clause in clauses}


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0002_clause_identity_and_matching")]

    operations = [migrations.RunPython(adopt_existing_versions, migrations.RunPython.noop)]

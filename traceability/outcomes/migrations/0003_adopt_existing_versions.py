import hashlib
from collections import Counter

from django.db import migrations


def _normal(heading, text):
    return " ".join(f"{heading}\n{text}".split())


def _fingerprint(heading, text):
    return hashlib.sha256(_normal(heading, text).encode("utf-8")).hexdigest()


def adopt_existing_versions(apps, schema_editor):
    """Versions imported before matching existed are adopted as they stand. A clause keeps the identity
    of the clause of the version before that has the same text (when exactly one has it); any other
    clause starts a new identity. Anchors are not trusted: they came from the numbering, so the same
    anchor in two versions may be two different paragraphs."""
    DocumentVersion = apps.get_model("outcomes", "DocumentVersion")
    Clause = apps.get_model("outcomes", "Clause")
    ClauseIdentity = apps.get_model("outcomes", "ClauseIdentity")
    previous: dict[str, int] = {}
    process = None
    for version in DocumentVersion.objects.order_by("process_id", "number").iterator():
        if version.process_id != process:
            process, previous = version.process_id, {}
        version.adopted_at = version.created_at
        version.save(update_fields=["adopted_at"])
        clauses = list(Clause.objects.filter(version=version).order_by("position"))
        taken: set[int] = set()
        for clause in clauses:
            identity_id = previous.get(_normal(clause.heading, clause.text))
            if identity_id is None or identity_id in taken:
                identity_id = ClauseIdentity.objects.create(process_id=version.process_id, introduced_in=version).pk
            taken.add(identity_id)
            clause.identity_id = identity_id
            clause.fingerprint = _fingerprint(clause.heading, clause.text)
            # Numbered headings ("§ 2") could be linked before and still can; unnumbered ones organise the text.
            clause.linkable = clause.kind != "section" or clause.label.startswith("§")
        Clause.objects.bulk_update(clauses, ["identity", "fingerprint", "linkable"], batch_size=500)
        texts = Counter(_normal(clause.heading, clause.text) for clause in clauses)
        previous = {
            _normal(clause.heading, clause.text): clause.identity_id
            for clause in clauses
            if texts[_normal(clause.heading, clause.text)] == 1
        }


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0002_clause_identity_and_matching")]

    operations = [migrations.RunPython(adopt_existing_versions, migrations.RunPython.noop)]

# ruff: noqa: E501, E402
"""Lists benchmark, step 1 (see docs/lists-and-search.md): a process, its groups, document and rounds in an empty,
migrated database. Run from the repository root:
    DATABASE_URL=postgres://.../db python manage.py shell -c "exec(open('bench/lists/setup.py').read())"
"""

import sys
from datetime import timedelta

sys.path.insert(0, ".")
from tests.factories import import_document, make_process, make_user
from traceability.accounts.models import User
from traceability.consultations.models import CommentRound

organiser = User.objects.create_user(
    email="bench-organiser@example.org", password="bench-pass-123", display_name="Bench Organiser"
)
author = make_user()
process = make_process(phase="closed", code="BENCH", organisers=(organiser,))
version = import_document(process, by=organiser)
for n in (1, 2, 3):
    CommentRound.objects.create(
        process=process,
        number=n,
        version=version,
        opens_at=process.opens_at + timedelta(days=n),
        closes_at=process.opens_at + timedelta(days=n, hours=12),
    )
print(
    "process", process.pk, "author", author.pk, "organiser", organiser.pk, "version", version.pk, "slug", process.slug
)
print("groups", list(process.groups.values_list("pk", flat=True)))
print("rounds", list(CommentRound.objects.filter(process=process).values_list("pk", flat=True)))
print("clauses", version.clauses.count())

# The texts' vocabulary (read by fill.sql and explain.py): the 5,000 commonest lower-case words of Django's sources.
import collections
import pathlib
import re

import django

counts = collections.Counter()
for path in sorted(pathlib.Path(django.__file__).parent.rglob("*.py"))[:3000]:
    counts.update(re.findall(r"\b[a-z]{3,12}\b", path.read_text(errors="ignore")))
pathlib.Path("/tmp/lists-vocab.txt").write_text("\n".join(word for word, _n in counts.most_common(5000)))

"""Benchmark a new version end to end, through the services and the pages, on a scratch database.

Takes the synthetic 2,000-clause document of ``match_bench.py`` and its next version, renders both as the
Markdown the import reads, and in a scratch database: imports the first version, decides N submissions
reflected in its paragraphs (bulk-loaded, as the services would write them), then times

- the import of the next version (parse, insert the clauses, propose the matching),
- its adoption (permanent identities, fingerprints, and the re-assessment of every current link),
- the organisers' matching page and the re-confirmation queue, and the public redline (first page each),

and prints how many submissions ended reflected and how many wait for re-confirmation.

    .venv/bin/python bench/version_bench.py                     # SQLite, 2,000 clauses, 10,000 submissions
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/trace_bench .venv/bin/python bench/version_bench.py

Like export_bench.py it never touches db.sqlite3 or the database DATABASE_URL names: it migrates a scratch
database beside it and drops it at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
import uuid
import warnings
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "bench-only-" + uuid.uuid4().hex)
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traceability.settings")
warnings.filterwarnings("ignore", "No directory at", UserWarning)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from export_bench import scratch_database  # noqa: E402
from match_bench import build_document, labels, next_version  # noqa: E402

from traceability.accounts.models import StakeholderKind, User  # noqa: E402
from traceability.consultations.models import Process, Submission, SubmissionStatus  # noqa: E402
from traceability.consultations.services import process_create_default_groups  # noqa: E402
from traceability.dispositions.bulk import bulk_decide  # noqa: E402
from traceability.dispositions.services import version_adopt  # noqa: E402
from traceability.outcomes.models import ClauseMatch  # noqa: E402
from traceability.outcomes.services import version_import  # noqa: E402


def markdown(items) -> str:  # type: ignore[no-untyped-def]
    lines = []
    for item, label in zip(items, labels(items), strict=True):
        if item.kind == "section":
            lines.append(f"## {item.text}")
        elif item.kind == "paragraph":
            lines.append(f"{label}. {item.text}")
        else:
            lines.append(f"({label.split('(')[1]} {item.text}")
    return "\n".join(lines) + "\n"


def timed(label: str, action):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - start
    print(f"{label:<52} {elapsed:8.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clauses", type=int, default=2000)
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    old_name = scratch_database()
    try:
        rng = random.Random(args.seed)
        old = build_document(rng, args.clauses)
        new = next_version(rng, old)
        print(
            f"{connection.vendor} ({platform.python_version()}, {os.cpu_count()} cores): "
            f"{len(old)} -> {len(new)} clauses, {args.submissions:,} decided submissions"
        )
        now = timezone.now()
        process = Process.objects.create(
            slug="bench", code="BENCH", title="Bench", opens_at=now - timedelta(days=60), closes_at=now
        )
        process_create_default_groups(process=process)
        organiser = User.objects.create_user(
            email="organiser@example.org",
            password="!",
            display_name="Organiser",
            stakeholder_kind=StakeholderKind.GOVERNMENT,
        )
        process.organisers.add(organiser)
        first = timed(
            "import version 1 (parse, insert; adopted at once)",
            lambda: version_import(process=process, source=markdown(old), label="Zero draft", created_by=organiser),
        )
        linkable = list(first.clauses.linkable().order_by("position"))
        group = process.groups.first()
        Submission.objects.bulk_create(
            Submission(
                process=process,
                number=n,
                reference=process.reference_for(n),
                author=organiser,
                stakeholder_group=group,
                author_name="Organiser",
                title=f"Suggestion {n}",
                text=f"Suggestion {n}.",
                text_sha256=Submission.hash_text(f"Suggestion {n}."),
                received_at=now - timedelta(days=1),
            )
            for n in range(1, args.submissions + 1)
        )
        ids = list(Submission.objects.filter(process=process).order_by("number").values_list("pk", flat=True))
        bulk_decide(
            [
                {
                    "submission_id": pk,
                    "kind": "reflected",
                    "extent": "full",
                    "decided_at": now,
                    "links": [
                        (linkable[(k * 7 + j * 13) % len(linkable)], "full" if j == 0 else "partial", "")
                        for j in range(1 + k % 2)
                    ],
                }
                for k, pk in enumerate(ids)
            ],
            organiser=organiser,
        )
        process.touch()

        second = timed(
            "import version 2 (parse, insert, propose the matching)",
            lambda: version_import(process=process, source=markdown(new), label="Revision 1", created_by=organiser),
        )
        timed(
            "adopt version 2 (identities, re-assess every link)", lambda: version_adopt(version=second, actor=organiser)
        )
        # collectstatic has not run here: serve the pages with plain static URLs, as in development.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        client = Client()
        client.force_login(organiser)
        for label, url in (
            ("matching page (first page)", reverse("outcomes:matching", args=[process.slug, 2])),
            ("re-confirmation queue (first page)", reverse("dispositions:reconfirm", args=[process.slug])),
            ("redline, public (first page)", reverse("reports:compare", args=[process.slug])),
        ):
            response = timed(label, lambda url=url: client.get(url))
            assert response.status_code == 200, (url, response.status_code)
        statuses = dict(
            Submission.objects.filter(process=process).values_list("status").annotate(n=django.db.models.Count("pk"))
        )
        relations = dict(
            ClauseMatch.objects.filter(version=second).values_list("relation").annotate(n=django.db.models.Count("pk"))
        )
        print(f"matching: {relations}")
        print(
            f"after adoption: {statuses.get(SubmissionStatus.REFLECTED, 0):,} reflected, "
            f"{statuses.get(SubmissionStatus.NEEDS_RECONFIRMATION, 0):,} waiting for re-confirmation"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

"""``report.json``: the aggregates of the report builder, with the addresses and times of this request.

Every number comes from ``reports.builder.build_aggregates``, the same code that published snapshots
freeze, so the live document and a snapshot of the same state agree. The mapping rows are not repeated
here: they are in ``mapping.json``. A fixed number of queries whatever the size of the process.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation

from traceability.consultations.models import Process
from traceability.reports.builder import build_aggregates
from traceability.reports.selectors import history_head, report_version

from .mapping import SCHEMA_VERSION, iso

# 2: clause ids are permanent identities; the report reads one adopted version.
# 3: a submitter shown by group only is not counted under their country (see ``countries``).
__all__ = ["SCHEMA_VERSION", "report_document"]

DOWNLOADS = {
    "mapping_csv": "reports:mapping-csv",
    "mapping_json": "reports:mapping-json",
    "disposition_of_comments_xlsx": "reports:doc-xlsx",
    "report_json": "reports:report-json",
}


def process_summary(process: Process, absolute: Callable[[str], str]) -> dict[str, object]:
    """What identifies the process; ``absolute`` makes a path an address (``request.build_absolute_uri``, or the
    site's address when a task writes the file)."""
    return {
        "slug": process.slug,
        "code": process.code,
        "title": process.title,
        "phase": str(process.phase()),
        "opens_at": iso(process.opens_at),
        "closes_at": iso(process.closes_at),
        "published_at": iso(process.published_at),
        "url": absolute(process.get_absolute_url()),
        "report_url": absolute(reverse("reports:report", args=[process.slug])),
    }


def download_links(process: Process, request: HttpRequest) -> dict[str, str]:
    return {key: request.build_absolute_uri(reverse(name, args=[process.slug])) for key, name in DOWNLOADS.items()}


def report_document(process: Process, request: HttpRequest) -> dict[str, object]:
    version = report_version(process)
    aggregates = build_aggregates(
        process=process, version=version, language=translation.get_language() or "en", older=True
    )
    document = request.build_absolute_uri(reverse("outcomes:document", args=[process.slug]))
    if aggregates["document_version"] is not None:
        described = dict(aggregates["document_version"])
        described.pop("title")  # not part of report.json's documented schema
        aggregates["document_version"] = {**described, "url": f"{document}?version={version.number}"}
    now = iso(timezone.now())
    return {
        "schema_version": SCHEMA_VERSION,
        "process": process_summary(process, request.build_absolute_uri),
        "generated_at": now,
        # The counts are those of the data as it is now: kept per version of the data, which every change moves.
        "computed_at": now,
        **aggregates,
        "clauses": [{**clause, "url": f"{document}#{clause['eid']}"} for clause in aggregates["clauses"]],
        "downloads": download_links(process, request),
        "history": history_summary(process),
    }


def history_summary(process: Process) -> dict[str, object] | None:
    """The head of the process's history chain, for anyone to compare with ``manage.py verify_history``."""
    head = history_head(process)
    return {"entries": head.entries, "head": head.entry_hash} if head else None

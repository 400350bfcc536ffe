"""``report.json``: the indicators, the per-group, per-country and per-clause aggregates, and links to the rows.

Every number is an SQL aggregate (the indicators come from ``indicators_for``, cached per
``stats_version``; the clauses from one aggregate query), so the document costs a fixed
number of queries whatever the size of the process.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django_countries import countries

from traceability.consultations.models import Process, StakeholderGroup
from traceability.outcomes.models import Clause, DocumentVersion
from traceability.reports.indicators import CACHE_SECONDS, COUNT_FIELDS, Counts, Interaction, Ratio, indicators_for
from traceability.reports.selectors import clause_counts, report_version

from .mapping import iso

SCHEMA_VERSION = 2  # 2: clause ids are permanent identities; the report reads one adopted version

DOWNLOADS = {
    "mapping_csv": "reports:mapping-csv",
    "mapping_json": "reports:mapping-json",
    "disposition_of_comments_xlsx": "reports:doc-xlsx",
    "report_json": "reports:report-json",
}


def english_name(code: str) -> str | None:
    """The country's English name, whatever the language of the request (the document's names are stable)."""
    if not code:
        return None
    with translation.override("en"):
        return str(countries.name(code)) or None


def clause_aggregates(process: Process, version: DocumentVersion) -> list[dict[str, object]]:
    """Per clause of ``version``: submissions whose uptake it carries, fully and partly, and their distinct
    groups (two queries). Links waiting for re-confirmation do not count; a link counts for the clause
    that carries its permanent identity in ``version``, or the identity it was merged into."""
    counts = clause_counts(process)
    rows = []
    for clause in (
        Clause.objects.filter(version=version)
        .order_by("position")
        .values("identity_id", "eid", "label", "heading", "kind", "depth", "linkable")
    ):
        row = counts.get(clause["identity_id"], {})
        rows.append(
            {
                **clause,
                "reflected_full": row.get("full", 0),
                "reflected_partial": row.get("partial", 0),
                "stakeholder_groups": row.get("groups", 0),
            }
        )
    return rows


def clause_rows(process: Process, version: DocumentVersion) -> list[dict[str, object]]:
    """The clause aggregates, cached like the indicators: every write that changes them bumps ``stats_version``."""
    # The creation times tell apart rows that reuse the id of a deleted one (SQLite reuses ids).
    born = f"{process.created_at.timestamp()}:{version.created_at.timestamp()}"
    key = f"trace:clauses:{process.pk}:{version.pk}:{born}:{process.stats_version}"
    return cache.get_or_set(key, lambda: clause_aggregates(process, version), CACHE_SECONDS)


def ratio(share: Ratio) -> dict[str, object]:
    value = share.value
    return {
        "numerator": share.numerator,
        "denominator": share.denominator,
        "value": value,
        "empty_reason": None if value is not None else str(share.empty_reason),
    }


def counts(of: Counts) -> dict[str, object]:
    return {
        **{name: getattr(of, name) for name in COUNT_FIELDS},
        "reflected": of.reflected,
        "excluded": of.excluded,
        "dispositioned": of.dispositioned,
        "rates": {
            "coverage": ratio(of.coverage),
            "uptake": ratio(of.uptake),
            "uptake_full": ratio(of.uptake_full),
            "uptake_partial": ratio(of.uptake_partial),
            "justified_exclusion": ratio(of.justified_exclusion),
        },
    }


def interaction(of: Interaction, *, median: bool = True) -> dict[str, object]:
    """After-consultation interaction: each share as a ratio, and (for the whole process) the median wait."""
    shares = {
        "replied": ratio(of.replied_share),
        "contested": ratio(of.contested_share),
        "contests_answered": ratio(of.answered_share),
    }
    if not median:
        return shares
    return {
        **shares,
        "median_days_to_answer": of.median_days_to_answer,
        "median_empty_reason": of.median_missing or None,
    }


def process_summary(process: Process, request: HttpRequest) -> dict[str, object]:
    return {
        "slug": process.slug,
        "code": process.code,
        "title": process.title,
        "phase": str(process.phase()),
        "opens_at": iso(process.opens_at),
        "closes_at": iso(process.closes_at),
        "published_at": iso(process.published_at),
        "url": request.build_absolute_uri(process.get_absolute_url()),
        "report_url": request.build_absolute_uri(reverse("reports:report", args=[process.slug])),
    }


def download_links(process: Process, request: HttpRequest) -> dict[str, str]:
    return {key: request.build_absolute_uri(reverse(name, args=[process.slug])) for key, name in DOWNLOADS.items()}


def report_document(process: Process, request: HttpRequest) -> dict[str, object]:
    indicators = indicators_for(process)
    totals = indicators.totals
    kinds = dict(StakeholderGroup.objects.filter(process=process).values_list("pk", "kind"))
    version = report_version(process)
    document = request.build_absolute_uri(reverse("outcomes:document", args=[process.slug]))
    parity, balance, speed = indicators.parity, indicators.balance, indicators.responsiveness
    return {
        "schema_version": SCHEMA_VERSION,
        "process": process_summary(process, request),
        "generated_at": iso(timezone.now()),
        "computed_at": iso(indicators.computed_at),
        "stats_version": indicators.stats_version,
        "indicators": {
            "coverage": ratio(totals.coverage),
            "uptake": ratio(totals.uptake),
            "uptake_full": ratio(totals.uptake_full),
            "uptake_partial": ratio(totals.uptake_partial),
            "justified_exclusion": ratio(totals.justified_exclusion),
            "uptake_parity": {
                "value": parity.value,
                "lowest_group": parity.lowest or None,
                "highest_group": parity.highest or None,
                "empty_reason": None if parity.value is not None else str(parity.empty_reason),
            },
            "participation_balance": {
                "value": balance.value,
                "groups": balance.groups,
                "empty_reason": None if balance.value is not None else str(balance.empty_reason),
            },
            "reach": {"countries": indicators.countries_reached, "organisations": indicators.organisations_reached},
            "responsiveness": {
                "median_days": speed.median_days,
                "decided": speed.decided,
                "empty_reason": None if speed.median_days is not None else str(speed.empty_reason),
            },
            "after_consultation_interaction": interaction(indicators.interaction),
        },
        "totals": counts(totals),
        "groups": [
            {
                "name": g.name,
                "kind": kinds.get(g.pk) or None,
                **counts(g.counts),
                "after_consultation_interaction": interaction(g.interaction, median=False),
            }
            for g in indicators.groups
        ],
        "countries": [
            {"code": c.code or None, "name": english_name(c.code), **counts(c.counts)} for c in indicators.countries
        ],
        "document_version": (
            {
                "number": version.number,
                "label": version.label,
                "status": version.status,
                "url": f"{document}?version={version.number}",
            }
            if version
            else None
        ),
        "clauses": [
            {
                "id": clause["identity_id"],
                "eid": clause["eid"],
                "label": clause["label"],
                "heading": clause["heading"],
                "kind": clause["kind"],
                "depth": clause["depth"],
                "linkable": clause["linkable"],
                "url": f"{document}#{clause['eid']}",
                "reflected_full": clause["reflected_full"],
                "reflected_partial": clause["reflected_partial"],
                "reflected": clause["reflected_full"] + clause["reflected_partial"],
                "stakeholder_groups": clause["stakeholder_groups"],
            }
            for clause in (clause_rows(process, version) if version else ())
        ],
        "downloads": download_links(process, request),
    }

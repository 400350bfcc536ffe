"""The one builder of the public report's data: a process and a version in, plain data out.

It never sees a request: no host, no address, no language of a reader. The live ``report.json``
(which adds the addresses and times of the request around it) and the published snapshots (which
freeze it as canonical JSON) both call it, so the two cannot say different things.

The data holds no person's name, e-mail or organisation: a stakeholder may delete their account later,
and a frozen snapshot must then hold nothing of them. Only the stakeholder group and country a submission
was filed under, which stay in the public record, are there.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.utils import translation
from django_countries import countries

from traceability.consultations.models import Process, StakeholderGroup, Submission, SubmissionStatus
from traceability.consultations.regions import Region
from traceability.dispositions.models import ClauseLink, ExclusionGround
from traceability.dispositions.selectors import LinkState
from traceability.outcomes.models import Clause, DocumentVersion

from .caching import process_figures, process_key, remake
from .exports.mapping import current_clauses, day, iso
from .indicators import (
    CACHE_SECONDS,
    COUNT_FIELDS,
    CountryRow,
    Counts,
    Indicators,
    Interaction,
    Ratio,
    indicators_exact,
    indicators_for,
)
from .selectors import clause_counts

# The language of every word the builder writes itself (reasons a rate is empty, country names).
CANONICAL_LANGUAGE = "en"


# ----------------------------------------------------------------------------- aggregates


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


def _clause_rows_key(process: Process, version: DocumentVersion) -> str:
    # The version's creation time tells apart a version that reuses the id of a deleted one (SQLite reuses ids).
    return process_key(process, "clauses", "v3", version.pk, version.created_at.timestamp())


def clause_rows(
    process: Process, version: DocumentVersion, *, exact: bool = True
) -> tuple[list[dict[str, object]], datetime | None]:
    """The clause aggregates, kept per ``stats_version`` (every write that changes them bumps it), and ``None``;
    unless ``exact``, after a decision: the aggregates as they were and when they were made, while a background
    task makes them again (they read every current link: seconds at a million decided submissions)."""
    from .tasks import enqueue_figures, refresh_clause_rows

    return process_figures(
        process,
        _clause_rows_key(process, version),
        lambda: clause_aggregates(process, version),
        CACHE_SECONDS,
        refresh=lambda: enqueue_figures(refresh_clause_rows, process.pk, version.pk),
        exact=exact,
    )


def remake_clause_rows(process_id: int, version_id: int) -> bool:
    """Count the clause aggregates again as the data is now and keep them (``clause_rows``' background task)."""
    process = Process.objects.filter(pk=process_id).first()
    version = DocumentVersion.objects.filter(pk=version_id, process_id=process_id).first()
    if process is None or version is None:
        return False
    key = _clause_rows_key(process, version)
    remake(key, process.stats_version, lambda: clause_aggregates(process, version), CACHE_SECONDS)
    return True


def ratio(share: Ratio) -> dict[str, object]:
    value = share.value
    return {
        "numerator": share.numerator,
        "denominator": share.denominator,
        "value": value,
        "empty_reason": None if value is not None else str(share.empty_reason),
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


def counts(of: Counts) -> dict[str, object]:
    return {
        **{name: getattr(of, name) for name in COUNT_FIELDS},
        "reflected": of.reflected,
        "excluded": of.excluded,
        "left_out": of.left_out,
        "dispositioned": of.dispositioned,
        "rates": {
            "coverage": ratio(of.coverage),
            "uptake": ratio(of.uptake),
            "uptake_full": ratio(of.uptake_full),
            "uptake_partial": ratio(of.uptake_partial),
            "justified_exclusion": ratio(of.justified_exclusion),
        },
    }


def indicator_values(indicators: Indicators) -> dict[str, object]:
    totals = indicators.totals
    parity, balance, speed = indicators.parity, indicators.balance, indicators.responsiveness
    return {
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
    }


def country(row: CountryRow) -> dict[str, object]:
    """One entry of the breakdown by country: a country, a region, not given, or not disclosed."""
    if row.code:
        location = "country"
    elif row.region:
        location = "region"
    else:
        location = "not_given" if row.disclosed else "not_disclosed"
    name = english_name(row.code)
    if row.region:
        with translation.override(CANONICAL_LANGUAGE):
            name = str(Region(row.region).label)
    return {
        "code": row.code or None,
        "region": row.region or None,
        "name": name,
        "location": location,
        **counts(row.counts),
    }


def version_summary(version: DocumentVersion | None) -> dict[str, object] | None:
    if version is None:
        return None
    return {"number": version.number, "label": version.label, "title": version.title, "status": version.status}


def build_aggregates(
    *,
    process: Process,
    version: DocumentVersion | None,
    language: str = CANONICAL_LANGUAGE,
    older: bool = False,
) -> dict[str, object]:
    """The indicators, the counts overall, per stakeholder group, per country and per clause of ``version``.

    A fixed number of queries whatever the size (each is an SQL aggregate, cached per ``stats_version``).
    Words the builder writes (why a rate has no value) are in ``language``; country names are English.
    ``older``: the clauses' counts and the after-consultation interaction may be those read before the last
    decisions or replies, while they are read again (``clause_rows``, ``indicators_for``); then ``clauses_as_of``
    and ``interaction_as_of`` say when they were read (``None`` when current). Else (a published snapshot) every
    figure is read as the data is now.
    """
    with translation.override(language):
        indicators = indicators_for(process) if older else indicators_exact(process)
        kinds = dict(StakeholderGroup.objects.filter(process=process).values_list("pk", "kind"))
        clauses, clauses_as_of = clause_rows(process, version, exact=not older) if version else ([], None)
        optional = (
            {"clauses_as_of": iso(clauses_as_of), "interaction_as_of": iso(indicators.interaction_as_of)}
            if older
            else {}
        )
        return {
            "stats_version": indicators.stats_version,
            "indicators": indicator_values(indicators),
            "totals": counts(indicators.totals),
            "groups": [
                {
                    "name": g.name,
                    "kind": kinds.get(g.pk) or None,
                    **counts(g.counts),
                    "after_consultation_interaction": interaction(g.interaction, median=False),
                }
                for g in indicators.groups
            ],
            "countries": [country(c) for c in indicators.countries],
            "document_version": version_summary(version),
            "clauses": [
                {
                    "id": clause["identity_id"],
                    "eid": clause["eid"],
                    "label": clause["label"],
                    "heading": clause["heading"],
                    "kind": clause["kind"],
                    "depth": clause["depth"],
                    "linkable": clause["linkable"],
                    "reflected_full": clause["reflected_full"],
                    "reflected_partial": clause["reflected_partial"],
                    "reflected": clause["reflected_full"] + clause["reflected_partial"],
                    "stakeholder_groups": clause["stakeholder_groups"],
                }
                for clause in clauses
            ],
            **optional,
        }


# ----------------------------------------------------------------------------- the mapping

_SUBMISSION_FIELDS = (
    "pk",
    "reference",
    "number",
    "stakeholder_group__name",
    "stakeholder_group__kind",
    "public_country",
    "public_region",
    "status",
    "round__number",
    "received_at",
    "withdrawn_at",
    "text_sha256",
    "title",
    "text",
    "withheld",
    "disposition__duplicate_of__reference",
    "disposition__kind",
    "disposition__ground",
    "disposition__extent",
    "disposition__legal_provision",
    "disposition__justification",
    "disposition__decided_at",
    "disposition__first_decided_at",
)


def public_words(submission: dict[str, object]) -> dict[str, str | None]:
    """The title and text of a submission as the public may read them: the one place that decides it.

    ``submission`` is a mapping row (its ``status``, its decision's ``ground`` and the stored ``title`` and
    ``text``, and whether it is ``withheld``). A withdrawn submission's words are not public, nor are those
    of a submission withheld (excluded on public morality, or on a legal ground that requires it).
    """
    if submission["status"] == SubmissionStatus.WITHDRAWN or submission.get("withheld"):
        return {"title": None, "text": None}
    return {"title": submission["title"], "text": submission["text"]}


def _links_by_submission(process: Process, version: DocumentVersion | None) -> dict[int, list[dict[str, object]]]:
    """Every current decision's links, with where its clause is in ``version`` (three queries)."""
    now = current_clauses(process, version)
    links = (
        ClauseLink.objects.filter(revision__current_of__submission__process=process)
        .order_by("revision__submission_id", "clause__position", "pk")
        .values_list("revision__submission_id", "identity_id", "fingerprint", "extent", "note")
    )
    by_submission: dict[int, list[dict[str, object]]] = {}
    for submission_id, identity, fingerprint, extent, note in links:
        eid, label, now_fingerprint = now.get(identity, (None, None, None))
        if eid is None:
            state = LinkState.REMOVED
        else:
            state = LinkState.CONFIRMED if now_fingerprint == fingerprint else LinkState.SUSPECT
        by_submission.setdefault(submission_id, []).append(
            {"clause_id": identity, "eid": eid, "label": label, "extent": extent, "note": note or None, "state": state}
        )
    return by_submission


def mapping_entries(process: Process, version: DocumentVersion | None) -> Iterator[dict[str, object]]:
    """One entry per submission, in receipt order, with its current decision and its clause links.

    Four queries whatever the size. A withdrawn submission keeps its reference, group, country, round,
    dates and receipt hash, and nothing of its words or of a decision it had before.
    """
    links = _links_by_submission(process, version)
    rows = (
        Submission.objects.filter(process=process)
        .with_public_location(process)
        .order_by("number")
        .values(*_SUBMISSION_FIELDS)
    )
    for row in rows.iterator(chunk_size=500):
        status = row["status"]
        decided = status not in (SubmissionStatus.PENDING, SubmissionStatus.WITHDRAWN)
        excluded = status == SubmissionStatus.EXCLUDED
        not_taken_up = status == SubmissionStatus.NOT_TAKEN_UP
        reflected = status in (SubmissionStatus.REFLECTED, SubmissionStatus.NEEDS_RECONFIRMATION)
        ground = row["disposition__ground"] if excluded else None
        reason = None
        if excluded:
            legal = ground == ExclusionGround.LEGAL
            reason = row["disposition__legal_provision"] if legal else row["disposition__justification"]
        elif not_taken_up:
            reason = row["disposition__justification"]
        yield {
            "reference": row["reference"],
            "number": row["number"],
            "stakeholder_group": row["stakeholder_group__name"],
            "stakeholder_group_kind": row["stakeholder_group__kind"] or None,
            "country": row["public_country"] or None,
            "region": row["public_region"] or None,
            "round": row["round__number"],
            "status": status,
            "decision": row["disposition__kind"] if decided else None,
            "ground": ground or None,
            "reason": reason or None,
            "extent": (row["disposition__extent"] or None) if reflected else None,
            "links": links.get(row["pk"], []) if reflected else [],
            "received_at": day(row["received_at"]),
            "withdrawn_at": day(row["withdrawn_at"]),
            "decided_at": day(row["disposition__decided_at"]) if decided else None,
            "first_decided_at": day(row["disposition__first_decided_at"]) if decided else None,
            # A withheld text's hash would tell it apart from (or match it with) a public text, or confirm a guess.
            "receipt_sha256": None if row["withheld"] else row["text_sha256"],
            "withheld": bool(row["withheld"]),
            "same_as": row["disposition__duplicate_of__reference"] if decided else None,
            **public_words(
                {
                    "status": status,
                    "ground": ground,
                    "withheld": row["withheld"],
                    "title": row["title"],
                    "text": row["text"],
                }
            ),
        }


def build_report(
    *, process: Process, version: DocumentVersion | None, language: str = CANONICAL_LANGUAGE
) -> dict[str, object]:
    """The full public report of ``process`` computed against ``version``: the aggregates and the mapping.

    Takes no request: everything in it follows from the state of the database, so the same state gives
    the same data. The mapping is read in memory here; see ``docs/report-json.md`` on scale.
    """
    return {
        "process": {
            "slug": process.slug,
            "code": process.code,
            "title": process.title,
            "opens_at": iso(process.opens_at),
            "closes_at": iso(process.closes_at),
        },
        **build_aggregates(process=process, version=version, language=language),
        "mapping": list(mapping_entries(process, version)),
    }

"""The snapshot document: the report builder's data with a header, as canonical JSON, and what changed since
the snapshot before.

Canonical means: keys sorted, no insignificant whitespace, UTF-8 without escaping, times in UTC, nothing that
depends on a request (no host, no reader's language). The same state of the database and the same header
give the same bytes, so anyone can recompute the SHA-256 shown on the report from the downloaded file.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from traceability.consultations.models import Process, SubmissionStatus
from traceability.outcomes.models import DocumentVersion
from traceability.reports.builder import build_report
from traceability.reports.exports.mapping import iso

# 2: no country for a submission not shown by name (a region instead when the process chooses), dates to
# the day, ``region`` in each mapping entry and in ``countries``.
SCHEMA_VERSION = 2
# References listed by name in a change summary; beyond that only the count is kept.
LISTED_REFERENCES = 100


def canonical_bytes(document: dict[str, object]) -> bytes:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def snapshot_document(
    *,
    process: Process,
    version: DocumentVersion,
    number: int,
    published_at: datetime,
    previous_sha256: str | None,
) -> dict[str, object]:
    """The full report of ``process`` against ``version``, headed by what identifies this snapshot."""
    return {
        "schema_version": SCHEMA_VERSION,
        "snapshot": {
            "process_code": process.code,
            "process_slug": process.slug,
            "number": number,
            "version_number": version.number,
            "version_label": version.label,
            "version_title": version.title,
            "published_at": iso(published_at),
            "previous_sha256": previous_sha256,
        },
        **build_report(process=process, version=version),
    }


# ----------------------------------------------------------------------------- what changed

_UNDECIDED = (SubmissionStatus.PENDING, None)


def _decision(entry: dict[str, object]) -> tuple[object, ...]:
    links = tuple((link["clause_id"], link["extent"], link["note"], link["state"]) for link in entry.get("links", []))
    return (entry["status"], entry["decision"], entry["ground"], entry["reason"], entry["extent"], links)


def _indicator_values(document: dict[str, object]) -> dict[str, float | int | None]:
    indicators = document["indicators"]
    values: dict[str, float | int | None] = {
        name: indicators[name]["value"]
        for name in ("coverage", "uptake", "uptake_full", "uptake_partial", "justified_exclusion")
    }
    values["uptake_parity"] = indicators["uptake_parity"]["value"]
    values["participation_balance"] = indicators["participation_balance"]["value"]
    values["reach_countries"] = indicators["reach"]["countries"]
    values["reach_organisations"] = indicators["reach"]["organisations"]
    values["responsiveness_days"] = indicators["responsiveness"]["median_days"]
    interaction = indicators.get("after_consultation_interaction")  # absent from snapshots made before it
    if interaction is not None:
        for name in ("replied", "contested", "contests_answered"):
            values[f"interaction_{name}"] = interaction[name]["value"]
        values["interaction_median_days_to_answer"] = interaction["median_days_to_answer"]
    return values


def change_summary(previous: dict[str, object] | None, current: dict[str, object]) -> dict[str, object]:
    """What changed from the snapshot document ``previous`` to ``current``: decisions added (a submission
    pending or absent before has a decision now), decisions changed (status, kind, ground, reason, extent or
    clause links differ), and each indicator before and after."""
    if previous is None:
        return {"first": True}
    before = {entry["reference"]: entry for entry in previous["mapping"]}
    added: list[str] = []
    changed: list[str] = []
    for entry in current["mapping"]:
        old = before.get(entry["reference"])
        if old is None or old["status"] in _UNDECIDED:
            if entry["status"] not in _UNDECIDED:
                added.append(entry["reference"])
        elif _decision(old) != _decision(entry):
            changed.append(entry["reference"])
    old_values, new_values = _indicator_values(previous), _indicator_values(current)
    return {
        "first": False,
        "previous_number": previous["snapshot"]["number"],
        "decisions_added": {"count": len(added), "references": added[:LISTED_REFERENCES]},
        "decisions_changed": {"count": len(changed), "references": changed[:LISTED_REFERENCES]},
        "indicators": [
            {"name": name, "before": old_values.get(name), "after": new_values[name]} for name in new_values
        ],
    }

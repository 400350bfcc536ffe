"""What the report page shows of the published snapshots (a panel the reports app includes)."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from traceability.consultations.models import Process

from .selectors import latest_snapshot

INDICATOR_NAMES = {
    "coverage": _("Coverage"),
    "uptake": _("Uptake"),
    "uptake_full": _("Uptake, full"),
    "uptake_partial": _("Uptake, partial"),
    "justified_exclusion": _("Justified exclusion"),
    "uptake_parity": _("Uptake parity"),
    "participation_balance": _("Participation balance"),
    "reach_countries": _("Reach: countries"),
    "reach_organisations": _("Reach: organisations"),
    "responsiveness_days": _("Responsiveness (median days)"),
    "interaction_replied": _("Submitters who replied"),
    "interaction_contested": _("Submitters who contested"),
    "interaction_contests_answered": _("Contests answered"),
    "interaction_median_days_to_answer": _("Days to answer a contest (median)"),
}


RATES = {"coverage", "uptake", "uptake_full", "uptake_partial", "justified_exclusion"}
RATES |= {"interaction_replied", "interaction_contested", "interaction_contests_answered"}
COUNTS = {"reach_countries", "reach_organisations"}


def shown(name: str, value: float | int | None) -> str:
    """An indicator's value as the report shows it: rates in percent, counts whole, the rest to 2 places."""
    if value is None:
        return gettext("n/a")
    if name in RATES:
        return f"{number_format(value * 100, 1)}%"
    if name in COUNTS:
        return number_format(value, 0)
    return number_format(value, 2)


def indicator_changes(changes: dict[str, object]) -> list[dict[str, object]]:
    """The indicators whose value moved, with their names and values in the reader's language."""
    return [
        {
            "label": INDICATOR_NAMES.get(row["name"], row["name"]),
            "before": shown(row["name"], row["before"]),
            "after": shown(row["name"], row["after"]),
        }
        for row in changes.get("indicators", [])
        if row["before"] != row["after"]
    ]


def snapshot_panel(process: Process, stats_version: int) -> dict[str, object] | None:
    """The latest snapshot, what changed since the one before, and whether the live report differs (one query)."""
    snapshot = latest_snapshot(process)
    if snapshot is None:
        return None
    return {
        "template": "publications/includes/report_snapshot.html",
        "snapshot": snapshot,
        "moved": indicator_changes(snapshot.changes),
        "stale": stats_version != snapshot.stats_version,
    }

"""Template helpers for the one status vocabulary."""

from __future__ import annotations

from django import template

from traceability.consultations.models import SubmissionStatus

register = template.Library()

_BADGE = {
    SubmissionStatus.PENDING: "text-bg-warning",
    SubmissionStatus.REFLECTED: "text-bg-success",
    SubmissionStatus.EXCLUDED: "text-bg-danger",
    SubmissionStatus.NOT_TAKEN_UP: "text-bg-dark",
    SubmissionStatus.NEEDS_RECONFIRMATION: "text-bg-info",
    SubmissionStatus.WITHDRAWN: "text-bg-secondary",
}


@register.inclusion_tag("includes/status_badge.html")
def status_badge(status: str) -> dict[str, str]:
    """A badge for a submission status: its label in the reader's language, never colour alone."""
    member = SubmissionStatus(status) if status in SubmissionStatus.values else SubmissionStatus.PENDING
    return {"label": member.label, "css": _BADGE[member]}

"""Everything Trace holds about one person, as one JSON document (the right of access and portability).

Built from the user alone (no request), in a fixed number of queries whatever the number of submissions.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse

from traceability.accounts.models import Notification, User
from traceability.consultations.models import Submission
from traceability.dispositions.models import ClauseLink, Response

from .exports.mapping import iso

FORMAT = "trace-personal-data/1"


def _url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def personal_data(user: User) -> dict[str, object]:
    """The profile, every submission (text, receipt hash, status, current decision and its clause links),
    every reply they gave to a decision (with the organisers' answer) and every notification recorded for
    ``user``."""
    links = ClauseLink.objects.select_related("clause__version").order_by("clause__position", "pk")
    submissions = (
        Submission.objects.by(user)
        .select_related("process", "stakeholder_group", "round", "disposition")
        .prefetch_related(Prefetch("disposition__revision__links", queryset=links))
        .order_by("received_at", "pk")
    )
    notifications = Notification.objects.for_recipient(user).order_by("created_at", "pk")
    replies = (
        Response.objects.filter(revision__submission__author=user)
        .select_related("revision__submission")
        .order_by("responded_at", "pk")
    )
    return {
        "format": FORMAT,
        "profile": {
            "email": user.email,
            "display_name": user.display_name,
            "organisation": user.organisation,
            "stakeholder_group": user.stakeholder_kind,
            "country": user.country.code or None,
            "notify_updates": user.notify_updates,
            "language": user.language,
            "date_joined": iso(user.date_joined),
            "last_login": iso(user.last_login),
        },
        "submissions": [_submission(submission) for submission in submissions],
        "replies": [
            {
                "submission": reply.revision.submission.reference,
                "revision": reply.revision.number,
                "kind": reply.kind,
                "reason": reply.reason,
                "responded_at": iso(reply.responded_at),
                "answer": reply.answer or None,
                "answered_at": iso(reply.answered_at),
            }
            for reply in replies
        ],
        "notifications": [_notification(notification) for notification in notifications],
    }


def _submission(submission: Submission) -> dict[str, object]:
    process = submission.process
    return {
        "reference": submission.reference,
        "process": {"code": process.code, "title": process.title, "url": _url(process.get_absolute_url())},
        "trace_url": _url(submission.get_absolute_url()),
        "receipt_url": _url(reverse("consultations:submission-receipt", args=[process.slug, submission.reference])),
        "title": submission.title,
        "text": submission.text,
        "proposed_change": submission.proposed_change,
        "language": submission.language or None,
        "language_set_by": submission.language_source or None,
        "target_clause": submission.target_clause,
        "stakeholder_group": submission.stakeholder_group.name,
        "country": submission.country.code or None,
        "organisation": submission.organisation,
        "author_name": submission.author_name,
        "attribution": submission.attribution,
        "round": submission.round.number if submission.round else None,
        "status": submission.status,
        "text_sha256": submission.text_sha256,
        "received_at": iso(submission.received_at),
        "updated_at": iso(submission.updated_at),
        "withdrawn_at": iso(submission.withdrawn_at),
        "decision": _decision(submission),
    }


def _decision(submission: Submission) -> dict[str, object] | None:
    disposition = getattr(submission, "disposition", None)
    if disposition is None:
        return None
    return {
        "kind": disposition.kind,
        "extent": disposition.extent or None,
        "ground": disposition.ground or None,
        "legal_provision": disposition.legal_provision,
        "justification": disposition.justification,
        "decided_at": iso(disposition.decided_at),
        "first_decided_at": iso(disposition.first_decided_at),
        "links": [
            {
                "clause_label": link.clause.label,
                "clause_eid": link.clause.eid,
                "document_version": link.clause.version.number,
                "extent": link.extent,
                "note": link.note,
            }
            for link in disposition.revision.links.all()
        ],
    }


def _notification(notification: Notification) -> dict[str, object]:
    return {
        "kind": notification.kind,
        "status": notification.status,
        "template": notification.template,
        "context": notification.context,
        "attempts": notification.attempts,
        "last_error": notification.last_error,
        "created_at": iso(notification.created_at),
        "sent_at": iso(notification.sent_at),
    }

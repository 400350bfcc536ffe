"""The coverage gate: what stands between a process and the publication of its report.

Each check is a function ``(process, now) -> Blocker | None`` that costs one query at most; ``CHECKS`` lists
them in the order the publish page shows them. To add a blocker, write a check and append it to ``CHECKS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from traceability.consultations.models import CommentRound, Process, Submission, SubmissionStatus
from traceability.dispositions.selectors import drafts_for
from traceability.outcomes.models import DocumentVersion


@dataclass(frozen=True)
class Blocker:
    """One reason the report cannot be published yet, with how many things it is about and where to fix it."""

    code: str
    message: str
    count: int
    url: str
    link_text: str


Check = Callable[[Process, datetime], "Blocker | None"]


def pending_submissions(process: Process, now: datetime) -> Blocker | None:
    count = Submission.objects.for_process(process).with_status(SubmissionStatus.PENDING).count()
    if not count:
        return None
    url = reverse("dispositions:workspace", args=[process.slug]) + "?" + urlencode({"status": "pending"})
    return Blocker(
        code="pending",
        message=ngettext(
            "%(count)d submission has no released decision yet.",
            "%(count)d submissions have no released decision yet.",
            count,
        )
        % {"count": count},
        count=count,
        url=url,
        link_text=_("Decide the pending submissions"),
    )


def links_to_reconfirm(process: Process, now: datetime) -> Blocker | None:
    count = Submission.objects.for_process(process).with_status(SubmissionStatus.NEEDS_RECONFIRMATION).count()
    if not count:
        return None
    return Blocker(
        code="reconfirm",
        message=ngettext(
            "%(count)d submission has clause links waiting for re-confirmation (a suspect link, or one to a "
            "removed clause).",
            "%(count)d submissions have clause links waiting for re-confirmation (suspect links, or links to "
            "removed clauses).",
            count,
        )
        % {"count": count},
        count=count,
        url=reverse("dispositions:reconfirm", args=[process.slug]),
        link_text=_("Re-confirm the links"),
    )


def no_adopted_version(process: Process, now: datetime) -> Blocker | None:
    if DocumentVersion.objects.filter(process=process).adopted().exists():
        return None
    return Blocker(
        code="no_version",
        message=_("No version of the outcome document is adopted: the report has nothing to map against."),
        count=1,
        url=reverse("outcomes:import", args=[process.slug]),
        link_text=_("Import the outcome document"),
    )


def submissions_open(process: Process, now: datetime) -> Blocker | None:
    own_window = process.opens_at is not None and process.closes_at is not None
    own_open = own_window and process.opens_at <= now < process.closes_at
    rounds = CommentRound.objects.filter(process=process, opens_at__lte=now, closes_at__gt=now).count()
    if not (own_open or rounds):
        return None
    return Blocker(
        code="open",
        message=_("Submissions are still open: a comment round (or the process's own window) has not closed."),
        count=max(rounds, 1),
        url=reverse("dispositions:workspace", args=[process.slug]) + "#rounds-heading",
        link_text=_("Close the comment round"),
    )


def drafts_not_released(process: Process, now: datetime) -> Blocker | None:
    count = drafts_for(process).count()
    if not count:
        return None
    return Blocker(
        code="drafts",
        message=ngettext(
            "%(count)d drafted decision is not released: the report would not show it.",
            "%(count)d drafted decisions are not released: the report would not show them.",
            count,
        )
        % {"count": count},
        count=count,
        url=reverse("dispositions:release", args=[process.slug]),
        link_text=_("Release the drafted decisions"),
    )


CHECKS: list[Check] = [
    submissions_open,
    no_adopted_version,
    pending_submissions,
    links_to_reconfirm,
    drafts_not_released,
]


def publication_blockers(process: Process, now: datetime | None = None) -> list[Blocker]:
    """Everything that blocks publication now, in ``CHECKS`` order; empty when the report may be published."""
    now = now or timezone.now()
    return [blocker for check in CHECKS if (blocker := check(process, now)) is not None]

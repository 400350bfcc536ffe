"""Reads about dispositions: a submission's status, progress counts."""

from __future__ import annotations

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When

from traceability.consultations.models import Process, Submission


class Status:
    PENDING = "pending"
    REFLECTED = "reflected"
    EXCLUDED = "excluded"
    WITHDRAWN = "withdrawn"


def with_status(queryset: QuerySet[Submission]) -> QuerySet[Submission]:
    """Annotate ``status``: withdrawn, pending, reflected or excluded."""
    return queryset.annotate(
        status=Case(
            When(withdrawn_at__isnull=False, then=Value(Status.WITHDRAWN)),
            When(disposition__isnull=True, then=Value(Status.PENDING)),
            default=F("disposition__kind"),
            output_field=CharField(),
        )
    )


def filter_status(queryset: QuerySet[Submission], status: str) -> QuerySet[Submission]:
    if status == Status.WITHDRAWN:
        return queryset.filter(withdrawn_at__isnull=False)
    if status == Status.PENDING:
        return queryset.filter(withdrawn_at__isnull=True, disposition__isnull=True)
    if status in (Status.REFLECTED, Status.EXCLUDED):
        return queryset.filter(withdrawn_at__isnull=True, disposition__kind=status)
    return queryset.none()


def progress(process: Process) -> dict[str, int]:
    """How many active submissions exist and how many have a disposition (one query)."""
    return Submission.objects.filter(process=process, withdrawn_at__isnull=True).aggregate(
        total=Count("pk"),
        dispositioned=Count("pk", filter=Q(disposition__isnull=False)),
    )

"""Reads about snapshots."""

from __future__ import annotations

from traceability.consultations.models import Process

from .models import Snapshot


def latest_snapshot(process: Process) -> Snapshot | None:
    """The newest snapshot of ``process``, without its bytes (one query)."""
    return Snapshot.objects.for_process(process).described().newest_first().first()


def snapshot_list(process: Process):  # type: ignore[no-untyped-def]
    return Snapshot.objects.for_process(process).described().newest_first()

"""The downloads built by a background task: the disposition of comments (.xlsx) and ``mapping.json``.

``export_for`` finds the file of the current version of a process's data, or queues its build (once: the
database's unique constraint decides between two requests that race); ``export_build`` is the task's work.
The builder writes to an anonymous temporary file, records its progress every ``PROGRESS_EVERY`` submissions
(rows come in receipt order, so the receipt number is the progress), saves the finished file to the
``exports`` storage, then deletes the files of older versions. A build that makes no progress for ``STALE``
(its worker died) or that failed is queued again by the next request after that time.

Why a file is never stale: a request asks for the version it reads (``stats_version``, ``last_number``); the
task reads the rows later, in one query, so the file holds that version or a newer one; and a file is served
only while its version is the current one, so it holds exactly the current data.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from traceability.consultations.models import Process
from traceability.reports.models import BuildState, BuiltExport, ExportKind

from .mapping import COLUMNS, SCHEMA_VERSION, Row, iso, json_stream, mapping_rows
from .report_json import process_summary
from .sheet import CONTENT_TYPE as XLSX
from .sheet import write_workbook

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 2000  # submissions between two progress writes
STALE = timedelta(minutes=10)  # no progress for this long: the build is queued again
RETRY_AFTER = 5  # seconds a waiting reader is asked to wait before trying again
FILES = {
    ExportKind.DISPOSITION_OF_COMMENTS: ("disposition-of-comments.xlsx", XLSX),
    ExportKind.MAPPING_JSON: ("mapping.json", "application/json"),
}
_NUMBER = COLUMNS.index("number")


class Superseded(Exception):
    """The build's row is gone: a newer build replaced it."""


def exports_storage() -> Storage:
    return storages["exports"]


def filename(process: Process, kind: str) -> str:
    return f"{process.code}-{FILES[kind][0]}"


def content_type(kind: str) -> str:
    return FILES[kind][1]


def _enqueue(export: BuiltExport) -> None:
    from traceability.reports.tasks import build_export

    try:
        build_export.enqueue(export.pk)
    except Exception:  # the queue is down: the row stays queued, and is queued again once STALE
        logger.exception("Could not queue the build of export %s", export.pk)


def export_for(process: Process, kind: str, *, start: bool = True) -> BuiltExport | None:
    """The build of the current version of ``process``'s data for ``kind`` in the active language. Queues it
    when there is none yet, or when the one there is failed or stopped moving (unless ``start`` is false: then
    ``None`` when there is none)."""
    key = {
        "process": process,
        "kind": kind,
        "language": translation.get_language() or settings.LANGUAGE_CODE,
        "stats_version": process.stats_version,
        "last_number": process.last_number,
    }
    if not start:
        return BuiltExport.objects.filter(**key).first()
    export, created = BuiltExport.objects.get_or_create(**key, defaults={"total": process.last_number})
    if not created:
        if export.state == BuildState.READY or export.updated_at > timezone.now() - STALE:
            return export
        # Failed, or no progress for STALE: queue it again, once (the row moves on, so a second reader does not).
        requeued = BuiltExport.objects.filter(pk=export.pk, updated_at=export.updated_at).update(
            state=BuildState.QUEUED, done=0, updated_at=timezone.now()
        )
        if not requeued:
            export.refresh_from_db()
            return export
    _enqueue(export)
    export.refresh_from_db()  # a backend that runs tasks at once has built it already
    return export


def _progress(rows: Iterable[Row], export_id: int) -> Iterator[Row]:
    """``rows``, recording how far they got every ``PROGRESS_EVERY`` receipt numbers."""
    next_step = PROGRESS_EVERY
    for row in rows:
        number = row[_NUMBER]
        if number >= next_step:
            if not BuiltExport.objects.filter(pk=export_id).update(done=number, updated_at=timezone.now()):
                raise Superseded
            next_step = number + PROGRESS_EVERY
        yield row


def _write(export: BuiltExport, rows: Iterable[Row], out: IO[bytes]) -> None:
    process = export.process
    if export.kind == ExportKind.DISPOSITION_OF_COMMENTS:
        write_workbook(rows, out, title=process.title)
        return
    header = {
        "schema_version": SCHEMA_VERSION,
        "process": process_summary(process, lambda path: settings.SITE_URL + path),
        "generated_at": iso(timezone.now()),
    }
    for chunk in json_stream(header, rows):
        out.write(chunk)


def export_build(*, export_id: int) -> str:
    """Build the file of ``export_id``; returns the state it ended in (``superseded`` when it was replaced)."""
    export = BuiltExport.objects.select_related("process").filter(pk=export_id).first()
    if export is None:
        return "superseded"
    if export.state == BuildState.READY:
        return BuildState.READY
    BuiltExport.objects.filter(pk=export_id).update(state=BuildState.BUILDING, done=0, updated_at=timezone.now())
    process = export.process
    name = (
        f"{process.code}/{export.kind}-{export.language}-{export.stats_version}-{export.last_number}-"
        f"{uuid.uuid4().hex[:12]}.{FILES[export.kind][0].rsplit('.', 1)[1]}"
    )
    storage = exports_storage()
    try:
        with tempfile.TemporaryFile() as out, translation.override(export.language):
            _write(export, _progress(mapping_rows(process), export_id), out)
            size = out.tell()
            out.seek(0)
            saved = storage.save(name, File(out, name=name))
    except Superseded:
        return "superseded"
    except Exception:
        BuiltExport.objects.filter(pk=export_id).update(state=BuildState.FAILED, updated_at=timezone.now())
        raise
    finished = BuiltExport.objects.filter(pk=export_id).update(
        state=BuildState.READY, path=saved, size=size, done=export.total, finished_at=timezone.now()
    )
    if not finished:  # replaced while it was being saved
        storage.delete(saved)
        return "superseded"
    _clean_up(export)
    return BuildState.READY


def _clean_up(export: BuiltExport) -> None:
    """Delete the builds of older versions of the same process and kind (in every language), and their files."""
    older = BuiltExport.objects.filter(process_id=export.process_id, kind=export.kind).filter(
        Q(stats_version__lt=export.stats_version)
        | Q(stats_version=export.stats_version, last_number__lt=export.last_number)
    )
    storage = exports_storage()
    for pk, path in older.values_list("pk", "path"):
        if path:
            storage.delete(path)
        BuiltExport.objects.filter(pk=pk).delete()


def open_file(export: BuiltExport) -> IO[bytes] | None:
    """The ready file of ``export``, open for reading, or ``None`` if it has gone from the storage."""
    try:
        return exports_storage().open(export.path, "rb")
    except FileNotFoundError:
        return None


def exports_discard(*, process_ids: list[int]) -> int:
    """Delete every built download of these processes, files included (the files after the transaction
    commits). Returns how many builds were dropped; the next request builds the current data again."""
    builds = BuiltExport.objects.filter(process_id__in=process_ids)
    paths = [path for path in builds.values_list("path", flat=True) if path]
    count, _ = builds.delete()

    def delete_files() -> None:
        storage = exports_storage()
        for path in paths:
            storage.delete(path)

    transaction.on_commit(delete_files)
    return count


def exports_discard_for_user(*, user: object, **kwargs: object) -> int:
    """A closing account's name and organisation are in the built files of every process it filed to (until
    they are built again): drop those files now. Connected to ``user_anonymised``."""
    from traceability.consultations.models import Submission

    process_ids = list(Submission.objects.by(user).values_list("process_id", flat=True).distinct())
    return exports_discard(process_ids=process_ids)

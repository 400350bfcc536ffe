"""The report's downloads. Public like the report itself, read-only (GET and HEAD).

``mapping.csv`` streams from the database (PostgreSQL's COPY, else the ORM) and ``report.json`` is built from
the cached indicators; the disposition of comments (.xlsx) and ``mapping.json`` are files built once per
version of the data by a background task (``builds.py``): until the file is ready, a page that says how far
the build is (202 Accepted, with Retry-After), then the file.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from traceability.consultations.access import get_visible_process
from traceability.consultations.models import Process
from traceability.reports.models import BuildState, BuiltExport, ExportKind

from .builds import RETRY_AFTER, content_type, export_for, filename, open_file
from .mapping import csv_stream, mapping_rows
from .mapping_copy import copy_stream
from .report_json import report_document


def _body(request: HttpRequest, stream: Iterator[bytes]) -> Iterator[bytes]:
    # A HEAD request gets the headers without running the query.
    return iter(()) if request.method == "HEAD" else stream


@require_safe
def mapping_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    process = get_visible_process(slug)
    # PostgreSQL writes the CSV itself (COPY); elsewhere the rows stream through the ORM. Same bytes.
    stream = copy_stream(process) if connection.vendor == "postgresql" else csv_stream(mapping_rows(process))
    response = StreamingHttpResponse(_body(request, stream), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{process.code}-mapping.csv")
    return response


@require_safe
def report_json(request: HttpRequest, slug: str) -> JsonResponse:
    process = get_visible_process(slug)
    return JsonResponse(report_document(process, request), json_dumps_params={"ensure_ascii": False, "indent": 2})


def _built(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """The built file of the current version, or the page that says how far its build is. A HEAD request
    starts nothing: it says whether the file is ready (200) or not (202)."""
    process = get_visible_process(slug)
    export = export_for(process, kind, start=request.method != "HEAD")
    if export is not None and export.state == BuildState.READY:
        if request.method == "HEAD":
            return _file_headers(StreamingHttpResponse(iter(()), content_type=content_type(kind)), process, export)
        opened = open_file(export)
        if opened is not None:
            return _file_headers(FileResponse(opened, content_type=content_type(kind)), process, export)
        # The file has gone from the storage (moved, wiped): build it again.
        BuiltExport.objects.filter(pk=export.pk).delete()
        export = export_for(process, kind)
        if export.state == BuildState.READY and (opened := open_file(export)) is not None:
            return _file_headers(FileResponse(opened, content_type=content_type(kind)), process, export)
    return _waiting(request, process, kind, export)


def _file_headers(response: HttpResponse, process: Process, export: BuiltExport) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(True, filename(process, export.kind))
    if export.size is not None:
        response["Content-Length"] = str(export.size)
    return response


def _waiting(request: HttpRequest, process: Process, kind: str, export: BuiltExport | None) -> HttpResponse:
    failed = export is not None and export.state == BuildState.FAILED
    response = render(
        request,
        "reports/export_building.html",
        {
            "process": process,
            "export": export,
            "kind": ExportKind(kind),
            "failed": failed,
            "path": request.path,
        },
        status=503 if failed else 202,
    )
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def mapping_json(request: HttpRequest, slug: str) -> HttpResponse:
    return _built(request, slug, ExportKind.MAPPING_JSON)


@require_safe
def disposition_of_comments(request: HttpRequest, slug: str) -> HttpResponse:
    return _built(request, slug, ExportKind.DISPOSITION_OF_COMMENTS)

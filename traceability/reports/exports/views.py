"""The report's downloads. Public like the report itself, read-only (GET and HEAD)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from traceability.consultations.access import get_visible_process

from .mapping import SCHEMA_VERSION, csv_stream, iso, json_stream, mapping_rows
from .mapping_copy import copy_stream
from .report_json import process_summary, report_document
from .sheet import CONTENT_TYPE as XLSX
from .sheet import workbook_file


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
def mapping_json(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    process = get_visible_process(slug)
    header = {
        "schema_version": SCHEMA_VERSION,
        "process": process_summary(process, request),
        "generated_at": iso(timezone.now()),
    }
    response = StreamingHttpResponse(
        _body(request, json_stream(header, mapping_rows(process))), content_type="application/json"
    )
    response["Content-Disposition"] = content_disposition_header(True, f"{process.code}-mapping.json")
    return response


@require_safe
def report_json(request: HttpRequest, slug: str) -> JsonResponse:
    process = get_visible_process(slug)
    return JsonResponse(report_document(process, request), json_dumps_params={"ensure_ascii": False, "indent": 2})


@require_safe
def disposition_of_comments(request: HttpRequest, slug: str) -> HttpResponse:
    process = get_visible_process(slug)
    filename = f"{process.code}-disposition-of-comments.xlsx"
    if request.method == "HEAD":
        response: HttpResponse = StreamingHttpResponse(iter(()), content_type=XLSX)
    else:
        response = FileResponse(workbook_file(mapping_rows(process), title=process.title), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response

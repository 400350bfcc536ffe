"""A page, not an empty answer, for a visit to an address that only takes a submitted form; compression of pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse


class MethodNotAllowedPageMiddleware:
    """A GET of a form's action address (a decision, a reply, a receipt check: after a sign-in that followed an
    expired session, or from a bookmark) gets Django's bare 405 with an empty body, which browsers show as an
    error of their own. Say instead that nothing was saved, and link back to the process. Still a 405, with its
    ``Allow`` header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or request.method not in ("GET", "HEAD") or response.content:
            return response
        match = getattr(request, "resolver_match", None)
        slug = match.kwargs.get("slug") if match is not None else None
        back = None
        if slug:
            try:
                back = reverse("consultations:process-detail", args=[slug])
            except NoReverseMatch:
                back = None
        page = render(request, "405.html", {"back": back}, status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page


# What is worth compressing on the fly: pages and the small text files `make run` serves. Downloads (attachments,
# hundreds of MB at a million submissions) and partial responses are left alone: compressing them in Python would
# hold a worker, drop their Content-Length and break byte ranges. In production WhiteNoise serves static files
# compressed at build time, and marks them Content-Encoding, which GZipMiddleware never touches.
_COMPRESSED_TYPES = ("text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml")


class PageGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (with its BREACH mitigation: random bytes in each gzip header), for pages and static
    text only."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        attachment = response.get("Content-Disposition", "").startswith("attachment")
        if response.status_code == 206 or attachment or content_type not in _COMPRESSED_TYPES:
            return response
        return super().process_response(request, response)

"""The reader's language: in every page's address (``/fr/processes/...``), remembered, and offered as plain links.

Django's ``LocaleMiddleware`` reads the language from the address and sends an address without one to the
reader's last choice (the language cookie) or their browser's. This module adds what a cited link and a switcher
need: reading a page in a language remembers that language, ``?language=fr`` on any address is honoured (a
redirect to the same page in French), and the switcher is a list of links to the same page in each language: no
form, no token, so it works without JavaScript and leaves public pages free of per-visitor content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import translate_url
from django.utils import timezone, translation
from django.utils.encoding import escape_uri_path
from django.utils.formats import date_format, get_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

QUERY_PARAMETER = "language"


def offered() -> dict[str, str]:
    return dict(settings.LANGUAGES)


def remember(response: HttpResponse, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class LanguageChoiceMiddleware:
    """After ``LocaleMiddleware``: ``?language=<code>`` redirects to the page in that language, and a page read in
    a language other than the remembered one remembers it (so the bare domain and old links open in it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        asked = request.GET.get(QUERY_PARAMETER)
        if asked in offered() and request.method in ("GET", "HEAD"):
            rest = request.GET.copy()
            del rest[QUERY_PARAMETER]
            query = f"?{urlencode(sorted(rest.lists()), doseq=True)}" if rest else ""
            target = translate_url(escape_uri_path(request.path) + query, asked)
            # Only a page of this site: a path such as //evil.example/ must not become an open redirect.
            if not target.startswith("/") or not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
                target = f"/{asked}/"
            response: HttpResponse = HttpResponseRedirect(target)
            remember(response, asked)
            return response
        response = self.get_response(request)
        in_path = translation.get_language_from_path(request.path_info)
        if in_path and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != in_path:
            remember(response, in_path)
        return response


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # in its own language: a reader looks for "Français", not "French"
    url: str
    current: bool
    bidi: bool


def language_links(request: HttpRequest) -> list[LanguageLink]:
    """This page in every offered language, the current one marked. The query string is kept (a filtered report
    stays filtered). An address that names no page (a 404) cannot be resolved to be translated: its language prefix
    is swapped, so the reader still gets the "not found" page in the language they pick."""
    current = translation.get_language()
    full_path = request.get_full_path()
    links = []
    for code in offered():
        info = translation.get_language_info(code)
        url = translate_url(full_path, code)
        if url == full_path and code != current and full_path.startswith(f"/{current}/"):
            url = f"/{code}/{full_path[len(current) + 2 :]}"
        links.append(
            LanguageLink(
                code=code,
                name=info["name_local"],
                url=url,
                current=code == current,
                bidi=info["bidi"],
            )
        )
    return links


def when(value: datetime, *, public: bool = False) -> str:
    """A time for people to read, in the active language's format: to the day on public pages (an exact time can
    tell who filed or replied), else to the minute with its time zone."""
    local = timezone.localtime(value)
    if public:
        return date_format(local, "DATE_FORMAT")
    return date_format(local, get_format("DATETIME_FORMAT") + " e")


def when_to_the_second(value: datetime) -> str:
    """A receipt's time: the language's date and time with the seconds, and the time zone."""
    dated = get_format("DATETIME_FORMAT")
    for minutes in ("H:i", "G:i"):  # every offered language's format has its time as one of these
        if minutes in dated:
            dated = dated.replace(minutes, minutes + ":s", 1)
            break
    else:
        dated = get_format("DATE_FORMAT") + " H:i:s"
    return date_format(timezone.localtime(value), dated + " e")

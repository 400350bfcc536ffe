"""Template helpers for the one status vocabulary, for times as the public may read them, for text snippets, and
for the language a text is written in."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString

from traceability import languages
from traceability.consultations import content_languages
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


@register.simple_tag
def status_badge(status: str) -> SafeString:
    """A badge for a submission status: its label in the reader's language, never colour alone. (Written here, not
    by an included template: a list renders one per row.)"""
    member = SubmissionStatus(status) if status in SubmissionStatus.values else SubmissionStatus.PENDING
    return format_html('<span class="badge {}">{}</span>', _BADGE[member], member.label)


@register.filter
def when(value: datetime | None, public: bool = False) -> str:
    """A time for people to read: to the minute in the workspace and on a submitter's own pages, to the day
    on public pages (an exact time can tell who filed or replied)."""
    if value is None:
        return ""
    return languages.when(value, public=public)


@register.filter
def when_to_the_second(value: datetime | None) -> str:
    """A receipt's time, to the second."""
    return "" if value is None else languages.when_to_the_second(value)


@register.filter
def stamp(value: datetime | None, public: bool = False) -> str:
    """The same time for a ``<time datetime>`` attribute: ISO 8601 in UTC, to the day on public pages."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%d" if public else "%Y-%m-%dT%H:%M:%SZ")


@register.filter
def snippet(text: str, length: int = 120) -> str:
    """The start of ``text`` on one line, about ``length`` characters, cut after a whole word (or at ``length`` in a
    script written without spaces), with "…" when something was cut."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[:length]
    space = cut.rfind(" ")
    if space > length // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


@register.simple_tag(takes_context=True)
def language_links(context: template.Context) -> list[languages.LanguageLink]:
    """This page in each offered language, for the switcher (links, not a form: no token, no JavaScript)."""
    request = context.get("request")
    return languages.language_links(request) if request is not None else []  # the 500 page has no request


@register.filter
def lang_attr(value: object) -> str:
    """`` lang="fr"`` for a text in a known language other than the page's: a language code, or a text that carries
    its ``lang`` (a process's localised title). Nothing when the language is the page's (``<html lang>`` says it)
    or not recorded."""
    code = getattr(value, "lang", value)
    if not isinstance(code, str) or not content_languages.is_known(code):
        return ""
    if code == (translation.get_language() or "").lower():
        return ""
    return format_html(' lang="{}"', code)


@register.filter
def bdi(value: object) -> SafeString:
    """The text isolated in ``<bdi>``, with its ``lang`` when it carries one: for a user-written text inside a
    sentence of the page (see ``lang_attr``)."""
    return format_html("<bdi{}>{}</bdi>", lang_attr(value), str(value))


@register.filter
def content_language_name(code: str) -> str:
    """A language code's name in the reader's language ("French"), or ``""`` when it is not recorded. (Not
    ``language_name``: Django's i18n library has a filter of that name, which gives the English name.)"""
    return content_languages.name(code) if isinstance(code, str) else ""

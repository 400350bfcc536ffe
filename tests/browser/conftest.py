"""Browser tests: Playwright for Python drives a real Chromium against pytest-django's live server.

Every page a test looks at is checked by ``Visitor.check``: axe-core finds no accessibility
violation, the page's HTML response carries the strict Content-Security-Policy, and the
browser reported no CSP violation. At the end of each test, every document the page loaded
must have been checked, so no page slips through unaudited.

Browser tests are never skipped: if Chromium cannot be launched, they error.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from io import StringIO
from urllib.parse import urldefrag, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Playwright,
    Response,
    sync_playwright,
)

from traceability.accounts.models import User

from ..factories import PASSWORD, totp_code, totp_secret

# Playwright's sync API runs an asyncio event loop in this thread; Django would then refuse
# ORM calls made by the test itself (SynchronousOnlyOperation). This is the documented
# workaround for pytest-django with Playwright; the app itself has no async code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# Without these, Chromium tries to reach Google services, which hangs or fails offline.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
CSP_REQUIRED = "default-src 'self'"
# Chromium words CSP reports as "Refused to load ..." or "... violates the following Content Security Policy ...".
CSP_CONSOLE_MARKERS = ("Content Security Policy", "Refused to")

_axe = Axe()


def chromium_executable() -> str | None:
    """$CHROMIUM_PATH, else the system Chromium, else None (Playwright's own browser)."""
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def chromium(playwright_driver: Playwright) -> Iterator[Browser]:
    # No try/except and no skip: a browser that cannot start is an error, never a skipped test.
    browser = playwright_driver.chromium.launch(
        executable_path=chromium_executable(), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        lines.append(f"  {violation.get('helpUrl', '')}")
        for node in violation["nodes"]:
            lines.append(f"    target: {node['target']}")
            lines.append(f"      html: {node.get('html', '').strip()[:200]}")
            summary = node.get("failureSummary")
            if summary:
                lines.append("      " + summary.replace("\n", "\n      "))
    return "\n".join(lines)


class Visitor:
    """One browser tab with the checks every page must pass."""

    def __init__(self, context: BrowserContext, base_url: str) -> None:
        self.context = context
        self.base_url = base_url.rstrip("/")
        self.page: Page = context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.csp_messages: list[str] = []
        self.documents: list[Response] = []  # main-frame HTML responses not yet checked
        self.loaded: list[str] = []  # every document URL loaded in this tab
        self.checked: set[str] = set()
        self.page.on("console", self._on_console)
        self.page.on("response", self._on_response)

    # -- listeners -------------------------------------------------------------------------------

    def _on_console(self, message: ConsoleMessage) -> None:
        if any(marker in message.text for marker in CSP_CONSOLE_MARKERS):
            self.csp_messages.append(f"[{message.type}] {message.text}")

    def _on_response(self, response: Response) -> None:
        request = response.request
        if request.frame == self.page.main_frame and request.resource_type == "document":
            if response.headers.get("content-disposition", "").startswith("attachment"):
                return  # a download (a link without the download attribute), not a page
            self.documents.append(response)
            if not 300 <= response.status < 400:
                self.loaded.append(urldefrag(response.url).url)

    # -- navigation ------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def path(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def goto(self, path: str, *, status: int = 200) -> Response:
        response = self.page.goto(self.url(path))
        assert response is not None
        assert response.status == status, f"GET {path}: {response.status}, expected {status}"
        self.check()
        return response

    def follow(self, target: Locator, *, status: int = 200) -> Response:
        """Click a link or submit button that loads a new page, then check that page."""
        with self.page.expect_navigation() as navigation:
            target.click()
        response = navigation.value
        assert response is not None, "the click did not load a new document"
        assert response.status == status, f"{response.url}: {response.status}, expected {status}"
        self.check()
        return response

    def field(self, label: str, within: Page | Locator | None = None) -> Locator:
        """A form control by its label; crispy-forms adds "*" to required fields' labels."""
        return (within or self.page).get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))

    def main(self) -> Locator:
        return self.page.get_by_role("main")

    def sign_in(self, user: User, *, next_path: str = "") -> Response:
        """Sign in through the real sign-in form, and with the authenticator code when the account has one."""
        self.goto("/en/accounts/login/" + (f"?next={next_path}" if next_path else ""))
        self.field("E-mail address").fill(user.email)
        self.field("Password").fill(PASSWORD)
        response = self.follow(self.main().get_by_role("button", name="Sign in"))
        assert "/en/accounts/login/" not in self.page.url, "signing in failed"
        if self.path.startswith("/en/accounts/2fa/authenticate/"):
            self.check()
            response = self.enter_second_factor(user)
        return response

    def enter_second_factor(self, user: User) -> Response:
        """Type the authenticator app's current code on the second-factor page, as the user would. A code
        read at the very end of its 30-second step, or one this user already spent in that step, is refused;
        the user then types the next one, and so does this."""
        secret = totp_secret(user)
        for _attempt in range(2):
            self.field("Code").fill(totp_code(secret))
            response = self.follow(self.main().get_by_role("button", name="Sign In"))
            if not self.path.startswith("/en/accounts/2fa/authenticate/"):
                break
            time.sleep(31 - time.time() % 30)
        assert not self.path.startswith("/en/accounts/2fa/"), "the second factor was refused"
        return response

    # -- checks ----------------------------------------------------------------------------------

    def check(self) -> None:
        """Run every page-level check on the page as it is now."""
        self.page.wait_for_load_state()
        self.assert_csp_headers()
        self.assert_no_csp_violations()
        self.assert_accessible()
        self.checked.add(urldefrag(self.page.url).url)

    def assert_csp_headers(self) -> None:
        # Every HTML document loaded since the last check (redirects included); a re-check of the
        # same document after an in-page change has none new, but one must have been loaded.
        assert self.documents or self.loaded, f"no HTML response was seen for {self.page.url}"
        for response in self.documents:
            policy = response.header_value("content-security-policy") or ""
            assert CSP_REQUIRED in policy, f"{response.url} ({response.status}) sent CSP {policy!r}"
        self.documents.clear()

    def assert_no_csp_violations(self) -> None:
        assert not self.csp_messages, "Content-Security-Policy violations:\n" + "\n".join(self.csp_messages)

    def assert_accessible(self) -> None:
        results = _axe.run(self.page)
        violations = results.response["violations"]
        assert not violations, format_violations(self.page.url, violations)

    def finish(self) -> None:
        """At the end of a test: no CSP violation, and every loaded document was checked."""
        self.assert_no_csp_violations()
        unchecked = [url for url in self.loaded if url not in self.checked]
        assert not unchecked, f"pages loaded but never checked with axe: {unchecked}"


CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator:  # type: ignore[type-arg]
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture
def new_visitor(request: pytest.FixtureRequest, chromium: Browser, live_server) -> Iterator:  # type: ignore[no-untyped-def]
    """Make a Visitor in its own browser context (its own cookies); all are closed after the test."""
    contexts: list[BrowserContext] = []
    visitors: list[Visitor] = []

    def make() -> Visitor:
        context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        visitor = Visitor(context, live_server.url)
        visitors.append(visitor)
        return visitor

    yield make
    try:
        # A failed test has stopped mid-way; its own failure is the report worth reading.
        if not request.node.stash.get(CALL_FAILED, False):
            for visitor in visitors:
                visitor.finish()
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def visitor(new_visitor) -> Visitor:  # type: ignore[no-untyped-def]
    return new_visitor()


@pytest.fixture
def demo(transactional_db) -> dict[str, User]:  # type: ignore[no-untyped-def]
    """The demo's three processes (open, under review, published); its stakeholder and organiser, who sign in with
    the password ``Visitor.sign_in`` types."""
    call_command("load_demo", "--force", stdout=StringIO())
    people = {role: User.objects.get(email=f"{role}@demo.trace") for role in ("stakeholder", "organiser")}
    for person in people.values():
        person.set_password(PASSWORD)
        person.save()
    return people

"""Keyboard-only journeys, one per role (issue 10; WCAG 2.2: 2.1.1 Keyboard, 2.1.2 No Keyboard Trap, 2.4.1 Bypass
Blocks, 2.4.3 Focus Order, 2.4.7 Focus Visible, 2.4.11 Focus Not Obscured, and 1.4.11 for the focus ring).

After its first page each journey uses nothing but the keyboard: Tab and Shift+Tab to move, Enter to follow a
link or send a form, typing into fields, arrow keys in radio groups, Space on check boxes and radios, letters
and arrow keys in a select. No click, no fill, no goto (except an address a person would type or bookmark).
``tab_to`` walks the Tab order to a control and, at every stop on the way, asserts that the focused element
is on screen, not covered, and ringed by an outline at least 2 px wide with 3:1 contrast; reaching the control
within the limit is the test of a logical order without traps. ``tour`` does the same round a whole page.
The reader's journey runs at 1366 px and again at 390 px (a phone with a keyboard or a switch device).
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import JSHandle, Locator, Page

from traceability.accounts.models import StakeholderKind
from traceability.consultations.models import Attribution, Submission, SubmissionStatus
from traceability.dispositions.models import ClauseLink, Disposition, Response, ResponseKind
from traceability.dispositions.services import LinkSpec, disposition_exclude, disposition_reflect

from ..factories import (
    PASSWORD,
    file_submission,
    group_of,
    import_document,
    make_process,
    make_user,
    totp_code,
    totp_secret,
)

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

# One step of the Tab order: the focused element, whether it is on screen, and how its focus is drawn. The name
# is the one a person reads: aria-label, the label of a field, else the text (or value) of the control.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const text = (s) => (s || '').replace(/\\s+/g, ' ').trim();
  let name = el.getAttribute('aria-label');
  if (!name && el.getAttribute('aria-labelledby')) {
    name = el.getAttribute('aria-labelledby').split(/\\s+/)
      .map((id) => document.getElementById(id)).filter(Boolean).map((e) => e.textContent).join(' ');
  }
  if (!name && el.labels && el.labels.length) name = el.labels[0].textContent;
  if (!name) name = el.textContent || el.value || el.title;
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  // What is drawn at the element's centre: the element itself (or a part of it), not something on top of it.
  const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  const covered = top && !(el.contains(top) || top.contains(el) || (el.labels && [...el.labels].includes(top)));
  // The colour around the element, where an outline is drawn: the first ancestor with a background.
  let behind = 'rgb(255, 255, 255)';
  for (let e = el.parentElement; e; e = e.parentElement) {
    const colour = getComputedStyle(e).backgroundColor;
    if (colour !== 'transparent' && !/^rgba\\(.*, 0\\)$/.test(colour)) { behind = colour; break; }
  }
  // How much of the outline (drawn outline-offset beyond the box) a scrolling box around it cuts off, in px.
  const reach = (parseFloat(style.outlineWidth) || 0) + Math.max(0, parseFloat(style.outlineOffset) || 0);
  let ringCut = 0;
  for (let e = el.parentElement; e && style.outlineStyle !== 'none'; e = e.parentElement) {
    const s = getComputedStyle(e);
    if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
    const c = e.getBoundingClientRect();
    const sides = [c.left - (box.left - reach), (box.right + reach) - c.right,
                   c.top - (box.top - reach), (box.bottom + reach) - c.bottom];
    ringCut = Math.max(ringCut, ...sides.map((side) => Math.min(side, reach)));
  }
  const html = el.outerHTML;
  return {
    name: text(name).replace(/\\s*\\*$/, ''),
    html: html.length > 160 ? html.slice(0, 160) + '…' : html,
    top: box.top, left: box.left, bottom: box.bottom, right: box.right, width: box.width, height: box.height,
    viewportWidth: document.documentElement.clientWidth, viewportHeight: document.documentElement.clientHeight,
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
    outlineColor: style.outlineColor, behind: behind, boxShadow: style.boxShadow,
    coveredBy: covered ? top.outerHTML.slice(0, 120) : null, ringCut: ringCut,
  };
}"""


def keyboard_user(visitor, viewport: dict) -> Page:  # type: ignore[no-untyped-def]
    """The visitor's tab at ``viewport``, preferring reduced motion (as many keyboard and switch users do): focus
    then scrolls its element into view at once, and each stop is measured where it stays, not mid-animation
    (Bootstrap scrolls smoothly otherwise; the place it ends is the same)."""
    page = visitor.page
    page.set_viewport_size(viewport)
    page.emulate_media(reduced_motion="reduce")
    return page


def assert_focus_visible(state: dict) -> None:
    """The focused element is drawn (a box), on screen (the browser scrolled it into view) and ringed."""
    where = state["html"]
    assert state["width"] > 0 and state["height"] > 0, f"focus on an element with no box: {where}"
    width, height = state["viewportWidth"], state["viewportHeight"]
    if state["width"] <= width and state["height"] <= height:
        inside = (
            state["top"] >= -1 and state["left"] >= -1 and state["bottom"] <= height + 1 and state["right"] <= width + 1
        )
        assert inside, f"focus off screen ({state['left']:.0f},{state['top']:.0f} in {width}x{height}): {where}"
        assert state["coveredBy"] is None, f"focus hidden under {state['coveredBy']}: {where}"
    else:  # taller or wider than the screen (a scrolling table): at least part of it shows
        overlaps = state["bottom"] > 0 and state["right"] > 0 and state["top"] < height and state["left"] < width
        assert overlaps, f"focus off screen: {where}"
    ringed = state["outlineStyle"] != "none" and state["outlineWidth"] >= 2
    assert ringed or state["boxShadow"] != "none", (
        f"no visible focus indicator (outline {state['outlineStyle']} {state['outlineWidth']}px, "
        f"box-shadow {state['boxShadow']}): {where}"
    )
    if ringed:  # WCAG 1.4.11: the ring stands out 3:1 from what surrounds it, and no scrolling box cuts it
        assert state["ringCut"] < 0.5, f"the focus ring is cut by {state['ringCut']:.1f}px by a scrolling box: {where}"
        ratio = contrast(state["outlineColor"], state["behind"])
        assert ratio >= 3, f"focus ring {state['outlineColor']} on {state['behind']} is {ratio:.1f}:1: {where}"


def luminance(css_colour: str) -> float:
    red, green, blue = (float(part) for part in re.findall(r"[\d.]+", css_colour)[:3])
    linear = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def focus_state(page: Page) -> dict | None:
    return page.evaluate(FOCUS_STATE)


def tab_to(
    page: Page,
    name: str | re.Pattern,
    role: str | None = None,
    limit: int = 80,
    *,
    within: Locator | None = None,
    back: bool = False,
) -> dict:
    """Press Tab (Shift+Tab with ``back``) until the focused element is the wanted one: with ``role``, the element
    of that role and accessible name (as Playwright computes it, inside ``within`` if given); without, the element
    whose label or text is ``name``. Every stop on the way is checked with ``assert_focus_visible``. Fails after
    ``limit`` presses: the control is unreachable, or the order wanders or traps."""
    target = None
    if role is not None:
        if isinstance(name, str):  # crispy-forms marks a required field's label with "*"
            name = re.compile(rf"^\s*{re.escape(name)}\s*\*?\s*$")
        target = (within or page).get_by_role(role, name=name)  # type: ignore[arg-type]
    seen: list[str] = []
    for _press in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        state = focus_state(page)
        if state is None:  # past the last control: the browser's own interface, then the page again
            seen.append("(the browser)")
            continue
        assert_focus_visible(state)
        seen.append(state["name"][:40])
        if target is not None:
            if target.evaluate_all("(elements) => elements.includes(document.activeElement)"):
                return state
        elif name.search(state["name"]) if isinstance(name, re.Pattern) else state["name"] == name:
            return state
    raise AssertionError(f"{name!r} not reached in {limit} presses of Tab; focus went: {seen}")


def tour(page: Page, limit: int = 200) -> list[str]:
    """On a page just loaded: Tab round every control, through the browser's own interface and back to the first
    (the skip link), checking each stop. Returns the names in Tab order; focus ends on the first stop again."""
    page.keyboard.press("Tab")
    first = focused(page)
    state = focus_state(page)
    assert state is not None, "Tab reached nothing on the page"
    assert_focus_visible(state)
    seen = [state["name"]]
    for _press in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(first) => first === document.activeElement", first):
            return seen
        state = focus_state(page)
        if state is not None:  # None: the browser's own interface, between the page's last control and its first
            assert_focus_visible(state)
            seen.append(state["name"])
    raise AssertionError(f"Tab did not come round to the first control in {limit} presses: {seen}")


def assert_in_order(stops: list[str], names: list[str]) -> None:
    """``names`` come in this order among the Tab stops (with others between)."""
    at = 0
    for name in names:
        assert name in stops[at:], (
            f"{name!r} does not follow {stops[at - 1] if at else 'the start'!r} in the Tab order: {stops}"
        )
        at = stops.index(name, at) + 1


def focused(page: Page) -> JSHandle:
    return page.evaluate_handle("document.activeElement")


def assert_shift_tab_goes_back(page: Page) -> None:
    """Shift+Tab moves focus to an earlier control, shown as visibly as any, and Tab comes back: no trap."""
    here = focused(page)
    page.keyboard.press("Shift+Tab")
    state = focus_state(page)
    assert state is not None, "Shift+Tab left the page"
    assert_focus_visible(state)
    assert page.evaluate(
        "(here) => here !== document.activeElement"
        " && !!(document.activeElement.compareDocumentPosition(here) & Node.DOCUMENT_POSITION_FOLLOWING)",
        here,
    ), f"Shift+Tab did not go back from {state['html']}"
    page.keyboard.press("Tab")
    assert page.evaluate("(here) => here === document.activeElement", here), "Tab did not return after Shift+Tab"


def press_and_load(visitor, key: str = "Enter", *, status: int = 200) -> None:  # type: ignore[no-untyped-def]
    """Press a key that loads a new page (a link, a form's button), then run the page checks on it."""
    with visitor.page.expect_navigation() as navigation:
        visitor.page.keyboard.press(key)
    response = navigation.value
    assert response is not None, f"{key} loaded no page"
    assert response.status == status, f"{response.url}: {response.status}, expected {status}"
    visitor.check()


def selected_option(page: Page) -> str:
    return page.evaluate(
        "() => { const s = document.activeElement; return s.tagName === 'SELECT' ? s.selectedOptions[0].text : ''; }"
    ).strip()


def choose_with_arrows(page: Page, option: str, limit: int = 30) -> None:
    """In the focused select, press ArrowDown until ``option`` is the chosen one (a closed list changes its value
    with each press, as on Windows and Linux)."""
    for _press in range(limit):
        if selected_option(page) == option:
            return
        page.keyboard.press("ArrowDown")
    assert selected_option(page) == option, f"{option!r} not reached with ArrowDown"


def checked(page: Page) -> bool:
    return page.evaluate("() => document.activeElement.checked === true")


def sign_in_by_keyboard(visitor, user) -> None:  # type: ignore[no-untyped-def]
    """On the sign-in page: the e-mail and password typed, Enter sends the form; then, for an account with a
    second factor, the authenticator's code typed and Enter. A code spent or expired on the way is refused, and
    the person types the next one, as ``Visitor.enter_second_factor`` does."""
    page = visitor.page
    assert visitor.path.startswith("/en/accounts/login/")
    tab_to(page, "E-mail address", role="textbox")
    page.keyboard.type(user.email)
    tab_to(page, "Password", role="textbox", limit=3)
    page.keyboard.type(PASSWORD)
    press_and_load(visitor)  # Enter in a field sends its form
    assert not visitor.path.startswith("/en/accounts/login/"), "signing in failed"
    if not visitor.path.startswith("/en/accounts/2fa/authenticate/"):
        return
    secret = totp_secret(user)
    for _attempt in range(2):
        tab_to(page, "Code", role="textbox")
        page.keyboard.type(totp_code(secret))
        press_and_load(visitor)
        if not visitor.path.startswith("/en/accounts/2fa/authenticate/"):
            break
        time.sleep(31 - time.time() % 30)
    assert not visitor.path.startswith("/en/accounts/2fa/"), "the second factor was refused"


# -- the reader -------------------------------------------------------------------------------------------------


@pytest.fixture
def decided_process(db):  # type: ignore[no-untyped-def]
    """A closed process with the outcome document and four submissions from three groups, three decided."""
    organiser = make_user(kind=StakeholderKind.GOVERNMENT, display_name="Olu Organiser")
    process = make_process(phase="closed", code="WSIS20", organisers=(organiser,))
    version = import_document(process, organiser)
    civil = [make_user(kind=StakeholderKind.CIVIL_SOCIETY) for _ in range(2)]
    private = make_user(kind=StakeholderKind.PRIVATE_SECTOR)
    academia = make_user(kind=StakeholderKind.ACADEMIA)
    inclusion = file_submission(process, civil[0], title="Name every stakeholder group")
    formats = file_submission(process, private, title="Proprietary formats too")
    weight = file_submission(process, academia, title="Equal weight for academia")
    file_submission(process, civil[1], title="Open formats only")  # still pending
    disposition_reflect(
        submission=inclusion, actor=organiser, links=[LinkSpec(clause=version.clauses.get(label="3"), extent="full")]
    )
    disposition_reflect(
        submission=weight, actor=organiser, links=[LinkSpec(clause=version.clauses.get(label="3.1"), extent="partial")]
    )
    disposition_exclude(submission=formats, actor=organiser, ground="legal", legal_provision="Open Standards Act, s. 4")
    return {"process": process, "inclusion": inclusion}


def reader_journey(visitor, process, inclusion, viewport: dict) -> None:  # type: ignore[no-untyped-def]
    page = keyboard_user(visitor, viewport)
    slug = process.slug

    # Home page: Tab to the process, Enter.
    visitor.goto("/en/")
    tab_to(page, process.title, role="link", limit=15)
    press_and_load(visitor)
    assert visitor.path == f"/en/processes/{slug}/"

    # The process page: on to its mapping report.
    tab_to(page, "Mapping report", role="link", limit=20, within=visitor.main())
    assert_shift_tab_goes_back(page)
    press_and_load(visitor)
    assert visitor.path == f"/en/processes/{slug}/report/"

    # Round the whole report with Tab: every control on screen when focused, with its ring, in reading order, and
    # back to the first stop, the skip link.
    stops = tour(page)
    assert stops[0] == "Skip to main content"
    assert_in_order(
        stops,
        [
            "Skip to main content",
            "By submission",
            "Definition: Reach",
            "Stakeholder group",
            "Filter",
            inclusion.reference,
        ],
    )
    # The skip link, visible when focused, puts focus in main; the next stop is the page's own first control.
    state = focus_state(page)
    assert state is not None and state["name"] == "Skip to main content"
    assert state["height"] > 1 and state["width"] > 1
    page.keyboard.press("Enter")
    visitor.check()
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")
    assert_focus_visible(focus_state(page))  # type: ignore[arg-type]

    # An indicator's definition opens with Enter (a <details>); Shift+Tab goes back up to the report's contents,
    # whose link jumps to the list of submissions; the filters come next in the Tab order.
    tab_to(page, re.compile(r"^Definition: "), limit=15)  # each named after its indicator
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.parentElement.open")
    tab_to(page, "By submission", role="link", limit=15, back=True)
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#submissions"
    tab_to(page, "Stakeholder group", role="combobox", limit=5)
    page.keyboard.type("Civ")  # a closed select takes the first letters of an option
    assert selected_option(page) == "Civil society"
    tab_to(page, "Filter", role="button", limit=8)
    press_and_load(visitor)
    assert f"/en/processes/{slug}/report/?" in visitor.path and "group=" in visitor.path
    rows = page.get_by_test_id("submission-table").locator("tbody tr")
    assert rows.count() == 2
    assert all("Civil society" in row for row in rows.all_inner_texts())
    assert "2 matching submissions" in page.get_by_test_id("submission-table").locator("caption").inner_text()

    # The form's answer opens on the list: Tab goes into it, first to the table's box, which scrolls sideways with
    # the arrow keys where the table is wider than its box (on a phone it is stacked as cards and does not); then its
    # first link, Enter opens it.
    # (Scrolled back first: Chromium does not bring a link that is half scrolled out of the box fully into view
    # when it takes focus; the browser's doing, and the link's visible half still shows its ring.)
    tab_to(page, "By submission table, scrolls sideways", limit=2)
    overflow = page.evaluate("() => document.activeElement.scrollWidth - document.activeElement.clientWidth")
    if overflow > 0:
        page.keyboard.press("ArrowRight")  # the browser animates keyboard scrolling: wait for it
        page.wait_for_function("() => document.activeElement.scrollLeft > 0")
        page.keyboard.press("ArrowLeft")
        page.wait_for_function("() => document.activeElement.scrollLeft === 0")
    tab_to(page, inclusion.reference, role="link", limit=1)
    press_and_load(visitor)
    assert visitor.path == f"/en/processes/{slug}/submissions/{inclusion.reference}/"
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == f"{inclusion.reference}: Name every stakeholder group"
    assert "Civil society" in visitor.main().inner_text()


def test_a_reader_follows_a_process_to_a_trace_page_by_keyboard(visitor, decided_process):
    reader_journey(visitor, decided_process["process"], decided_process["inclusion"], DESKTOP)


def test_a_reader_on_a_phone_follows_a_process_to_a_trace_page_by_keyboard(visitor, decided_process):
    """A phone with a keyboard or a switch device: the same journey at 390 px."""
    reader_journey(visitor, decided_process["process"], decided_process["inclusion"], PHONE)


# -- the stakeholder --------------------------------------------------------------------------------------------

TEXT = "Clause 2(a) should name an open format.\nCSV and ODF are free to implement."
REASON = "Section 4 applies to software, not to published data."


def test_a_stakeholder_signs_in_files_and_contests_a_decision_by_keyboard(visitor, organiser):
    stakeholder = make_user(kind=StakeholderKind.ACADEMIA, display_name="Amaru Quispe")
    open_process = make_process(phase="open", code="IGF25", organisers=(organiser,))
    closed = make_process(phase="closed", code="WSIS20", organisers=(organiser,))
    decided = file_submission(closed, stakeholder, title="Open licences")
    disposition_exclude(submission=decided, actor=organiser, ground="legal", legal_provision="Act 7, art. 2")
    page = keyboard_user(visitor, DESKTOP)

    # From the home page, the header's "Sign in"; the form is sent with Enter from the password.
    visitor.goto("/en/")
    tab_to(page, "Sign in", role="link", limit=10)
    press_and_load(visitor)
    sign_in_by_keyboard(visitor, stakeholder)
    assert visitor.path == "/en/me/"

    # Processes (header) → the open process → File a submission.
    tab_to(page, "Processes", role="link", limit=6, within=page.get_by_role("navigation", name="Main"))
    press_and_load(visitor)
    tab_to(page, open_process.title, role="link", limit=20)
    press_and_load(visitor)
    tab_to(page, "File a submission", role="link", limit=20, within=visitor.main())
    press_and_load(visitor)
    assert visitor.path == f"/en/processes/{open_process.slug}/submit/"
    fields = ["Title", "Your suggestion", "Clause it refers to (optional)", "Proposed change (optional)"]
    assert_in_order(tour(page), [*fields, "Stakeholder group", "Show my name and organisation", "Submit"])

    # The form: text fields typed (Enter in the text area is a new line), the group chosen with letters, the
    # attribution with an arrow key, the form sent with Enter on its button.
    tab_to(page, "Title", role="textbox", limit=20)
    page.keyboard.type("Name an open format")
    tab_to(page, "Your suggestion", role="textbox", limit=3)
    page.keyboard.type(TEXT)
    assert_shift_tab_goes_back(page)
    tab_to(page, "Clause it refers to (optional)", role="textbox", limit=3)
    page.keyboard.type("2(a)")
    tab_to(page, "Stakeholder group", role="combobox", limit=3)
    assert selected_option(page) == "Academia"  # the profile's group, preselected
    page.keyboard.type("Tech")
    assert selected_option(page) == "Technical community"
    state = tab_to(page, re.compile(r"^Show "), limit=3)
    assert checked(page), f"Tab into a radio group lands on its checked radio, not on {state['name']!r}"
    page.keyboard.press("ArrowDown")
    assert focus_state(page)["name"] == "Show only my stakeholder group"  # type: ignore[index]
    assert checked(page)
    tab_to(page, "Submit", role="button", limit=5)
    press_and_load(visitor)
    assert visitor.path == f"/en/processes/{open_process.slug}/submissions/IGF25-00001/receipt/"
    assert page.get_by_role("heading", level=1).inner_text() == "Receipt IGF25-00001"
    filed = Submission.objects.get(process=open_process)
    assert (filed.title, filed.text, filed.target_clause) == ("Name an open format", TEXT, "2(a)")
    assert filed.stakeholder_group == group_of(open_process, StakeholderKind.TECHNICAL_COMMUNITY)
    assert filed.attribution == Attribution.GROUP

    # My submissions → the decided one's receipt → its public trace page, where the reply form waits.
    tab_to(page, "My submissions", role="link", limit=6)
    press_and_load(visitor)
    tab_to(page, decided.reference, role="link", limit=10)
    press_and_load(visitor)
    tab_to(page, "Public trace page", role="link", limit=15)
    press_and_load(visitor)
    assert visitor.path == f"/en/processes/{closed.slug}/submissions/{decided.reference}/"

    replying = ["I agree with this decision", "Why you contest it", "Send my reply", "Check the text"]
    assert_in_order(tour(page), replying)

    # Contest the decision: Tab lands on the group's first radio (none chosen yet), Space chooses it, an arrow
    # key moves to "I contest"; the reason is typed and the form sent with Enter on its button.
    reply = page.get_by_role("region", name="Your reply to the decision")
    tab_to(page, "I agree with this decision", role="radio", limit=40, within=reply)
    assert not checked(page)
    page.keyboard.press("Space")
    assert checked(page)
    page.keyboard.press("ArrowDown")
    assert focus_state(page)["name"] == "I contest this decision"  # type: ignore[index]
    assert checked(page)
    tab_to(page, "Why you contest it", role="textbox", limit=2, within=reply)
    page.keyboard.type(REASON)
    tab_to(page, "Send my reply", role="button", limit=2, within=reply)
    press_and_load(visitor)
    assert visitor.path == f"/en/processes/{closed.slug}/submissions/{decided.reference}/"
    assert "Your reply is recorded" in visitor.main().inner_text()
    assert REASON in page.get_by_test_id("exchange-1").inner_text()
    response = Response.objects.get(revision__submission=decided)
    assert (response.kind, response.reason) == (ResponseKind.CONTEST, REASON)


# -- the organiser ----------------------------------------------------------------------------------------------


def test_an_organiser_signs_in_with_a_second_factor_and_dispositions_by_keyboard(visitor, organiser):
    process = make_process(phase="closed", code="IGF25", organisers=(organiser,))
    import_document(process, organiser)
    inclusion = file_submission(process, make_user(kind=StakeholderKind.CIVIL_SOCIETY), title="Name every group")
    records = file_submission(
        process,
        make_user(kind=StakeholderKind.PRIVATE_SECTOR),
        title="The panel members' home addresses",
        text="Publish where each panel member lives: (a list of names and home addresses).",
    )
    slug = process.slug
    page = keyboard_user(visitor, DESKTOP)

    # The workspace's bookmarked address asks for signing in, then the second factor, and comes back.
    visitor.goto(f"/en/processes/{slug}/workspace/")
    sign_in_by_keyboard(visitor, organiser)
    assert visitor.path == f"/en/processes/{slug}/workspace/"
    assert page.get_by_test_id("progress").inner_text() == "0 of 2 submissions dispositioned"

    # Reflect the first in two clauses: each clause and extent chosen in its select with the keyboard.
    tab_to(page, inclusion.reference, role="link", limit=40)
    press_and_load(visitor)
    assert visitor.path == f"/en/processes/{slug}/workspace/submissions/{inclusion.reference}/"
    # Every one of the page's four forms is on the Tab path, in reading order.
    buttons = ["Save as reflected", "Save as excluded", "Save as not taken up", "Take its decision"]
    assert_in_order(tour(page), ["Clause", "Extent", "How it is reflected", *buttons])
    first = page.get_by_role("group", name="Clause link 1")
    tab_to(page, "Clause", role="combobox", limit=20, within=first)
    choose_with_arrows(page, "3 — Inclusion of all stakeholder groups.")
    tab_to(page, "Extent", role="combobox", limit=1, within=first)
    assert selected_option(page) == "Fully"
    assert_shift_tab_goes_back(page)
    second = page.get_by_role("group", name="Clause link 2")
    tab_to(page, "Clause", role="combobox", limit=3, within=second)
    choose_with_arrows(page, "3.1 — Equal weight for every group.")
    tab_to(page, "Extent", role="combobox", limit=1, within=second)
    page.keyboard.type("P")
    assert selected_option(page) == "Partly"
    tab_to(page, "How it is reflected", role="textbox", limit=1, within=second)
    page.keyboard.type("Equal weight, for the listed groups only.")
    tab_to(page, "Save as reflected", role="button", limit=10)
    press_and_load(visitor)
    assert visitor.path == f"/en/processes/{slug}/workspace/"
    assert f"{inclusion.reference} is marked as reflected." in visitor.main().inner_text()
    assert page.get_by_test_id("progress").inner_text() == "1 of 2 submissions dispositioned"
    links = {link.clause.label: link for link in ClauseLink.objects.filter(revision__current_of__submission=inclusion)}
    assert {label: link.extent for label, link in links.items()} == {"3": "full", "3.1": "partial"}
    assert links["3.1"].note == "Equal weight, for the listed groups only."

    # Exclude the second on a legal ground, withheld (republishing the addresses would break the law): Space
    # chooses the radio and ticks the check box, the provision is typed.
    tab_to(page, records.reference, role="link", limit=40)
    press_and_load(visitor)
    exclude = page.get_by_role("region", name="Excluded, with a legitimate reason")
    tab_to(page, "Legal ground", role="radio", limit=40, within=exclude)
    page.keyboard.press("Space")
    assert checked(page)
    tab_to(page, "Legal provision cited", role="textbox", limit=3, within=exclude)
    page.keyboard.type("Data Protection Act 2019, section 25(2)")
    tab_to(page, "Withhold the text and the author's name from the public", role="checkbox", limit=3, within=exclude)
    assert not checked(page)
    page.keyboard.press("Space")
    assert checked(page)
    tab_to(page, "Save as excluded", role="button", limit=2, within=exclude)
    press_and_load(visitor)
    assert f"{records.reference} is marked as excluded." in visitor.main().inner_text()

    # The queue shows the work done: nothing pending is left.
    assert page.get_by_test_id("progress").inner_text() == "2 of 2 submissions dispositioned"
    queue = visitor.main().get_by_role("table")
    assert queue.locator("tbody").inner_text().strip() == "No submission matches."
    disposition = Disposition.objects.get(submission=records)
    assert disposition.legal_provision == "Data Protection Act 2019, section 25(2)"
    records.refresh_from_db()
    inclusion.refresh_from_db()
    assert (inclusion.status, records.status) == (SubmissionStatus.REFLECTED, SubmissionStatus.EXCLUDED)
    assert records.withheld and not inclusion.withheld

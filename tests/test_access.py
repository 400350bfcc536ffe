"""Who may open which page: every URL of the project, for every role of the cast.

The table ACCESS below is the specification. Each row is one URL name; each column
one role. A new URL pattern without a row fails ``test_every_url_pattern_has_an_access_rule``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import LocalePrefixPattern, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from traceability.accounts.middleware import MFA_SESSION_KEY
from traceability.accounts.models import User
from traceability.consultations.models import CommentRound, Process, ProcessEvent, Submission
from traceability.consultations.services import round_open
from traceability.dispositions.models import ClauseLink, DecisionRevision, Disposition, DraftDecision, Response
from traceability.dispositions.services import (
    LinkSpec,
    disposition_exclude,
    disposition_not_take_up,
    disposition_reflect,
    response_record,
)
from traceability.outcomes.models import Clause, ClauseMatch, DocumentVersion
from traceability.outcomes.services import version_import
from traceability.publications.models import Snapshot
from traceability.publications.services import snapshot_create

from .conftest import client_for
from .factories import DOCUMENT, PASSWORD, file_submission, group_of, import_document

ROLES = ("anonymous", "author", "other_stakeholder", "organiser", "other_organiser")


@dataclass(frozen=True)
class To:
    """A 302 to the named page that does nothing else (a signed-in visitor sent on)."""

    name: str


@dataclass(frozen=True)
class Done(To):
    """A successful POST: it writes what its row's ``writes`` says, then a 302 to the named page."""


OK, BAD, FORBIDDEN, NOT_ALLOWED = 200, 400, 403, 405
TO_SIGN_IN = "302 to sign-in"  # to accounts:login?next=<the page asked for>; nothing else happens
TO_ME = To("reports:me")  # a signed-in visitor needs no sign-up or sign-in page

# Successful POSTs and where they lead.
VERIFY_EMAIL = Done("account_email_verification_sent")  # signed up: the address must be confirmed first
SIGNED_IN = Done("reports:me")
SIGNED_OUT = Done("consultations:process-list")
PROFILE_SAVED = Done("accounts:profile")
ACCOUNT_DELETED = Done("consultations:process-list")
FILED = Done("consultations:submission-receipt")
EDITED = Done("consultations:submission-receipt")
WITHDRAWN = Done("reports:me")
IMPORTED = Done("outcomes:matching")  # a second version waits for its matching to be reviewed
DECIDED = Done("dispositions:workspace")
MATCH_CORRECTED = Done("outcomes:matching")
TO_WORKSPACE = Done("dispositions:workspace")
RECONFIRMED = Done("dispositions:reconfirm")
REPLIED = Done("reports:submission-trace")
ANSWERED = Done("dispositions:contests")


def row(anonymous: object, author: object, other_stakeholder: object, organiser: object, other_organiser: object):
    return dict(zip(ROLES, (anonymous, author, other_stakeholder, organiser, other_organiser), strict=True))


# fmt: off
#                    anonymous    author       other_stk    organiser    other_organiser
PUBLIC =         row(OK,          OK,          OK,          OK,          OK)
SIGNED_IN_ONLY = row(TO_SIGN_IN,  OK,          OK,          OK,          OK)
OWNER_ONLY =     row(TO_SIGN_IN,  OK,          FORBIDDEN,   FORBIDDEN,   FORBIDDEN)
ORGANISER_ONLY = row(TO_SIGN_IN,  FORBIDDEN,   FORBIDDEN,   OK,          FORBIDDEN)
WRONG_METHOD =   row(NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)
# fmt: on
HTML, XLSX = "text/html", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# url name -> what each role gets for GET, and for POST with valid form data, and what a successful
# POST changes (see snapshot()). Every other request must change nothing.
ACCESS: dict[str, dict[str, object]] = {
    # Accounts.
    # Sign-up, sign-in and sign-out are django-allauth's views; the earlier addresses redirect to them.
    "accounts:sign-up": {
        "GET": row(*[To("account_signup")] * 5),
        "POST": row(*[To("account_signup")] * 5),
        "writes": set(),
    },
    "accounts:login": {
        "GET": row(*[To("account_login")] * 5),
        "POST": row(*[To("account_login")] * 5),
        "writes": set(),
    },
    "account_signup": {
        "GET": row(OK, TO_ME, TO_ME, TO_ME, TO_ME),
        "POST": row(VERIFY_EMAIL, TO_ME, TO_ME, TO_ME, TO_ME),
        "writes": {"users", "profiles"},
    },
    "account_login": {
        "GET": row(OK, TO_ME, TO_ME, TO_ME, TO_ME),
        "POST": row(SIGNED_IN, TO_ME, TO_ME, TO_ME, TO_ME),
        "writes": set(),
    },
    "account_logout": {
        "GET": row(To("consultations:process-list"), OK, OK, OK, OK),
        "POST": row(SIGNED_OUT, SIGNED_OUT, SIGNED_OUT, SIGNED_OUT, SIGNED_OUT),
        "writes": set(),
    },
    "consultations:blocked-attempts": {"GET": ORGANISER_ONLY, "POST": WRONG_METHOD, "writes": set()},
    "accounts:security": {"GET": SIGNED_IN_ONLY, "POST": WRONG_METHOD, "writes": set()},
    "accounts:profile": {
        "GET": SIGNED_IN_ONLY,
        "POST": row(TO_SIGN_IN, PROFILE_SAVED, PROFILE_SAVED, PROFILE_SAVED, PROFILE_SAVED),
        "writes": {"profiles"},
    },
    "accounts:delete": {
        "GET": SIGNED_IN_ONLY,
        "POST": row(TO_SIGN_IN, ACCOUNT_DELETED, ACCOUNT_DELETED, ACCOUNT_DELETED, ACCOUNT_DELETED),
        "writes": {"profiles"},
    },
    # Public pages. Read-only pages refuse any method but GET and HEAD.
    "consultations:process-list": {"GET": PUBLIC, "POST": WRONG_METHOD, "writes": set()},
    "consultations:process-detail": {"GET": PUBLIC, "POST": WRONG_METHOD, "writes": set()},
    "outcomes:document": {"GET": PUBLIC, "POST": WRONG_METHOD, "writes": set()},
    "reports:report": {"GET": PUBLIC, "POST": WRONG_METHOD, "writes": set()},
    "reports:submission-trace": {"GET": PUBLIC, "POST": WRONG_METHOD, "writes": set()},
    # Anyone may check a text against a receipt: a POST that answers on the page and writes nothing.
    "reports:submission-verify": {"GET": WRONG_METHOD, "POST": PUBLIC, "writes": set()},
    # The report's downloads: public like the report, not HTML ("type" is the Content-Type a GET answers).
    "reports:mapping-csv": {"GET": PUBLIC, "POST": WRONG_METHOD, "writes": set(), "type": "text/csv"},
    "reports:mapping-json": {"GET": PUBLIC, "POST": WRONG_METHOD, "writes": set(), "type": "application/json"},
    "reports:report-json": {"GET": PUBLIC, "POST": WRONG_METHOD, "writes": set(), "type": "application/json"},
    "reports:doc-xlsx": {"GET": PUBLIC, "POST": WRONG_METHOD, "writes": set(), "type": XLSX},
    "reports:methodology": {"GET": PUBLIC, "POST": WRONG_METHOD, "writes": set()},
    "reports:me": {"GET": SIGNED_IN_ONLY, "POST": WRONG_METHOD, "writes": set()},
    "reports:me-data": {"GET": SIGNED_IN_ONLY, "POST": WRONG_METHOD, "writes": set(), "type": "application/json"},
    # Filing: any signed-in person (organisers are stakeholders too).
    "consultations:submission-create": {
        "GET": SIGNED_IN_ONLY,
        "POST": row(TO_SIGN_IN, FILED, FILED, FILED, FILED),
        "writes": {"submissions"},
    },
    # The author's own pages: nobody else's, not even the organisers'.
    "consultations:submission-receipt": {"GET": OWNER_ONLY, "POST": WRONG_METHOD, "writes": set()},
    "consultations:submission-edit": {
        "GET": OWNER_ONLY,
        "POST": row(TO_SIGN_IN, EDITED, FORBIDDEN, FORBIDDEN, FORBIDDEN),
        "writes": {"submission_text"},
    },
    "consultations:submission-withdraw-confirm": {"GET": OWNER_ONLY, "POST": WRONG_METHOD, "writes": set()},
    "consultations:submission-withdraw": {
        "GET": WRONG_METHOD,
        "POST": row(TO_SIGN_IN, WITHDRAWN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
        "writes": {"withdrawn"},
    },
    # The organisers of this process, and nobody else (not the organisers of another process).
    "outcomes:import": {
        "GET": ORGANISER_ONLY,
        "POST": row(TO_SIGN_IN, FORBIDDEN, FORBIDDEN, IMPORTED, FORBIDDEN),
        "writes": {"versions", "matches"},
    },
    "outcomes:matching": {"GET": ORGANISER_ONLY, "POST": WRONG_METHOD, "writes": set()},
    "outcomes:match-update": {
        "GET": WRONG_METHOD,
        "POST": row(TO_SIGN_IN, FORBIDDEN, FORBIDDEN, MATCH_CORRECTED, FORBIDDEN),
        "writes": {"matches"},
    },
    "outcomes:discard": {
        "GET": WRONG_METHOD,
        "POST": row(TO_SIGN_IN, FORBIDDEN, FORBIDDEN, TO_WORKSPACE, FORBIDDEN),
        "writes": {"versions", "matches"},
    },
    "dispositions:adopt": {
        "GET": WRONG_METHOD,
        "POST": row(TO_SIGN_IN, FORBIDDEN, FORBIDDEN, RECONFIRMED, FORBIDDEN),
        "writes": {"adopted", "statuses"},
    },
    "dispositions:reconfirm": {"GET": ORGANISER_ONLY, "POST": WRONG_METHOD, "writes": set()},
    "dispositions:reconfirm-link": {
        "GET": WRONG_METHOD,
        "POST": row(TO_SIGN_IN, FORBIDDEN, FORBIDDEN, RECONFIRMED, FORBIDDEN),
        "writes": {"events", "links"},
    },
    "outcomes:round-open": {
        "GET": ORGANISER_ONLY,
        "POST": row(TO_SIGN_IN, FORBIDDEN, FORBIDDEN, TO_WORKSPACE, FORBIDDEN),
        "writes": {"rounds", "history"},
    },
    "outcomes:round-close": {
        "GET": WRONG_METHOD,
        "POST": row(TO_SIGN_IN, FORBIDDEN, FORBIDDEN, TO_WORKSPACE, FORBIDDEN),
        "writes": {"rounds", "history"},
    },
    "outcomes:round-extend": {
        "GET": ORGANISER_ONLY,
        "POST": row(TO_SIGN_IN, FORBIDDEN, FORBIDDEN, TO_WORKSPACE, FORBIDDEN),
        "writes": {"rounds", "history"},
    },
    "reports:compare": {"GET": PUBLIC, "POST": WRONG_METHOD, "writes": set()},
    # Publishing: the organisers of this process; here the gate is not clear (a pending submission, an open
    # process), so their POST is a 400 that publishes nothing. The snapshots are public.
    "publications:publish": {
        "GET": ORGANISER_ONLY,
        "POST": row(TO_SIGN_IN, FORBIDDEN, FORBIDDEN, BAD, FORBIDDEN),
        "writes": set(),
    },
    "publications:snapshot-list": {"GET": PUBLIC, "POST": WRONG_METHOD, "writes": set()},
    "publications:snapshot-download": {
        "GET": PUBLIC,
        "POST": WRONG_METHOD,
        "writes": set(),
        "type": "application/json",
    },
    "dispositions:workspace": {"GET": ORGANISER_ONLY, "POST": WRONG_METHOD, "writes": set()},
    # Answering back: the author replies to the decision; this process's organisers answer a contest.
    "dispositions:respond": {
        "GET": WRONG_METHOD,
        "POST": row(TO_SIGN_IN, REPLIED, FORBIDDEN, FORBIDDEN, FORBIDDEN),
        "writes": {"responses"},
    },
    "dispositions:contests": {"GET": ORGANISER_ONLY, "POST": WRONG_METHOD, "writes": set()},
    "dispositions:contest-answer": {
        "GET": WRONG_METHOD,
        "POST": row(TO_SIGN_IN, FORBIDDEN, FORBIDDEN, ANSWERED, FORBIDDEN),
        "writes": {"answers"},
    },
    "dispositions:review": {"GET": ORGANISER_ONLY, "POST": WRONG_METHOD, "writes": set()},
    "dispositions:reflect": {
        "GET": WRONG_METHOD,
        "POST": row(TO_SIGN_IN, FORBIDDEN, FORBIDDEN, DECIDED, FORBIDDEN),
        "writes": {"dispositions", "links", "events"},
    },
    "dispositions:exclude": {
        "GET": WRONG_METHOD,
        "POST": row(TO_SIGN_IN, FORBIDDEN, FORBIDDEN, DECIDED, FORBIDDEN),
        "writes": {"dispositions", "events"},
    },
    "dispositions:not-taken-up": {
        "GET": WRONG_METHOD,
        "POST": row(TO_SIGN_IN, FORBIDDEN, FORBIDDEN, DECIDED, FORBIDDEN),
        "writes": {"dispositions", "events"},
    },
    "dispositions:same-as": {
        "GET": WRONG_METHOD,
        "POST": row(TO_SIGN_IN, FORBIDDEN, FORBIDDEN, DECIDED, FORBIDDEN),
        "writes": {"dispositions", "events", "links"},
    },
    "dispositions:release": {
        "GET": ORGANISER_ONLY,
        "POST": row(TO_SIGN_IN, FORBIDDEN, FORBIDDEN, DECIDED, FORBIDDEN),
        "writes": {"dispositions", "events", "drafts", "history"},
    },
}

# favicon.ico: a permanent redirect to a static file for everyone (tests/test_admin_and_settings.py).
SKIPPED_PREFIXES = ("admin/", "static/", "media/", "favicon.ico")
# django-allauth's other pages (e-mail, password, two-factor): their access rules are allauth's, and
# tests/test_accounts.py walks each flow. Its sign-up, sign-in and sign-out are in ACCESS.
ALLAUTH_NAMES = ("account_", "mfa_")
ALLAUTH_IN_ACCESS = {"account_signup", "account_login", "account_logout"}


def walk(patterns, prefix: str = "", namespace: str | None = None):
    """Yield ``(route, "namespace:name", pattern)`` for every URL pattern, depth first."""
    for entry in patterns:
        # i18n_patterns: the language prefix (/en/, /fr/) is not part of a page's route
        route = prefix if isinstance(entry.pattern, LocalePrefixPattern) else prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace])) or None
            yield from walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield route, name, entry


def project_patterns():
    return [
        (route, name, pattern)
        for route, name, pattern in walk(get_resolver().url_patterns)
        if not route.startswith(SKIPPED_PREFIXES) and (not name.startswith(ALLAUTH_NAMES) or name in ALLAUTH_IN_ACCESS)
    ]


def test_every_url_pattern_has_an_access_rule():
    walked = project_patterns()
    assert all(name for _route, name, _pattern in walked), "every URL pattern needs a name"
    names = {name for _route, name, _pattern in walked}
    assert names - ACCESS.keys() == set(), "new URL patterns need a row in ACCESS"
    assert ACCESS.keys() - names == set(), "ACCESS has rows for URL patterns that no longer exist"


# ----------------------------------------------------------------------------- the cast and its world


@pytest.fixture
def world(stakeholder, other_stakeholder, organiser, other_organiser, process, other_process):
    version = import_document(process, by=organiser)
    import_document(other_process, by=other_organiser)
    submission = file_submission(process, stakeholder, title="Mine", text="My own suggestion.")
    # Another stakeholder's submission is reflected in paragraph 3, which the second version rewords.
    decided = file_submission(process, other_stakeholder, title="Theirs", text="Include everyone.")
    disposition_reflect(submission=decided, actor=organiser, links=[LinkSpec(clause=version.clauses.get(label="3"))])
    return SimpleNamespace(
        version=version,
        decided=decided,
        process=process,
        other_process=other_process,
        submission=submission,
        users={
            "anonymous": None,
            "author": stakeholder,
            "other_stakeholder": other_stakeholder,
            "organiser": organiser,
            "other_organiser": other_organiser,
        },
    )


REVISED = DOCUMENT.replace("3. Inclusion of all stakeholder groups.", "3. Inclusion of every stakeholder group.")
VERSION_PAGES = {"outcomes:matching", "outcomes:match-update", "outcomes:discard", "dispositions:adopt"}
# Pages about the author's reply to a decision: the author's submission is decided (and, for the contest
# pages, contested).
REPLY_PAGES = {"dispositions:respond", "dispositions:contests", "dispositions:contest-answer"}


def prepare(name: str, world) -> None:
    """The state a page acts on: a second version waiting for review, or an open comment round."""
    if name in VERSION_PAGES:
        world.pending = version_import(
            process=world.process, source=REVISED, label="Revision 1", created_by=world.users["organiser"]
        )
    if name == "dispositions:release":
        disposition_not_take_up(
            submission=world.submission, actor=world.users["organiser"], reason="Out of scope.", draft=True
        )
    if name == "publications:snapshot-download":
        # Snapshot 1: every submission decided, the process closed, then published through the gate.
        organiser = world.users["organiser"]
        disposition_exclude(submission=world.submission, actor=organiser, ground="legal", legal_provision="Act 1")
        Process.objects.filter(pk=world.process.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
        snapshot_create(process=Process.objects.get(pk=world.process.pk), actor=organiser)
    if name in REPLY_PAGES:
        organiser, author = world.users["organiser"], world.users["author"]
        disposition_exclude(submission=world.submission, actor=organiser, ground="legal", legal_provision="Art. 1")
        if name != "dispositions:respond":
            world.contest = response_record(
                submission=world.submission, revision_number=1, author=author, kind="contest", reason="Art. 1 is moot."
            )
    if name in ("outcomes:round-close", "outcomes:round-extend"):
        round_open(
            process=world.process,
            version=world.version,
            closes_at=timezone.now() + timedelta(days=3),
            actor=world.users["organiser"],
        )


def url_of(name: str, world) -> str:
    params = dict(next(pattern for _route, n, pattern in project_patterns() if n == name).pattern.converters)
    values = {
        "slug": world.process.slug,
        "reference": world.submission.reference,
        "number": 1
        if name in ("outcomes:round-close", "outcomes:round-extend", "publications:snapshot-download")
        else 2,
        "link_pk": ClauseLink.objects.filter(revision__submission=world.decided).values_list("pk", flat=True).last(),
        "clause_pk": getattr(world, "pending", None) and world.pending.clauses.get(label="3").pk,
        "response_pk": getattr(world, "contest", None) and world.contest.pk,
    }
    return reverse(name, kwargs={key: values[key] for key in params})


def valid_post(name: str, world) -> dict[str, object]:
    """Form data that the permitted role's POST would accept."""
    process, submission = world.process, world.submission
    clause = Clause.objects.filter(version__process=process).order_by("position").first()
    submission_form = {
        "title": "A new suggestion",
        "text": "Name all six groups.",
        "target_clause": "3",
        "proposed_change": "",
        "stakeholder_group": group_of(process).pk,
        "attribution": "name",
        "form_token": str(uuid.uuid4()),
    }
    data: dict[str, dict[str, object]] = {
        "account_signup": {
            "display_name": "New Person",
            "email": "new.person@example.org",
            "organisation": "New Org",
            "stakeholder_kind": "academia",
            "country": "GH",
            "password1": "a long enough passphrase 42",
            "password2": "a long enough passphrase 42",
        },
        "account_login": {"login": world.users["author"].email, "password": PASSWORD},
        "accounts:delete": {"password": PASSWORD},
        "accounts:profile": {
            "display_name": "Renamed",
            "organisation": "Elsewhere",
            "stakeholder_kind": "academia",
            "country": "NZ",
            "language": "fr",
        },
        "consultations:submission-create": submission_form,
        "consultations:submission-edit": dict(submission_form, text="Edited text", form_token=submission.form_token),
        "outcomes:import": {"label": "Second draft", "status": "draft", "text": "# 1. Scope\n1. A new text."},
        "dispositions:reflect": {
            "links-TOTAL_FORMS": "1",
            "links-INITIAL_FORMS": "0",
            "links-0-clause": str(clause.pk),
            "links-0-extent": "full",
            "links-0-note": "Clause 1 says so.",
        },
        "dispositions:exclude": {"exclude-ground": "legal", "exclude-legal_provision": "Act 12, art. 5(2)"},
        "dispositions:not-taken-up": {"not_taken_up-reason": "Outside the mandate of this process."},
        "dispositions:same-as": {"same_as-original": world.decided.reference},
        "outcomes:match-update": {"previous": "3", "editorial": "on"},
        "dispositions:reconfirm-link": {"action": "reconfirm"},
        "dispositions:respond": {"revision": "1", "kind": "agree", "reason": ""},
        "dispositions:contest-answer": {"answer": "Article 1 still applies; see its paragraph 2."},
        "reports:submission-verify": {"text": "My own suggestion."},
        "outcomes:round-open": {"closes_at": (timezone.now() + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")},
        "outcomes:round-extend": {"closes_at": (timezone.now() + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")},
    }
    return data.get(name, {"anything": "at all"})


def snapshot(world) -> dict[str, object]:
    """What a POST could change, so that a refused one can be shown to change nothing."""
    submission = Submission.objects.get(pk=world.submission.pk)
    return {
        "users": User.objects.count(),
        "profiles": sorted(User.objects.values_list("pk", "display_name", "organisation", "country")),
        "submissions": Submission.objects.count(),
        "submission_text": (submission.title, submission.text, submission.text_sha256),
        "withdrawn": submission.withdrawn_at is not None,
        "dispositions": Disposition.objects.count(),
        "links": ClauseLink.objects.count(),
        "events": DecisionRevision.objects.count(),
        "versions": DocumentVersion.objects.count(),
        "adopted": DocumentVersion.objects.adopted().count(),
        "matches": set(ClauseMatch.objects.values_list("clause_id", "previous_id", "relation", "editorial")),
        "statuses": Submission.objects.get(pk=world.decided.pk).status,
        "rounds": sorted(CommentRound.objects.values_list("number", "closes_at")),
        "drafts": DraftDecision.objects.count(),
        "history": ProcessEvent.objects.count(),
        "snapshots": sorted(Snapshot.objects.values_list("process_id", "number", "sha256")),
        "published": sorted(Process.objects.values_list("pk", "published_at")),
        "responses": sorted(Response.objects.values_list("pk", "kind", "reason")),
        "answers": sorted(Response.objects.filter(answered_at__isnull=False).values_list("pk", "answer")),
    }


def changed(before: dict[str, object], after: dict[str, object]) -> set[str]:
    return {key for key in before if before[key] != after[key]}


def assert_outcome(response, expected: object, url: str) -> None:
    if expected == TO_SIGN_IN:
        assert response.status_code == 302, response.status_code
        location = urlsplit(response["Location"])
        assert resolve(location.path).view_name == "account_login"
        assert parse_qs(location.query)["next"] == [url]
    elif isinstance(expected, To):
        assert response.status_code == 302, response.status_code
        assert resolve(urlsplit(response["Location"]).path).view_name == expected.name
    else:
        assert response.status_code == expected, response.status_code


CASES = [(name, role, method) for name in ACCESS for method in ("GET", "POST") for role in ROLES]


@pytest.mark.parametrize(("name", "role", "method"), CASES, ids=["-".join(case) for case in CASES])
def test_each_role_gets_what_the_access_table_says(world, name, role, method):
    expected = ACCESS[name][method][role]
    prepare(name, world)
    url = url_of(name, world)
    client = client_for(world.users[role])
    before = snapshot(world)

    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, valid_post(name, world))

    assert_outcome(response, expected, url)
    if expected == OK and method == "GET":
        assert response["Content-Type"].startswith(ACCESS[name].get("type", HTML)), response["Content-Type"]
    if response.streaming:  # a download: read it to the end, so that its cursor or temporary file is closed
        b"".join(response.streaming_content)
    writes = changed(before, snapshot(world))
    if isinstance(expected, Done):
        assert writes == ACCESS[name]["writes"], f"{role} {method} {name} changed {writes}"
    else:
        # Reads, refusals, redirects to sign-in and ignored POSTs write nothing.
        assert writes == set(), f"{role} {method} {name} changed {writes}"


@pytest.mark.parametrize(
    "name", ["dispositions:reflect", "dispositions:exclude", "dispositions:not-taken-up", "dispositions:same-as"]
)
def test_an_invalid_post_by_the_organiser_is_a_400_that_writes_nothing(world, name):
    before = snapshot(world)
    response = client_for(world.users["organiser"]).post(url_of(name, world), {"links-TOTAL_FORMS": "0"})
    assert response.status_code == BAD
    assert changed(before, snapshot(world)) == set()


def test_an_invalid_import_by_the_organiser_redisplays_the_form_and_writes_nothing(world):
    before = snapshot(world)
    response = client_for(world.users["organiser"]).post(url_of("outcomes:import", world), {"label": ""})
    assert response.status_code == OK
    assert "This field is required." in response.content.decode()
    assert changed(before, snapshot(world)) == set()


# ----------------------------------------------------------------------------- CSRF

# Every endpoint that changes something on POST, and a role that may post to it.
POST_FORMS = {
    "account_signup": "anonymous",
    "account_login": "anonymous",
    "account_logout": "author",
    "accounts:profile": "author",
    "accounts:delete": "author",
    "consultations:submission-create": "author",
    "consultations:submission-edit": "author",
    "consultations:submission-withdraw": "author",
    "outcomes:import": "organiser",
    "dispositions:reflect": "organiser",
    "dispositions:exclude": "organiser",
    "dispositions:not-taken-up": "organiser",
    "dispositions:same-as": "organiser",
    "dispositions:release": "organiser",
    "outcomes:match-update": "organiser",
    "outcomes:discard": "organiser",
    "dispositions:adopt": "organiser",
    "dispositions:reconfirm-link": "organiser",
    "outcomes:round-open": "organiser",
    "outcomes:round-close": "organiser",
    "outcomes:round-extend": "organiser",
    "dispositions:respond": "author",
    "dispositions:contest-answer": "organiser",
}


def test_the_csrf_list_names_every_endpoint_that_writes():
    writers = {name for name, rule in ACCESS.items() if rule["writes"]}
    assert writers <= POST_FORMS.keys()
    for name, role in POST_FORMS.items():
        if name in ACCESS:
            assert isinstance(ACCESS[name]["POST"][role], Done), f"{role} may not post to {name}"


@pytest.mark.parametrize(("name", "role"), POST_FORMS.items(), ids=list(POST_FORMS))
def test_a_post_without_the_csrf_token_is_refused_and_writes_nothing(world, name, role):
    client = Client(enforce_csrf_checks=True)
    if world.users[role] is not None:
        client.force_login(world.users[role])
        session = client.session
        session[MFA_SESSION_KEY] = world.users[role].pk  # signed in with the second factor too
        session.save()
    prepare(name, world)
    url = url_of(name, world)
    data = valid_post(name, world)
    before = snapshot(world)

    response = client.post(url, data)

    assert response.status_code == FORBIDDEN
    assert changed(before, snapshot(world)) == set()
    if world.users[role] is not None:  # still signed in: not even the sign-out happened
        assert client.get(reverse("reports:me")).status_code == OK


class PostForms(HTMLParser):
    """Collects, for each <form method="post">, whether it carries the CSRF token."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, object]] = []
        self._open: dict[str, object] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self._open = {"action": attributes.get("action"), "token": False}
            self.forms.append(self._open)
        elif tag == "input" and self._open is not None and attributes.get("name") == "csrfmiddlewaretoken":
            self._open["token"] = bool(attributes.get("value"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


PAGES_WITH_FORMS = [
    (name, role)
    for name, rule in ACCESS.items()
    for role in ("anonymous", "author", "organiser")
    if rule["GET"][role] == OK and rule.get("type", HTML) == HTML
]


@pytest.mark.parametrize(("name", "role"), PAGES_WITH_FORMS, ids=["-".join(case) for case in PAGES_WITH_FORMS])
def test_every_post_form_on_every_page_carries_the_csrf_token(world, name, role):
    prepare(name, world)
    response = client_for(world.users[role]).get(url_of(name, world))
    parser = PostForms()
    parser.feed(response.content.decode())
    assert all(form["token"] for form in parser.forms), parser.forms

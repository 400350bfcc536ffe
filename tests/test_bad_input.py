"""Bad input never gives a 500, never writes half a record, and is shown escaped.

The property tests post arbitrary text (any unicode, NUL bytes, huge strings, HTML and
script) to every form that writes; each example runs in its own savepoint, rolled back
afterwards, so examples do not see each other's rows.
"""

from __future__ import annotations

import hashlib
import operator
import uuid
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from traceability.accounts.models import User
from traceability.consultations.models import Submission
from traceability.dispositions.models import ClauseLink, DecisionRevision, Disposition, Response
from traceability.dispositions.services import disposition_exclude, response_record
from traceability.outcomes.models import Clause, DocumentVersion

from .conftest import client_for
from .factories import file_submission, group_of, import_document

EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
ANSWERS = {200, 302, 400, 409}
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'

# Any unicode (lone surrogates cannot travel in HTTP), NUL bytes, huge strings, markup.
any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]))
huge_text = st.builds(
    operator.mul, st.sampled_from(["x", "é", "\x00", "<", "\U0001d518", " ", "\n"]), st.integers(2_000, 60_000)
)
with_markup = st.builds(lambda before, after: before + SCRIPT + after, any_text, any_text)
texts = st.one_of(any_text, huge_text, with_markup, st.sampled_from(["", " ", "\x00", "\r\n", SCRIPT, "\u202e"]))


def fine_text(max_size: int) -> st.SearchStrategy[str]:
    """Text a form should accept: any printable unicode (RTL marks, emoji, combining signs) or markup."""
    printable = st.text(alphabet=st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=max_size)
    return st.one_of(printable.filter(str.strip), st.just(SCRIPT[:max_size]))


def spoil(valid: st.SearchStrategy[dict[str, object]]) -> st.SearchStrategy[dict[str, object]]:
    """A valid form, or the same form with one field replaced by arbitrary text."""

    def replace(data: dict[str, object], field: str | None, value: str) -> dict[str, object]:
        return data if field is None else {**data, field: value}

    return valid.flatmap(lambda data: st.builds(replace, st.just(data), st.sampled_from([None, *data]), texts))


@contextmanager
def rolled_back():
    """Run one example in a savepoint that is always rolled back."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def rows() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "submissions": Submission.objects.count(),
        "versions": DocumentVersion.objects.count(),
        "clauses": Clause.objects.count(),
        "dispositions": Disposition.objects.count(),
        "links": ClauseLink.objects.count(),
        "events": DecisionRevision.objects.count(),
        "responses": Response.objects.count(),
        "answers": Response.objects.filter(answered_at__isnull=False).count(),
    }


def grew(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {key for key in before if after[key] != before[key]}


def assert_escaped(response) -> None:
    """No markup that came in goes out as markup: the pages themselves carry no <script> at all."""
    html = response.content.decode()
    assert "<script" not in html.lower()
    assert "<img src=x" not in html


@pytest.fixture
def world(stakeholder, organiser, process, other_process, other_organiser):
    version = import_document(process, by=organiser)
    import_document(other_process, by=other_organiser)
    submission = file_submission(process, stakeholder, title="Mine", text="My own suggestion.")
    return {"process": process, "version": version, "submission": submission}


# ----------------------------------------------------------------------------- arbitrary text to every form


SUBMISSION = st.fixed_dictionaries(
    {
        "title": fine_text(200),
        "text": st.one_of(fine_text(500), st.builds(operator.mul, st.just("long "), st.integers(1, 4_000))),
        "target_clause": st.one_of(st.just(""), fine_text(40)),
        "proposed_change": st.one_of(st.just(""), fine_text(300)),
        "stakeholder_group": st.just("VALID"),
        "attribution": st.sampled_from(["name", "group"]),
        "form_token": st.uuids().map(str),
    }
)


@EXAMPLES
@given(data=spoil(SUBMISSION))
def test_submission_form_takes_any_text(world, stakeholder, data):
    process = world["process"]
    client = client_for(stakeholder)
    if data["stakeholder_group"] == "VALID":
        data = {**data, "stakeholder_group": group_of(process).pk}
    with rolled_back():
        before = rows()
        response = client.post(reverse("consultations:submission-create", args=[process.slug]), data)
        assert response.status_code in ANSWERS
        event(f"answered {response.status_code}")
        changed = grew(before, rows())
        if response.status_code == 302:
            assert changed == {"submissions"}
            submission = Submission.objects.latest("pk")
            assert submission.text == data["text"].replace("\r\n", "\n").replace("\r", "\n").strip()
            assert submission.text_sha256 == hashlib.sha256(submission.text.encode()).hexdigest()
            assert_escaped(client.get(response["Location"]))
            assert_escaped(Client().get(submission.get_absolute_url()))
        else:
            assert changed == set()
            assert_escaped(response)


SIGN_UP = st.fixed_dictionaries(
    {
        "display_name": fine_text(120),
        "email": st.emails().filter(lambda email: len(email) <= 254),
        "organisation": fine_text(200),
        "stakeholder_kind": st.sampled_from(["academia", "government", "technical_community"]),
        "country": st.sampled_from(["KE", "FR", "BR"]),
        "password1": st.just("a long enough passphrase 42"),
        "password2": st.just("a long enough passphrase 42"),
        "next": st.sampled_from(["", "/en/me/", "0", "me", "https://evil.example/", "//evil.example/", "javascript:x"]),
    }
)


@EXAMPLES
@given(data=spoil(SIGN_UP))
def test_sign_up_form_takes_any_text(db, data):
    client = Client()
    with rolled_back():
        before = rows()
        response = client.post(reverse("account_signup"), data)
        assert response.status_code in ANSWERS
        event(f"answered {response.status_code}")
        changed = grew(before, rows())
        if response.status_code == 302:
            assert changed == {"users"}
            assert User.objects.filter(email=data["email"].strip().lower()).exists()
            assert not response["Location"].startswith(("https://evil", "//"))
        else:
            assert changed == set()
            assert_escaped(response)


@pytest.mark.parametrize(
    "next_url",
    [
        "0",
        "me",
        "reports:me",
        "/en/me/",
        "https://evil.example/",
        "//evil.example/",
        "javascript:alert(1)",
        "\x00",
        "/\x00",
    ],
)
def test_sign_up_goes_on_to_a_safe_next_page_whatever_next_says(db, next_url):
    data = {
        "display_name": "Next Person",
        "email": "next.person@example.org",
        "organisation": "Org",
        "stakeholder_kind": "academia",
        "country": "KE",
        "password1": "a long enough passphrase 42",
        "password2": "a long enough passphrase 42",
        "next": next_url,
    }
    response = Client().post(reverse("account_signup"), data)
    assert response.status_code == 302
    assert User.objects.filter(email="next.person@example.org").exists()
    assert not response["Location"].startswith(("https:", "//", "javascript:"))


line_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)
numbering = st.lists(st.integers(0, 99_999), min_size=1, max_size=8).map(lambda parts: ".".join(map(str, parts)))
markdown_line = st.one_of(
    st.builds(lambda level, text: "#" * level + " " + text, st.integers(1, 7), line_text),
    st.builds(
        lambda number, end, text: number + end + " " + text, numbering, st.sampled_from([".", ")", ""]), line_text
    ),
    st.builds(lambda letter, text: f"({letter}) {text}", st.sampled_from(["a", "b", "iv", "zz", "x"]), line_text),
    st.builds(
        lambda text, eid: f"{text} {{#{eid}}}", line_text, st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,8}", fullmatch=True)
    ),
    st.sampled_from(["```", "~~~", "", "####", "# ", "1.", "{#dup}", SCRIPT, "# " + SCRIPT, "1. " + SCRIPT]),
    line_text,
)
markdown = st.lists(markdown_line, max_size=40).map("\n".join)
documents = st.one_of(markdown, markdown.map(lambda text: "# 1. Scope\n1. First clause.\n" + text), texts)


IMPORT = st.fixed_dictionaries(
    {"label": fine_text(120), "status": st.sampled_from(["draft", "final"]), "text": documents}
)


@EXAMPLES
@given(data=spoil(IMPORT))
def test_document_import_takes_any_text(world, organiser, data):
    process = world["process"]
    client = client_for(organiser)
    with rolled_back():
        before = rows()
        response = client.post(reverse("outcomes:import", args=[process.slug]), data)
        assert response.status_code in ANSWERS
        event(f"answered {response.status_code}")
        changed = grew(before, rows())
        if response.status_code == 302:
            assert changed == {"versions", "clauses"}
            version = DocumentVersion.objects.latest("pk")
            assert version.clauses.exists() and version.source == data["text"].strip()
            assert_escaped(Client().get(reverse("outcomes:document", args=[process.slug])))
            assert_escaped(Client().get(reverse("reports:report", args=[process.slug])))
        else:
            assert changed == set()
            assert_escaped(response)


EXCLUSION = st.one_of(
    st.fixed_dictionaries({"exclude-ground": st.just("legal"), "exclude-legal_provision": fine_text(2_000)}),
    st.fixed_dictionaries({"exclude-ground": st.just("public_morality"), "exclude-justification": fine_text(5_000)}),
)


@EXAMPLES
@given(data=spoil(EXCLUSION))
def test_exclusion_form_takes_any_text(world, organiser, data):
    process, submission = world["process"], world["submission"]
    client = client_for(organiser)
    with rolled_back():
        before = rows()
        response = client.post(reverse("dispositions:exclude", args=[process.slug, submission.reference]), data)
        assert response.status_code in ANSWERS
        event(f"answered {response.status_code}")
        changed = grew(before, rows())
        if response.status_code == 302:
            assert changed == {"dispositions", "events"}
            assert_escaped(Client().get(submission.get_absolute_url()))
            assert_escaped(Client().get(reverse("reports:report", args=[process.slug])))
        else:
            assert changed == set()
            assert_escaped(response)


@pytest.fixture
def decided(world, organiser):
    submission = world["submission"]
    disposition_exclude(submission=submission, actor=organiser, ground="legal", legal_provision="Art. 1")
    return submission


REPLY = st.fixed_dictionaries(
    {
        "revision": st.just("1"),
        "kind": st.sampled_from(["agree", "contest"]),
        "reason": st.one_of(st.just(""), fine_text(5_000)),
    }
)


@EXAMPLES
@given(data=spoil(REPLY))
def test_reply_form_takes_any_text(decided, stakeholder, data):
    client = client_for(stakeholder)
    with rolled_back():
        before = rows()
        response = client.post(reverse("dispositions:respond", args=[decided.process.slug, decided.reference]), data)
        assert response.status_code in ANSWERS
        event(f"answered {response.status_code}")
        changed = grew(before, rows())
        if response.status_code == 302:
            assert changed == {"responses"}
            assert_escaped(Client().get(decided.get_absolute_url()))
        else:
            assert changed == set()
            assert_escaped(response)


@EXAMPLES
@given(data=spoil(st.fixed_dictionaries({"answer": fine_text(5_000)})))
def test_contest_answer_form_takes_any_text(decided, stakeholder, organiser, data):
    contest = response_record(
        submission=decided, revision_number=1, author=stakeholder, kind="contest", reason="Art. 1 is moot."
    )
    client = client_for(organiser)
    url = reverse("dispositions:contest-answer", args=[decided.process.slug, contest.pk])
    with rolled_back():
        before = rows()
        response = client.post(url, data)
        assert response.status_code in ANSWERS
        event(f"answered {response.status_code}")
        changed = grew(before, rows())
        if response.status_code == 302:
            assert changed == {"answers"}
            assert_escaped(Client().get(decided.get_absolute_url()))
            assert_escaped(client.get(reverse("dispositions:contests", args=[decided.process.slug])))
        else:
            assert changed == set()
            assert_escaped(response)
    Response.objects.filter(pk=contest.pk).delete()  # the next example contests afresh


@EXAMPLES
@given(text=texts, page=st.one_of(texts, st.integers().map(str)))
def test_receipt_check_and_contest_queue_take_any_text(world, organiser, text, page):
    submission = world["submission"]
    before = rows()
    url = reverse("reports:submission-verify", args=[submission.process.slug, submission.reference])
    response = Client().post(url, {"text": text})
    assert response.status_code in {200, 400}
    assert_escaped(response)
    queue = client_for(organiser).get(reverse("dispositions:contests", args=[submission.process.slug]), {"page": page})
    assert queue.status_code == 200
    assert rows() == before


def test_a_reply_to_a_revision_that_is_not_a_number_is_a_400_that_writes_nothing(decided, stakeholder):
    before = rows()
    url = reverse("dispositions:respond", args=[decided.process.slug, decided.reference])
    for revision in ("", "x", "-1", "0", "99999999999999999999", "2"):
        response = client_for(stakeholder).post(url, {"revision": revision, "kind": "agree"})
        assert response.status_code == 400, revision
    assert rows() == before


@EXAMPLES
@given(
    query=st.dictionaries(
        st.sampled_from(["q", "group", "status", "page", "cpage", "version"]),
        st.one_of(texts, st.integers().map(str)),
        max_size=4,
    )
)
def test_report_and_workspace_take_any_query_string(world, organiser, query):
    process = world["process"]
    # NUL cannot be sent in a real URL's query string unescaped, but %00 can: keep it.
    report = Client().get(reverse("reports:report", args=[process.slug]), query)
    workspace = client_for(organiser).get(reverse("dispositions:workspace", args=[process.slug]), query)
    assert report.status_code == workspace.status_code == 200
    assert_escaped(report)
    assert_escaped(workspace)


# ----------------------------------------------------------------------------- the document import, by hand


def import_url(world) -> str:
    return reverse("outcomes:import", args=[world["process"].slug])


def post_upload(client, world, content: bytes, name: str = "text.md"):
    upload = SimpleUploadedFile(name, content, content_type="text/markdown")
    return client.post(import_url(world), {"label": "Uploaded", "status": "draft", "upload": upload})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00bad", "not valid UTF-8"),
        (b"", "The file is empty."),
        (b"# 1. Scope\n1. Text\x00 with a NUL byte", "binary data"),
        (b"# 1. " + b"x" * (2 * 1024 * 1024), "larger than 2 MB"),
    ],
    ids=["invalid-utf8", "empty", "nul-byte", "over-2-mb"],
)
def test_a_bad_upload_is_refused_with_a_clear_message_and_writes_nothing(world, organiser, content, message):
    before = rows()
    response = post_upload(client_for(organiser), world, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert rows() == before


def test_a_paste_over_the_request_limit_is_a_400_that_writes_nothing(world, organiser):
    before = rows()
    response = client_for(organiser).post(
        import_url(world), {"label": "Huge", "status": "draft", "text": "1. " + "x" * (6 * 1024 * 1024)}
    )
    assert response.status_code == 400
    assert rows() == before


def test_a_paste_over_half_a_million_characters_is_refused(world, organiser):
    before = rows()
    response = client_for(organiser).post(
        import_url(world), {"label": "Long", "status": "draft", "text": "1. " + "x" * 500_000}
    )
    assert response.status_code == 200
    assert "at most 500000 characters" in response.content.decode().replace(",", "")
    assert rows() == before


DEEP_NUMBER = ".".join(["1"] * 10_000)
NESTED_CHAIN = "\n".join(".".join(["1"] * depth) + " level" for depth in range(1, 201))

# Malformed Markdown: each either parses into clauses, or is refused with a clear message.
MALFORMED = {
    "unclosed-fence": ("# 1. Scope\n```\n1. inside the fence\n2. still inside", "parsed"),
    "only-fence": ("```\n1. inside\n", "No numbered paragraphs were found"),
    "only-hashes": ("####", "No numbered paragraphs were found"),
    "many-hashes": ("####### seven is not a heading", "No numbered paragraphs were found"),
    "headings-without-text": ("# \n## \n### \n#", "No numbered paragraphs were found"),
    "heading-only-an-id": ("# {#scope}\n1. Text", "parsed"),
    "heading-only-a-number": ("# 1.\n## 2.", "parsed"),
    # A "number" thousands of levels deep is text (numbers are at most 40 characters), so nothing is numbered.
    "number-5000-levels-deep": (f"{DEEP_NUMBER[:9_999]} a very deep number", "No numbered paragraphs were found"),
    "heading-number-5000-levels-deep": (f"# {DEEP_NUMBER[:9_999]} Title", "No numbered paragraphs were found"),
    # Past 20,000 characters a line is refused, with its number.
    "number-10000-levels-deep": (f"{DEEP_NUMBER} a very deep number", "a line may have at most 20000"),
    "numbering-nested-200-deep": (NESTED_CHAIN, "parsed"),
    "huge-heading": ("# " + "H" * 19_000 + "\n1. Text", "parsed"),
    "heading-past-the-line-limit": ("# " + "H" * 50_000 + "\n1. Text", "Line 1 has 50002 characters"),
    "too-many-clauses": ("\n".join(f"{n}. clause" for n in range(1, 5_003)), "more than 5000 clauses"),
    "whitespace-only": (" \n\t\n   ", "Paste the document"),
    "lettered-without-parent": ("(a) first\n(b) second", "parsed"),
    "script-heading": (f"# {SCRIPT}\n1. {SCRIPT}", "parsed"),
    "right-to-left-override": ("# \u202eevil\n1. \u202etext", "parsed"),
}


@pytest.mark.parametrize(("source", "expected"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_markdown_is_parsed_or_refused_clearly_never_a_500(world, organiser, source, expected):
    before = rows()
    response = client_for(organiser).post(import_url(world), {"label": "Odd", "status": "draft", "text": source})
    if expected == "parsed":
        assert response.status_code == 302, response.content.decode()[:2000]
        version = DocumentVersion.objects.latest("pk")
        assert version.clauses.exists()
        assert all(len(c.label) <= 60 and len(c.eid) <= 160 and len(c.heading) <= 300 for c in version.clauses.all())
        page = Client().get(reverse("outcomes:document", args=[world["process"].slug]))
        assert page.status_code == 200
        assert_escaped(page)
    else:
        assert response.status_code == 200
        assert expected in response.content.decode()
        assert rows() == before
        assert_escaped(response)


def test_an_id_used_twice_is_refused_clearly(world, organiser):
    before = rows()
    source = "# 1. Scope {#scope}\n1. Text {#scope}"
    response = client_for(organiser).post(import_url(world), {"label": "Twice", "status": "draft", "text": source})
    assert response.status_code == 200
    assert "The id {#scope} is used twice." in response.content.decode()
    assert rows() == before


# ----------------------------------------------------------------------------- dispositions, by hand


def reflect_data(*clause_ids: object) -> dict[str, object]:
    data: dict[str, object] = {"links-TOTAL_FORMS": str(len(clause_ids)), "links-INITIAL_FORMS": "0"}
    for index, clause_id in enumerate(clause_ids):
        data[f"links-{index}-clause"] = clause_id
        data[f"links-{index}-extent"] = "full"
        data[f"links-{index}-note"] = ""
    return data


def clause_of(process) -> Clause:
    return Clause.objects.filter(version__process=process).order_by("position").first()


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("clause-of-another-process", "Select a valid choice"),
        ("nonexistent-clause", "Select a valid choice"),
        ("not-a-number", "Select a valid choice"),
        ("duplicate-clause", "Each clause can be linked only once."),
        ("no-clause", "Choose at least one clause"),
        ("too-many-forms", "Please submit at most 20 forms."),
    ],
)
def test_a_bad_reflection_is_a_400_that_writes_nothing(world, organiser, other_process, case, message):
    process, submission = world["process"], world["submission"]
    mine = clause_of(process).pk
    data = {
        "clause-of-another-process": reflect_data(clause_of(other_process).pk),
        "nonexistent-clause": reflect_data(10**12),
        "not-a-number": reflect_data("abc"),
        "duplicate-clause": reflect_data(mine, mine),
        "no-clause": reflect_data(""),
        "too-many-forms": reflect_data(*([mine] * 21)),
    }[case]
    before = rows()
    response = client_for(organiser).post(
        reverse("dispositions:reflect", args=[process.slug, submission.reference]), data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert rows() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"exclude-ground": "legal", "exclude-legal_provision": "   "}, "Cite the legal provision"),
        ({"exclude-ground": "legal", "exclude-justification": "Only a justification"}, "Cite the legal provision"),
        ({"exclude-ground": "public_morality", "exclude-justification": ""}, "Give the justification"),
        ({"exclude-ground": "whim", "exclude-legal_provision": "Act 1"}, "Select a valid choice"),
        ({}, "This field is required."),
        # A text the ground does not keep is refused, not dropped without a word.
        (
            {"exclude-ground": "legal", "exclude-legal_provision": "Act 1", "exclude-justification": "Also this"},
            "A legal ground is stated by the provision it cites, and this text would not be kept",
        ),
        (
            {"exclude-ground": "public_morality", "exclude-justification": "Why", "exclude-legal_provision": "Act 1"},
            "Public morality is stated by its justification, and this provision would not be kept",
        ),
    ],
    ids=[
        "legal-blank-provision",
        "legal-with-only-justification",
        "morality-blank",
        "unknown-ground",
        "empty",
        "legal-with-a-justification",
        "morality-with-a-provision",
    ],
)
def test_an_exclusion_without_its_citation_is_a_400_that_writes_nothing(world, organiser, data, message):
    process, submission = world["process"], world["submission"]
    before = rows()
    response = client_for(organiser).post(
        reverse("dispositions:exclude", args=[process.slug, submission.reference]), data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert rows() == before


# ----------------------------------------------------------------------------- query strings and paths

BAD_QUERIES = [
    {"status": "DROP TABLE consultations_submission;--"},
    {"status": "'; DROP TABLE x; --"},
    {"group": "abc"},
    {"group": "999999"},
    {"group": "99999999999999999999999"},
    {"group": "-1"},
    {"page": "99999999999"},
    {"page": "-1"},
    {"page": "abc"},
    {"page": "1e9"},
    {"cpage": "abc"},
    {"cpage": "99999999999"},
    {"q": "\x00"},
    {"q": "%" * 300},
    {"q": "x" * 10_000},
    {"version": "abc"},
]


@pytest.mark.parametrize("query", BAD_QUERIES, ids=[str(q)[:40] for q in BAD_QUERIES])
def test_bad_query_strings_on_the_report_and_workspace_give_a_page(world, organiser, query):
    process = world["process"]
    report = Client().get(reverse("reports:report", args=[process.slug]), query)
    workspace = client_for(organiser).get(reverse("dispositions:workspace", args=[process.slug]), query)
    assert report.status_code == 200
    assert workspace.status_code == 200
    if "page" in query and query["page"] == "99999999999":
        assert world["submission"].reference in report.content.decode()  # the last page, not an empty one


@pytest.mark.parametrize("version", ["abc", "0", "-1", "99999999999999999999", "\x00"])
def test_a_bad_document_version_is_a_404(world, version):
    response = Client().get(reverse("outcomes:document", args=[world["process"].slug]), {"version": version})
    assert response.status_code == 404


@pytest.mark.parametrize("reference", ["%00", "IGF25-%00", "x" * 5_000, "%F0%9F%92%A9", "..%2F..%2Fetc"])
@pytest.mark.parametrize(
    "name",
    [
        "reports:submission-trace",
        "consultations:submission-receipt",
        "consultations:submission-edit",
        "dispositions:review",
    ],
)
def test_a_bad_reference_in_the_path_is_a_404(world, stakeholder, organiser, name, reference):
    process = world["process"]
    path = reverse(name, args=[process.slug, "REF"]).replace("REF", reference)
    client = client_for(organiser if name.startswith("dispositions") else stakeholder)
    assert client.get(path).status_code == 404


def test_a_replayed_withdrawal_of_a_foreign_reference_writes_nothing(world, other_stakeholder):
    before = rows()
    submission = world["submission"]
    url = reverse("consultations:submission-withdraw", args=[world["process"].slug, submission.reference])
    response = client_for(other_stakeholder).post(url, {"form_token": str(uuid.uuid4())})
    assert response.status_code == 403
    assert rows() == before
    submission.refresh_from_db()
    assert submission.withdrawn_at is None

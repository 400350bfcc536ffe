"""Publishing the final report behind the coverage gate, as numbered canonical snapshots anyone can verify."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from traceability.consultations.models import Phase, Process
from traceability.consultations.services import round_open, submission_withdraw
from traceability.dispositions.models import ExclusionGround, Extent
from traceability.dispositions.services import LinkSpec, disposition_exclude, disposition_reflect, version_adopt
from traceability.outcomes.services import version_import
from traceability.publications.gate import publication_blockers
from traceability.publications.models import Snapshot
from traceability.publications.services import PublicationBlocked, snapshot_create
from traceability.publications.snapshots import canonical_bytes, change_summary, snapshot_document
from traceability.reports.selectors import report_version

from .conftest import client_for
from .factories import DOCUMENT, file_submission, import_document, make_process
from .test_query_counts import MIDDLE, SMALL, grow, measure, world  # noqa: F401  (world is a fixture)

PROVISION = "Data Protection Act 2019, section 25(2)"
REVISED = DOCUMENT.replace("3. Inclusion of all stakeholder groups.", "3. Inclusion of every stakeholder group.")


@pytest.fixture
def decided(closed_process, organiser, stakeholder, other_stakeholder):
    """A closed process whose every submission has a decision: the gate is clear."""
    process = closed_process
    version = import_document(process, by=organiser)
    reflected = file_submission(process, stakeholder, title="Open formats", text="Publish in open formats, ünïcödé.")
    excluded = file_submission(process, other_stakeholder, title="Home addresses", text="Publish their addresses.")
    withdrawn = file_submission(process, other_stakeholder, title="Second thoughts", text="Words taken back.")
    submission_withdraw(submission=withdrawn, author=other_stakeholder, now=process.closes_at - timedelta(hours=1))
    disposition_reflect(
        submission=reflected,
        actor=organiser,
        links=[LinkSpec(clause=version.clauses.get(label="3"), extent=Extent.PARTIAL, note="Says inclusion.")],
    )
    disposition_exclude(submission=excluded, actor=organiser, ground=ExclusionGround.LEGAL, legal_provision=PROVISION)
    return SimpleNamespace(
        process=Process.objects.get(pk=process.pk),
        version=version,
        reflected=reflected,
        excluded=excluded,
        withdrawn=withdrawn,
        organiser=organiser,
    )


def publish_url(process: Process) -> str:
    return reverse("publications:publish", args=[process.slug])


def download_url(process: Process, number: int) -> str:
    return reverse("publications:snapshot-download", args=[process.slug, number])


def fresh(process: Process) -> Process:
    return Process.objects.get(pk=process.pk)


# ----------------------------------------------------------------------------- the gate


def block_with_pending(case) -> None:
    file_submission(case.process, case.reflected.author, title="Late", text="Still waiting.")


def block_with_reconfirm(case) -> None:
    revised = version_import(process=case.process, source=REVISED, label="Revision 1", created_by=case.organiser)
    version_adopt(version=revised, actor=case.organiser)


def block_with_no_version(case) -> None:
    # A process without a document: every submission is excluded (an exclusion needs no document).
    process = make_process(phase="closed", organisers=(case.organiser,))
    submission = file_submission(process, case.reflected.author)
    disposition_exclude(submission=submission, actor=case.organiser, ground=ExclusionGround.LEGAL, legal_provision="X")
    case.process = process


def block_with_open_round(case) -> None:
    round_open(
        process=case.process,
        version=case.version,
        closes_at=timezone.now() + timedelta(days=3),
        actor=case.organiser,
    )


BLOCKERS = {
    "pending": (block_with_pending, "1 submission has no released decision yet.", "dispositions:workspace"),
    "reconfirm": (
        block_with_reconfirm,
        "1 submission has clause links waiting for re-confirmation",
        "dispositions:reconfirm",
    ),
    "no_version": (block_with_no_version, "No version of the outcome document is adopted", "outcomes:import"),
    "open": (block_with_open_round, "Submissions are still open", "dispositions:workspace"),
}


@pytest.mark.parametrize("code", BLOCKERS)
def test_each_blocker_on_its_own_blocks_publication_and_links_to_its_fix(decided, code, organiser_client):
    block, message, fix = BLOCKERS[code]
    block(decided)
    process = fresh(decided.process)

    (blocker,) = publication_blockers(process)
    assert blocker.code == code and blocker.count == 1
    page = organiser_client.get(publish_url(process))
    html = page.content.decode()
    assert page.status_code == 200
    assert message in html
    assert f'href="{reverse(fix, args=[process.slug])}' in html  # the link to where it is fixed
    assert "Publish the report</button>" not in html

    refused = organiser_client.post(publish_url(process))
    assert refused.status_code == 400
    assert "nothing was published" in refused.content.decode()
    assert message in refused.content.decode()
    assert not Snapshot.objects.exists()
    assert fresh(process).published_at is None
    with pytest.raises(PublicationBlocked) as blocked:
        snapshot_create(process=process, actor=decided.organiser)
    assert [b.code for b in blocked.value.blockers] == [code]


def test_the_blockers_are_listed_together_with_their_counts(decided, organiser_client):
    block_with_pending(decided)
    block_with_pending(decided)
    block_with_reconfirm(decided)
    html = organiser_client.get(publish_url(decided.process)).content.decode()
    assert "2 submissions have no released decision yet." in html
    assert "1 submission has clause links waiting for re-confirmation" in html
    assert [b.code for b in publication_blockers(fresh(decided.process))] == ["pending", "reconfirm"]


def test_with_nothing_blocking_the_organiser_publishes_snapshot_1_and_the_process_reads_as_published(
    decided, organiser_client, anon_client
):
    page = organiser_client.get(publish_url(decided.process)).content.decode()
    assert "Publish the report</button>" in page
    assert 'data-testid="blockers"' not in page
    workspace = organiser_client.get(reverse("dispositions:workspace", args=[decided.process.slug])).content.decode()
    assert f'href="{publish_url(decided.process)}"' in workspace

    response = organiser_client.post(publish_url(decided.process))

    assert response.status_code == 302
    assert response["Location"] == reverse("reports:report", args=[decided.process.slug])
    snapshot = Snapshot.objects.get()
    process = fresh(decided.process)
    assert snapshot.number == 1 and snapshot.created_by == decided.organiser and snapshot.version == decided.version
    assert process.published_at == snapshot.created_at
    assert process.phase() == Phase.PUBLISHED
    detail = anon_client.get(process.get_absolute_url()).content.decode()
    assert "Report published" in detail and "organisers are reviewing submissions" not in detail
    report = anon_client.get(response["Location"]).content.decode()
    assert "Published: snapshot 1" in report and "first published snapshot" in report
    assert "<code" in report and snapshot.sha256 in report
    assert f"sha256sum {decided.process.code}-snapshot-1.json" in report
    assert "differs from the published snapshot" not in report


def test_a_second_publish_of_the_same_state_is_refused_and_writes_nothing(decided, organiser_client):
    organiser_client.post(publish_url(decided.process))
    page = organiser_client.get(publish_url(decided.process)).content.decode()
    assert "Nothing has changed since snapshot 1" in page and "Publish the report</button>" not in page
    again = organiser_client.post(publish_url(decided.process))
    assert again.status_code == 400
    assert Snapshot.objects.count() == 1


@pytest.mark.parametrize("who", ["stakeholder", "other_organiser"])
def test_only_the_organisers_of_the_process_may_publish(decided, who, request):
    client = client_for(request.getfixturevalue(who))
    assert client.get(publish_url(decided.process)).status_code == 403
    assert client.post(publish_url(decided.process)).status_code == 403
    assert not Snapshot.objects.exists() and fresh(decided.process).published_at is None


def test_anonymous_visitors_are_sent_to_sign_in(decided, anon_client):
    response = anon_client.post(publish_url(decided.process))
    assert response.status_code == 302 and "/en/accounts/login/" in response["Location"]
    assert not Snapshot.objects.exists()


# ----------------------------------------------------------------------------- snapshots


def test_the_downloaded_bytes_hash_to_the_sha256_shown_on_the_report_and_the_list(decided, anon_client):
    snapshot = snapshot_create(process=decided.process, actor=decided.organiser)
    response = anon_client.get(download_url(decided.process, 1))
    content = response.content

    shown = re.search(
        r'data-testid="snapshot-sha256">([0-9a-f]{64})<',
        anon_client.get(reverse("reports:report", args=[decided.process.slug])).content.decode(),
    ).group(1)
    listed = re.findall(
        r'data-testid="sha256">([0-9a-f]{64})<',
        anon_client.get(reverse("publications:snapshot-list", args=[decided.process.slug])).content.decode(),
    )
    assert hashlib.sha256(content).hexdigest() == shown == snapshot.sha256 == listed[0]
    assert len(content) == snapshot.size
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="WSIS20-snapshot-1.json"'
    assert response["ETag"] == f'"{snapshot.sha256}"'
    assert "immutable" in response["Cache-Control"] and "max-age=31536000" in response["Cache-Control"]
    cached = anon_client.get(download_url(decided.process, 1), HTTP_IF_NONE_MATCH=f'"{snapshot.sha256}"')
    assert cached.status_code == 304 and cached.content == b""
    assert anon_client.get(download_url(decided.process, 2)).status_code == 404


def test_a_snapshot_is_canonical_json_with_its_header_and_the_full_mapping(decided, stakeholder):
    snapshot = snapshot_create(process=decided.process, actor=decided.organiser)
    content = bytes(snapshot.content)
    document = json.loads(content)
    assert content == json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    assert "ünïcödé".encode() in content  # UTF-8, not \u escapes
    assert document["snapshot"] == {
        "number": 1,
        "previous_sha256": None,
        "process_code": "WSIS20",
        "process_slug": decided.process.slug,
        "published_at": snapshot.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "version_label": "Zero draft",
        "version_number": 1,
        "version_title": decided.version.title,
    }
    mapping = {entry["reference"]: entry for entry in document["mapping"]}
    reflected = mapping[decided.reflected.reference]
    assert reflected["status"] == "reflected" and reflected["decision"] == "reflected"
    assert reflected["extent"] == "partial" and reflected["country"] == "KE"
    assert reflected["stakeholder_group"] == "Civil society" and reflected["round"] is None
    assert reflected["text"] == "Publish in open formats, ünïcödé." and reflected["title"] == "Open formats"
    assert reflected["receipt_sha256"] == decided.reflected.text_sha256
    # Public times are to the day (UTC), and a snapshot carries no database id of a submission.
    assert reflected["received_at"] == decided.reflected.received_at.astimezone(UTC).date().isoformat()
    assert len(reflected["decided_at"]) == len("2025-06-30")
    assert "id" not in reflected and "pk" not in reflected
    (link,) = reflected["links"]
    clause = decided.version.clauses.get(label="3")
    assert link == {
        "clause_id": clause.identity_id,
        "eid": clause.eid,
        "label": "3",
        "extent": "partial",
        "note": "Says inclusion.",
        "state": "confirmed",
    }
    excluded = mapping[decided.excluded.reference]
    assert (excluded["decision"], excluded["ground"], excluded["reason"]) == ("excluded", "legal", PROVISION)
    gone = mapping[decided.withdrawn.reference]
    assert gone["status"] == "withdrawn" and gone["title"] is None and gone["text"] is None
    assert b"Words taken back" not in content and b"Second thoughts" not in content
    # No person: no names, e-mails or organisations, which an account deletion must be able to erase.
    for user in (stakeholder, decided.excluded.author, decided.organiser):
        for value in (user.display_name, user.email, user.organisation):
            assert value.encode() not in content


def test_the_same_state_gives_the_same_bytes(decided):
    snapshot = snapshot_create(process=decided.process, actor=decided.organiser)
    process = fresh(decided.process)

    def rebuild() -> bytes:
        return canonical_bytes(
            snapshot_document(
                process=process,
                version=report_version(process),
                number=1,
                published_at=snapshot.created_at,
                previous_sha256=None,
            )
        )

    assert rebuild() == rebuild() == bytes(snapshot.content)


def test_a_later_change_makes_snapshot_2_with_what_changed_and_leaves_snapshot_1_untouched(
    decided, anon_client, organiser_client
):
    first = snapshot_create(process=decided.process, actor=decided.organiser)
    first_bytes = anon_client.get(download_url(decided.process, 1)).content
    # The organisers revise a decision after publication (e.g. after a contest).
    disposition_reflect(
        submission=decided.excluded,
        actor=decided.organiser,
        links=[LinkSpec(clause=decided.version.clauses.get(label="1"), extent=Extent.FULL)],
    )
    report_url = reverse("reports:report", args=[decided.process.slug])
    assert "the live report below differs from the published snapshot" in anon_client.get(report_url).content.decode()

    assert organiser_client.post(publish_url(decided.process)).status_code == 302

    second = Snapshot.objects.get(number=2)
    assert second.changes["decisions_changed"] == {"count": 1, "references": [decided.excluded.reference]}
    assert second.changes["decisions_added"] == {"count": 0, "references": []}
    uptake = next(row for row in second.changes["indicators"] if row["name"] == "uptake")
    assert (uptake["before"], uptake["after"]) == (0.5, 1.0)
    assert json.loads(bytes(second.content))["snapshot"]["previous_sha256"] == first.sha256
    assert fresh(decided.process).published_at == first.created_at  # first publication date kept
    # Snapshot 1 is unchanged and still served at its address.
    assert Snapshot.objects.get(number=1).sha256 == first.sha256
    assert anon_client.get(download_url(decided.process, 1)).content == first_bytes
    assert hashlib.sha256(first_bytes).hexdigest() == first.sha256
    report = anon_client.get(report_url).content.decode()
    assert "Published: snapshot 2" in report and "What changed since snapshot 1" in report
    assert decided.excluded.reference in report and "Uptake: 50.0% → 100.0%" in report
    assert "differs from the published snapshot" not in report
    listing = anon_client.get(reverse("publications:snapshot-list", args=[decided.process.slug])).content.decode()
    assert "2 snapshots" in listing and "First publication." in listing and "1 decision changed" in listing


def test_snapshots_are_append_only(decided):
    snapshot = snapshot_create(process=decided.process, actor=decided.organiser)
    with pytest.raises(ValueError, match="append-only"):
        snapshot.save()
    with pytest.raises(ValueError, match="append-only"):
        snapshot.delete()
    assert Snapshot.objects.get().sha256 == snapshot.sha256


def test_the_live_report_json_and_the_snapshot_agree(decided, anon_client):
    snapshot = snapshot_create(process=decided.process, actor=decided.organiser)
    frozen = json.loads(bytes(snapshot.content))
    live = anon_client.get(reverse("reports:report-json", args=[decided.process.slug])).json()

    for key in ("stats_version", "indicators", "totals", "groups", "countries"):
        assert live[key] == frozen[key], key
    assert [{k: v for k, v in c.items() if k != "url"} for c in live["clauses"]] == frozen["clauses"]
    assert {k: v for k, v in live["document_version"].items() if k != "url"} == {
        k: v for k, v in frozen["document_version"].items() if k != "title"
    }
    # The mapping: the same submissions, statuses and decisions as the live mapping.json.
    rows = anon_client.get(reverse("reports:mapping-json", args=[decided.process.slug]))
    live_rows = json.loads(b"".join(rows.streaming_content))["rows"]
    assert {(r["reference"], r["status"], r["ground"]) for r in live_rows} == {
        (e["reference"], e["status"], e["ground"]) for e in frozen["mapping"]
    }
    assert frozen["totals"]["submitted"] == 2 and frozen["totals"]["withdrawn"] == 1


# ----------------------------------------------------------------------------- query counts


def freeze(w, number: int) -> Snapshot:
    """A snapshot of the world as it is now (rows written directly, as a bulk load would: the gate is not
    clear in this world, which keeps pending submissions)."""
    process = fresh(w.process)
    previous = Snapshot.objects.filter(process=process, number=number - 1).first()
    document = snapshot_document(
        process=process,
        version=report_version(process),
        number=number,
        published_at=timezone.now(),
        previous_sha256=previous.sha256 if previous else None,
    )
    content = canonical_bytes(document)
    before = json.loads(bytes(previous.content)) if previous else None
    return Snapshot.objects.create(
        process=process,
        number=number,
        version=report_version(process),
        stats_version=process.stats_version,
        created_at=timezone.now(),
        created_by=w.organiser,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content=content,
        changes=change_summary(before, document),
    )


PUBLICATION_PAGES = {
    "publish page": ("organiser", lambda w: publish_url(w.process)),
    "snapshot list": ("anonymous", lambda w: reverse("publications:snapshot-list", args=[w.process.slug])),
    "report with a snapshot": ("anonymous", lambda w: reverse("reports:report", args=[w.process.slug])),
    "snapshot download": ("anonymous", lambda w: download_url(w.process, 1)),
}


@pytest.mark.parametrize("name", PUBLICATION_PAGES)
def test_the_publication_pages_run_a_fixed_number_of_queries_whatever_the_size(world, name):  # noqa: F811
    who, url_of = PUBLICATION_PAGES[name]
    client = client_for(world.organiser if who == "organiser" else None)
    measured = []
    for size, snapshots in ((SMALL, 2), (MIDDLE, 14)):
        grow(world, size)
        for number in range(Snapshot.objects.count() + 1, snapshots + 1):
            freeze(world, number)
        url = url_of(world)
        client.get(url)  # warm up (sessions, content types)
        queries, html = measure(client, url)
        measured.append(queries)
        pending = world.counts()["pending"]
        if name == "publish page":
            assert f"{pending} submissions have no released decision yet." in html
        elif name == "snapshot list":
            assert f"{snapshots} snapshots</caption>" in html
            shown = min(snapshots, settings.TRACE_PAGE_SIZE)
            assert html.count('data-testid="sha256"') == shown
        elif name == "report with a snapshot":
            latest = Snapshot.objects.get(number=snapshots)
            assert latest.sha256 in html and f"Published: snapshot {snapshots}" in html
    assert measured[0] == measured[1], f"{name}: {measured}"


# ----------------------------------------------------------------------------- publishing in the background


def test_publishing_runs_as_a_background_task_and_the_page_says_so_meanwhile(decided, organiser_client, settings):
    from django_tasks_db.models import DBTaskResult

    from traceability.publications.models import PublicationRequest, PublicationState
    from traceability.publications.tasks import publish_report

    from .test_notifications import DATABASE_TASKS

    settings.TASKS = DATABASE_TASKS  # a real queue: nothing runs until a worker takes it
    response = organiser_client.post(publish_url(decided.process))
    assert response.status_code == 302 and response["Location"] == publish_url(decided.process)
    assert not Snapshot.objects.exists()
    page = organiser_client.get(publish_url(decided.process))
    html = page.content.decode()
    # No page that reloads by itself (WCAG 2.2.1, axe's meta-refresh rule): a link to look again.
    assert page["Retry-After"] == "5" and "http-equiv" not in html and "Look again</a>" in html
    assert "Publishing: the snapshot is being built" in html and "Publish the report</button>" not in html

    # A second press finds the first request: one task.
    assert organiser_client.post(publish_url(decided.process)).status_code == 302
    (publication,) = PublicationRequest.objects.all()
    assert DBTaskResult.objects.count() == 1

    assert publish_report.call(publication.pk) == PublicationState.DONE  # what the worker runs
    publication.refresh_from_db()
    assert publication.state == PublicationState.DONE and publication.snapshot_number == 1
    html = organiser_client.get(publish_url(decided.process)).content.decode()
    assert "Snapshot 1 was published" in html and "Look again</a>" not in html
    assert fresh(decided.process).published_at is not None


def test_a_publication_the_gate_refuses_in_the_background_says_why(decided, organiser_client, settings):
    from traceability.publications.models import PublicationRequest, PublicationState
    from traceability.publications.tasks import publish_report

    from .test_notifications import DATABASE_TASKS

    settings.TASKS = DATABASE_TASKS
    organiser_client.post(publish_url(decided.process))
    block_with_pending(decided)  # a late filing before the worker took the task
    publication = PublicationRequest.objects.get()
    assert publish_report.call(publication.pk) == PublicationState.FAILED
    page = organiser_client.get(publish_url(decided.process))
    assert page.status_code == 200
    assert "1 submission has no released decision yet." in page.content.decode()
    assert 'data-testid="publish-error"' in page.content.decode()
    assert not Snapshot.objects.exists()

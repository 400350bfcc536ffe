"""`manage.py load_demo` gives a visitor something worth looking at, and only once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from traceability.accounts.models import StakeholderKind, User
from traceability.consultations.models import Phase, Process, Submission
from traceability.consultations.models import SubmissionStatus as Status
from traceability.dispositions.models import ClauseLink, DecisionRevision, Disposition, ExclusionGround, Extent
from traceability.outcomes.models import Clause, DocumentVersion
from traceability.publications.models import Snapshot

from .conftest import client_for
from .factories import file_submission, make_process, make_user

pytestmark = pytest.mark.django_db

OPEN, UNDER_REVIEW, DECIDED = "trustworthy-ai-public-services", "cross-border-data-flows", "open-resilient-internet"
PASSWORD = "trace-demo"


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, "--force", stdout=out)  # tests run with DEBUG off
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (User, Process, Submission, DocumentVersion, Clause, Disposition, ClauseLink, DecisionRevision)
    return {model.__name__: model.objects.count() for model in models}


def test_demo_shows_three_processes_in_three_phases_with_many_voices():
    output = load_demo()

    processes = {process.slug: process for process in Process.objects.all()}
    assert set(processes) == {OPEN, UNDER_REVIEW, DECIDED}
    assert processes[OPEN].phase() == Phase.OPEN
    assert processes[UNDER_REVIEW].phase() == Phase.CLOSED
    assert processes[DECIDED].phase() == Phase.PUBLISHED

    submissions = Submission.objects.all()
    assert submissions.count() >= 300
    assert set(submissions.values_list("stakeholder_group__kind", flat=True)) == set(StakeholderKind.values)
    assert submissions.values("country").distinct().count() >= 25
    assert submissions.values("author").distinct().count() >= 50
    for process in processes.values():
        assert process.submissions.count() >= 50
        assert process.document_versions.exists()
        assert 20 <= Clause.objects.filter(version=DocumentVersion.objects.latest_for(process)).count() <= 45

    # Open: submissions come in, nothing is decided yet, a draft is on the table.
    assert not processes[OPEN].submissions.all().with_status(Status.REFLECTED).exists()

    # Under review: some decided, some still pending.
    under_review = processes[UNDER_REVIEW].submissions.all()
    assert under_review.with_status(Status.PENDING).exists()
    assert under_review.with_status(Status.REFLECTED).exists()
    assert under_review.with_status(Status.EXCLUDED).exists()

    # Fully dispositioned: no active submission is pending, and every kind of decision is there.
    decided = processes[DECIDED].submissions.all()
    assert not decided.with_status(Status.PENDING).exists()
    assert decided.with_status(Status.WITHDRAWN).exists()
    dispositions = Disposition.objects.filter(submission__process=processes[DECIDED])
    assert dispositions.filter(extent=Extent.FULL).exists()
    assert dispositions.filter(extent=Extent.PARTIAL).exists()
    legal = dispositions.filter(ground=ExclusionGround.LEGAL)
    morality = dispositions.filter(ground=ExclusionGround.PUBLIC_MORALITY)
    assert legal.exists() and not legal.filter(legal_provision="").exists()
    assert morality.exists() and not morality.filter(justification="").exists()
    assert all(d.decided_at > processes[DECIDED].closes_at for d in dispositions)
    # Some decisions were revisited, so trace pages show a history.
    assert DecisionRevision.objects.filter(submission__process=processes[DECIDED]).count() > dispositions.count()

    # The decided process went through three versions, and links followed their clauses: some were decided
    # on a zero-draft paragraph that has another number in the final text, and none waits for re-confirmation.
    versions = list(processes[DECIDED].document_versions.order_by("number"))
    assert [v.label for v in versions] == ["Zero draft", "Revision 1", "Final statement"]
    assert all(v.is_adopted for v in versions)
    assert not decided.with_status(Status.NEEDS_RECONFIRMATION).exists()
    moved = [
        link
        for link in ClauseLink.objects.filter(
            revision__current_of__submission__process=processes[DECIDED], revision__number=1
        ).select_related("clause__version", "identity")
        if link.clause.version == versions[0]
        and Clause.objects.get(version=versions[2], identity=link.identity).label != link.clause.label
    ]
    assert moved, "some zero-draft links were renumbered in the final text and kept"
    assert DecisionRevision.objects.filter(submission__process=processes[DECIDED], change="reconfirmed").exists()
    # The process under review has a revised draft whose reworded principles wait for re-confirmation.
    assert under_review.with_status(Status.NEEDS_RECONFIRMATION).exists()

    # The sign-ins are printed with the address, and they work.
    for email in ("admin@demo.trace", "organiser@demo.trace", "stakeholder@demo.trace"):
        assert email in output
    assert "http://127.0.0.1:8000/" in output and PASSWORD in output
    admin = User.objects.get(email="admin@demo.trace")
    organiser = User.objects.get(email="organiser@demo.trace")
    stakeholder = User.objects.get(email="stakeholder@demo.trace")
    assert admin.is_superuser and admin.check_password(PASSWORD)
    assert organiser.check_password(PASSWORD) and not organiser.is_staff
    assert set(organiser.organised_processes.values_list("slug", flat=True)) == {OPEN, UNDER_REVIEW, DECIDED}
    assert stakeholder.check_password(PASSWORD)
    own = Submission.objects.filter(author=stakeholder)
    assert own.filter(process__slug=OPEN, withdrawn_at__isnull=True).count() >= 2
    assert own.filter(process__slug=UNDER_REVIEW, disposition__isnull=True).exists()
    assert own.filter(process__slug=UNDER_REVIEW, disposition__isnull=False).exists()


def test_demo_pages_render_for_the_people_a_visitor_signs_in_as():
    load_demo()
    anonymous = client_for(None)
    page = anonymous.get("/en/").content.decode()
    assert all(process.title in page for process in Process.objects.all())
    for slug in (OPEN, UNDER_REVIEW, DECIDED):
        assert anonymous.get(reverse("reports:report", args=[slug])).status_code == 200
        assert anonymous.get(reverse("outcomes:document", args=[slug])).status_code == 200
    report = anonymous.get(reverse("reports:report", args=[DECIDED])).content.decode()
    assert "Legal ground" in report and "Public morality" in report
    # The fully decided process is published through the coverage gate: snapshot 1, its hash on the report.
    (snapshot,) = Snapshot.objects.filter(process__slug=DECIDED)
    assert snapshot.number == 1 and snapshot.changes == {"first": True}
    assert snapshot.sha256 in report and "Published: snapshot 1" in report
    assert "Report published" in anonymous.get(reverse("consultations:process-detail", args=[DECIDED])).content.decode()
    assert not Snapshot.objects.exclude(process__slug=DECIDED).exists()

    stakeholder = User.objects.get(email="stakeholder@demo.trace")
    editable = Submission.objects.filter(author=stakeholder, process__slug=OPEN).first()
    as_stakeholder = client_for(stakeholder)
    assert editable.reference in as_stakeholder.get(reverse("reports:me")).content.decode()
    edit = reverse("consultations:submission-edit", args=[OPEN, editable.reference])
    assert as_stakeholder.get(edit).status_code == 200

    organiser = User.objects.get(email="organiser@demo.trace")
    as_organiser = client_for(organiser)
    assert as_organiser.get(reverse("dispositions:workspace", args=[UNDER_REVIEW])).status_code == 200


def test_running_it_again_changes_nothing():
    load_demo()
    before = counts()
    snapshot = list(Submission.objects.order_by("pk").values_list("pk", "reference", "text_sha256"))

    output = load_demo()

    assert counts() == before
    assert list(Submission.objects.order_by("pk").values_list("pk", "reference", "text_sha256")) == snapshot
    assert "already loaded" in output and "stakeholder@demo.trace" in output


def test_reset_reloads_the_demo_and_leaves_other_data_alone():
    load_demo()
    before = counts()
    someone = make_user(email="someone@example.org")
    theirs = make_process(phase="open", code="MINE")
    kept = file_submission(theirs, someone)

    load_demo("--reset")

    after = counts()
    assert after["Submission"] == before["Submission"] + 1
    assert after["Process"] == before["Process"] + 1
    assert after["User"] == before["User"] + 1
    assert after["Disposition"] == before["Disposition"]
    assert Submission.objects.filter(pk=kept.pk).exists()
    assert Process.objects.filter(slug__in=(OPEN, UNDER_REVIEW, DECIDED)).count() == 3

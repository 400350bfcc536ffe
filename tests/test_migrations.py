"""An existing database keeps its decisions when it migrates to clause identities and decision revisions.

The database is taken back to the schema before versions were matched, filled the way the old code
wrote (a link made on version 1, whose paragraph was renumbered in version 2; another whose paragraph
changed; a decision changed once), then migrated forward.
"""

from __future__ import annotations

import hashlib
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("accounts", "0001_initial"),
    ("consultations", "0002_report_cache_and_first_decision"),
    ("outcomes", "0001_initial"),
    ("dispositions", "0003_record_keeps_its_deciders"),
]


def migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_links_follow_their_paragraph_or_wait_for_re_confirmation():
    old = migrate(BEFORE)
    User = old.get_model("accounts", "User")
    Process = old.get_model("consultations", "Process")
    Group = old.get_model("consultations", "StakeholderGroup")
    Submission = old.get_model("consultations", "Submission")
    Version = old.get_model("outcomes", "DocumentVersion")
    Clause = old.get_model("outcomes", "Clause")
    Disposition = old.get_model("dispositions", "Disposition")
    Link = old.get_model("dispositions", "ClauseLink")
    Event = old.get_model("dispositions", "DispositionEvent")

    now = timezone.now()
    user = User.objects.create(email="old@example.org", password="!", display_name="Old")
    process = Process.objects.create(
        slug="old", code="OLD", title="Old", opens_at=now - timezone.timedelta(days=9), closes_at=now
    )
    group = Group.objects.create(process=process, name="Civil society")

    def version(number: int, texts: list[str]):  # type: ignore[no-untyped-def]
        v = Version.objects.create(process=process, number=number, label=f"v{number}", source="")
        for position, text in enumerate(texts, start=1):
            Clause.objects.create(
                version=v, kind="paragraph", eid=f"para_{position}", label=str(position), text=text, position=position
            )
        return v

    v1 = version(1, ["Alpha words.", "Beta words.", "Gamma words.", "Delta words."])
    version(2, ["A new first paragraph.", "Alpha words.", "Beta words.", "Gamma words.", "Delta, changed."])

    def submission(number: int):  # type: ignore[no-untyped-def]
        return Submission.objects.create(
            process=process,
            number=number,
            reference=f"OLD-{number:05d}",
            author=user,
            stakeholder_group=group,
            author_name="Old",
            title=f"S{number}",
            text="t",
            text_sha256=hashlib.sha256(b"t").hexdigest(),
        )

    gamma, delta, changed = submission(1), submission(2), submission(3)
    for item, label in ((gamma, "3"), (delta, "4")):
        d = Disposition.objects.create(submission=item, kind="reflected", extent="full", decided_by=user)
        Link.objects.create(disposition=d, clause=v1.clauses.get(label=label), extent="full")
        Event.objects.create(
            submission=item,
            action="reflected",
            actor=user,
            summary="Reflected",
            details={"kind": "reflected", "links": [{"eid": f"para_{label}", "label": label, "extent": "full"}]},
        )
    Disposition.objects.create(submission=changed, kind="excluded", ground="legal", legal_provision="Act 1")
    Event.objects.create(
        submission=changed,
        action="reflected",
        actor=user,
        summary="Reflected",
        at=now,
        details={"kind": "reflected", "links": [{"eid": "para_2", "label": "2", "extent": "partial"}]},
    )
    Event.objects.create(
        submission=changed,
        action="excluded",
        actor=user,
        summary="Excluded",
        at=now,
        details={"kind": "excluded", "ground": "legal", "reason": "Act 1"},
    )

    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    NewSubmission = new.get_model("consultations", "Submission")
    Revision = new.get_model("dispositions", "DecisionRevision")
    NewClause = new.get_model("outcomes", "Clause")
    status = dict(NewSubmission.objects.values_list("reference", "status"))
    # "Gamma" is paragraph 4 of version 2 now, with the same words: its link follows it and still counts.
    assert status["OLD-00001"] == "reflected"
    gamma_link = Revision.objects.get(submission__reference="OLD-00001").links.get()
    assert NewClause.objects.get(version__number=2, identity_id=gamma_link.identity_id).label == "4"
    # "Delta" changed: the same anchor is another text now, so the link is not carried to it.
    assert status["OLD-00002"] == "reconfirm"
    # A decision changed once keeps both revisions, the first with the link it recorded.
    revisions = list(Revision.objects.filter(submission__reference="OLD-00003").order_by("number"))
    assert [(r.kind, r.links.count()) for r in revisions] == [("reflected", 1), ("excluded", 0)]
    assert status["OLD-00003"] == "excluded"


@pytest.mark.django_db(transaction=True)
def test_replies_made_before_they_named_their_process_take_it_from_their_decision():
    """dispositions 0013/0014: every existing reply gets its submission's process (the contest queue reads it)."""
    from traceability.consultations.models import Process as CurrentProcess

    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    # Every app at its newest migration but dispositions, taken back to before 0013 (and what depends on it).
    old = migrate([("dispositions", "0012_history_chain"), *(leaf for leaf in leaves if leaf[0] != "dispositions")])
    User = old.get_model("accounts", "User")
    Process = old.get_model("consultations", "Process")
    Group = old.get_model("consultations", "StakeholderGroup")
    Submission = old.get_model("consultations", "Submission")
    Revision = old.get_model("dispositions", "DecisionRevision")
    Response = old.get_model("dispositions", "Response")

    now = timezone.now()
    user = User.objects.create(email="old@example.org", password="!", display_name="Old")
    replies = {}
    for code in ("ONE", "TWO"):
        process = Process.objects.create(
            slug=code.lower(), code=code, title=code, opens_at=now - timezone.timedelta(days=9), closes_at=now
        )
        group = Group.objects.create(process=process, name="Civil society")
        submission = Submission.objects.create(
            process=process,
            number=1,
            reference=f"{code}-00001",
            author=user,
            stakeholder_group=group,
            author_name="Old",
            title="S",
            text="t",
            text_sha256=hashlib.sha256(b"t").hexdigest(),
            form_token=uuid.uuid4(),
        )
        revision = Revision.objects.create(
            submission=submission, number=1, change="first", kind="reflected", extent="full"
        )
        replies[code] = Response.objects.create(revision=revision, kind="contest", reason="Why?").pk

    new = migrate(leaves)
    NewResponse = new.get_model("dispositions", "Response")
    for code, pk in replies.items():
        assert NewResponse.objects.get(pk=pk).process_id == CurrentProcess.objects.get(code=code).pk


@pytest.mark.django_db(transaction=True)
def test_processes_made_before_the_original_language_get_the_language_they_are_written_in():
    """consultations 0014: an existing process written in French is marked French (readers in other languages get
    its texts with lang="fr"), not the new field's default; one too short to tell keeps the default."""
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    old = migrate([("consultations", "0013_process_translations"), *(leaf for leaf in leaves if leaf[0] == "accounts")])
    Process = old.get_model("consultations", "Process")
    now = timezone.now()
    Process.objects.create(
        slug="fr",
        code="FR",
        title="Principes pour un internet ouvert",
        summary="Consultation publique sur le projet de principes.",
        description="Les participants sont invités à commenter chaque paragraphe du projet avant la fin du mois.",
        opens_at=now - timezone.timedelta(days=9),
        closes_at=now,
    )
    Process.objects.create(slug="x", code="X", title="AB", opens_at=now - timezone.timedelta(days=9), closes_at=now)

    new = migrate(leaves)
    languages = dict(new.get_model("consultations", "Process").objects.values_list("code", "original_language"))
    assert languages == {"FR": "fr", "X": "en"}

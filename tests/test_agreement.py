"""After any sequence of imports and decisions, the report, the clause matrix and mapping.csv agree.

Hypothesis plays random sequences of filings, decisions, withdrawals, re-confirmations and new versions
(with paragraphs inserted, deleted, reworded, split and merged), adopting each proposed matching as it
stands, and after every step recounts each figure from the mapping's rows.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from contextlib import contextmanager

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from traceability.consultations.models import SubmissionStatus
from traceability.consultations.services import submission_withdraw
from traceability.dispositions.selectors import reconfirm_queue
from traceability.dispositions.services import (
    LinkSpec,
    disposition_exclude,
    disposition_reflect,
    link_reconfirm,
    version_adopt,
)
from traceability.outcomes.models import DocumentVersion
from traceability.outcomes.services import NothingToImport, version_import
from traceability.reports.builder import clause_aggregates
from traceability.reports.exports.mapping import COLUMNS, csv_stream, mapping_rows
from traceability.reports.indicators import compute
from traceability.reports.selectors import group_clause_links

from .factories import file_submission

WORDS = "access rights data open review panel funding languages archive audit remote equal weight public".split()

edit = st.tuples(st.sampled_from(["insert", "delete", "reword", "split", "merge"]), st.integers(0, 50))
step = st.one_of(
    st.tuples(st.just("file")),
    st.tuples(st.just("reflect"), st.integers(0, 50), st.lists(st.integers(0, 50), min_size=1, max_size=3)),
    st.tuples(st.just("exclude"), st.integers(0, 50)),
    st.tuples(st.just("withdraw"), st.integers(0, 50)),
    st.tuples(st.just("reconfirm"), st.sampled_from(["confirm", "move", "remove"]), st.integers(0, 50)),
    st.tuples(st.just("version"), st.lists(edit, min_size=1, max_size=3)),
)


class Text:
    """The paragraphs of the document, each a distinct sentence."""

    def __init__(self) -> None:
        self.serial = 0
        self.paragraphs = [self.sentence() for _ in range(5)]

    def sentence(self, words: int = 12) -> str:
        self.serial += 1
        body = " ".join(WORDS[(self.serial * 7 + k * 3) % len(WORDS)] for k in range(words))
        return f"Commitment {self.serial} on {body}."

    def source(self) -> str:
        return "# 1. Commitments\n" + "\n".join(f"{n}. {p}" for n, p in enumerate(self.paragraphs, start=1)) + "\n"

    def apply(self, kind: str, at: int) -> None:
        ps = self.paragraphs
        i = at % len(ps)
        if kind == "insert":
            ps.insert(i, self.sentence())
        elif kind == "delete" and len(ps) > 2:
            ps.pop(i)
        elif kind == "reword":
            ps[i] = ps[i][:-1] + ", and " + self.sentence(4).lower()
        elif kind == "split":
            ps[i : i + 1] = [ps[i], self.sentence(6)]
        elif kind == "merge" and i + 1 < len(ps):
            ps[i : i + 2] = [ps[i][:-1] + "; " + ps[i + 1]]


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def check_agreement(process) -> None:
    version = DocumentVersion.objects.report_version_for(process)
    rows = [dict(zip(COLUMNS, row, strict=True)) for row in mapping_rows(process)]
    totals = compute(process).totals

    by_status: dict[str, set[str]] = {}
    for row in rows:
        by_status.setdefault(row["status"], set()).add(row["reference"])
    count = {status: len(ids) for status, ids in by_status.items()}
    assert totals.reflected == count.get(SubmissionStatus.REFLECTED, 0)
    assert totals.excluded == count.get(SubmissionStatus.EXCLUDED, 0)
    assert totals.pending == count.get(SubmissionStatus.PENDING, 0)
    assert totals.reconfirm == count.get(SubmissionStatus.NEEDS_RECONFIRMATION, 0)
    assert totals.withdrawn == count.get(SubmissionStatus.WITHDRAWN, 0)

    # A reflected submission's every link is confirmed in the report's version; one waiting for
    # re-confirmation has at least one link that is not.
    for row in rows:
        if row["status"] == SubmissionStatus.REFLECTED:
            assert row["link_state"] == "confirmed" and row["document_version"] == version.number
    for reference in by_status.get(SubmissionStatus.NEEDS_RECONFIRMATION, ()):
        states = {r["link_state"] for r in rows if r["reference"] == reference}
        assert states - {"confirmed"}, states

    # The clause matrix of report.json and of the report page both count exactly the mapping's uptake rows.
    uptake = Counter(r["clause_eid"] for r in rows if r["status"] == SubmissionStatus.REFLECTED)
    matrix = {c["eid"]: c["reflected_full"] + c["reflected_partial"] for c in clause_aggregates(process, version)}
    assert {eid: n for eid, n in matrix.items() if n} == dict(uptake)
    clauses = list(version.clauses.all())
    process.refresh_from_db()  # as the report page reads it: its cached clause figures are keyed by stats_version
    group_clause_links(process, clauses, [(g.pk, g.name) for g in process.groups.all()])
    assert {c.eid: c.link_count for c in clauses if c.link_count} == dict(uptake)

    # And the CSV carries the same rows.
    text = b"".join(csv_stream(mapping_rows(process))).decode()
    assert len(list(csv.DictReader(io.StringIO(text, newline="")))) == len(rows)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=10))
def test_report_clause_matrix_and_mapping_agree_after_any_sequence(process, organiser, stakeholder, steps):
    with rolled_back():
        text = Text()
        version_import(process=process, source=text.source(), label="v1", created_by=organiser)
        submissions = [file_submission(process, stakeholder) for _ in range(3)]
        for action, *args in steps:
            version = DocumentVersion.objects.report_version_for(process)
            active = [s for s in submissions if s.withdrawn_at is None]
            if action == "file":
                submissions.append(file_submission(process, stakeholder))
            elif action == "reflect" and active:
                linkable = list(version.clauses.linkable().order_by("position"))
                chosen = {linkable[i % len(linkable)].pk: linkable[i % len(linkable)] for i in args[1]}
                disposition_reflect(
                    submission=active[args[0] % len(active)],
                    actor=organiser,
                    links=[
                        LinkSpec(clause=c, extent="full" if n == 0 else "partial")
                        for n, c in enumerate(chosen.values())
                    ],
                )
            elif action == "exclude" and active:
                disposition_exclude(
                    submission=active[args[0] % len(active)], actor=organiser, ground="legal", legal_provision="Act 1"
                )
            elif action == "withdraw" and active:
                submission = active[args[0] % len(active)]
                submission_withdraw(submission=submission, author=stakeholder)
                submission.refresh_from_db()
            elif action == "reconfirm":
                link = reconfirm_queue(process, version).first()
                if link is not None:
                    how, at = args
                    linkable = list(version.clauses.linkable().order_by("position"))
                    try:
                        link_reconfirm(
                            submission=link.revision.submission,
                            actor=organiser,
                            link=link,
                            move_to=linkable[at % len(linkable)] if how == "move" or link.now_pk is None else None,
                            remove=how == "remove",
                        )
                    except Exception as error:  # a refusal is fine (e.g. removing the only link); a 500 is not
                        assert error.__class__.__name__ == "ValidationError", error
            elif action == "version":
                for kind, at in args[0]:
                    text.apply(kind, at)
                try:
                    new = version_import(process=process, source=text.source(), label="next", created_by=organiser)
                except NothingToImport:
                    pass
                else:
                    version_adopt(version=new, actor=organiser)
            check_agreement(process)

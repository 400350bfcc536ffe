"""Reads about versions: pairing the clauses of two versions for the redline."""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Clause, ClauseIdentity, ClauseMatch, DocumentVersion, MatchRelation


@dataclass
class CompareRow:
    """One clause of the newer version with the clause(s) of the older version it comes from."""

    new: Clause | None
    old: list[Clause] = field(default_factory=list)
    relation: str = MatchRelation.UNCHANGED

    @property
    def relation_label(self) -> str:
        return MatchRelation(self.relation).label

    @property
    def changed(self) -> bool:
        return self.relation != MatchRelation.UNCHANGED

    @property
    def identity_ids(self) -> list[int]:
        ids = [clause.identity_id for clause in self.old]
        if self.new is not None:
            ids.append(self.new.identity_id)
        return list(dict.fromkeys(i for i in ids if i))


def compare_rows(old: DocumentVersion, new: DocumentVersion) -> list[CompareRow]:
    """Every clause of ``new`` in document order, each paired with where it came from in ``old``; the
    clauses of ``old`` that have no successor come last, as removed. Two queries (three for adjacent
    versions, which read the adopted matching itself)."""
    old_clauses = list(old.clauses.order_by("position"))
    new_clauses = list(new.clauses.order_by("position"))
    old_by_pk = {c.pk: c for c in old_clauses}
    sources: dict[int, list[Clause]] = {c.pk: [] for c in new_clauses}
    matched_old: set[int] = set()
    adjacent = not (
        DocumentVersion.objects.filter(process_id=new.process_id, number__gt=old.number, number__lt=new.number)
        .adopted()
        .exists()
    )
    recorded = {}
    if adjacent:
        for match in ClauseMatch.objects.filter(version=new, clause__isnull=False, previous__isnull=False):
            if match.previous_id in old_by_pk:
                sources[match.clause_id].append(old_by_pk[match.previous_id])
                matched_old.add(match.previous_id)
                recorded[match.clause_id] = match.relation
    if not recorded:
        # Versions further apart: pair by permanent identity, following merges and splits.
        identities = {
            i.pk: i
            for i in ClauseIdentity.objects.filter(
                pk__in=[c.identity_id for c in old_clauses] + [c.identity_id for c in new_clauses]
            )
        }
        old_by_identity = {c.identity_id: c for c in old_clauses}
        for clause in new_clauses:
            identity = identities.get(clause.identity_id)
            direct = old_by_identity.get(clause.identity_id)
            if direct is None and identity is not None and identity.split_from_id:
                direct = old_by_identity.get(identity.split_from_id)
            if direct is not None:
                sources[clause.pk].append(direct)
                matched_old.add(direct.pk)
        for clause in old_clauses:
            identity = identities.get(clause.identity_id)
            if clause.pk in matched_old or identity is None or identity.merged_into_id is None:
                continue
            into = next((c for c in new_clauses if c.identity_id == identity.merged_into_id), None)
            if into is not None:
                sources[into.pk].append(clause)
                matched_old.add(clause.pk)
    successors: dict[int, int] = {}
    for olds in sources.values():
        for clause in olds:
            successors[clause.pk] = successors.get(clause.pk, 0) + 1
    rows = []
    for clause in new_clauses:
        olds = sources[clause.pk]
        rows.append(CompareRow(new=clause, old=olds, relation=_relation(clause, olds, successors)))
    rows.extend(
        CompareRow(new=None, old=[clause], relation=MatchRelation.REMOVED)
        for clause in old_clauses
        if clause.pk not in matched_old
    )
    return rows


def _relation(clause: Clause, olds: list[Clause], successors: dict[int, int]) -> str:
    if not olds:
        return MatchRelation.NEW
    if len(olds) > 1:
        return MatchRelation.MERGED
    previous = olds[0]
    if successors.get(previous.pk, 0) > 1:
        return MatchRelation.SPLIT
    if _text(previous) == _text(clause):
        return MatchRelation.UNCHANGED if previous.label == clause.label else MatchRelation.RENUMBERED
    return MatchRelation.REWORDED


def _text(clause: Clause) -> str:
    return " ".join(f"{clause.heading}\n{clause.text}".split())


__all__ = ["CompareRow", "compare_rows"]

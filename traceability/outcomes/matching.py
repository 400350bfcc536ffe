"""Propose how the clauses of a new version of a document relate to the version before it.

Pure Python, no database: the callers turn clauses into :class:`Side` values and the returned
:class:`Pair` values into ``ClauseMatch`` rows.

``propose(old, new)`` finds a set of edges (old key, new key) and hands them to ``relate``, which
derives each edge's relation from the shape of the edge set and the texts. An organiser who corrects
the proposal produces another edge set, and ``relate`` derives the relations for it the same way.

How edges are found, in order:

1. **Same text.** Clauses whose normalised text (whitespace collapsed) is identical are paired through
   a hash map. A text that occurs once on each side pairs at once; these pairs are the *anchors*. A
   text that repeats pairs by the nearest *expected position* (where the anchors before it say the
   clause should now be), a same label counting as :data:`REPEAT_LABEL_PULL` clauses nearer. A deleted
   paragraph that shifts every later number down therefore yields one REMOVED and a run of RENUMBERED
   pairs, never a chain of rewordings.
2. **Similar text.** The clauses left over are scored against each other with rapidfuzz
   (``fuzz.ratio``, the normalised Indel similarity) over *word tokens*: each distinct lowercased word
   or punctuation mark becomes one character, so a one-word change in a 60-word paragraph scores 98
   while unrelated policy paragraphs score 7 to 32 (the sample in tests/test_matching.py; letter by
   letter the same pairs score 38 to 46, too close to a real rewording). Pairs scoring at least
   :data:`REWORD_THRESHOLD` (60) are taken greedily by descending score, a small bonus for the same
   label (+2) and for a position near the expected one (up to +3) breaking ties; each pair taken is the
   best remaining candidate for both of its sides. A pair more than :data:`FAR_DISTANCE` (20) clauses
   from its expected position (a move) needs :data:`FAR_THRESHOLD` (80) and is ranked
   :data:`FAR_PENALTY` (15) lower.
   Section headings (``linkable=False``) are paired only with headings, afterwards, by the character
   ratio of their lowercased text (they are short), where their place counts for more than their
   text: see :func:`_match_headings`.
3. **Splits and merges.** An old clause, unmatched or paired as reworded, whose words are covered by
   two or more *consecutive* new clauses (each either unmatched or its own reworded partner, each
   with at least :data:`PART_CONTAINMENT` of its words found in the old clause in order) becomes a
   split when the concatenation of those clauses scores at least :data:`GROUP_THRESHOLD` (70) and beats
   its one-to-one pairing by :data:`GROUP_MARGIN`. Merges are the mirror case. Parts are only looked
   for within :data:`GROUP_WINDOW` clauses of the expected position; candidates are taken by
   descending score; headings never take part.

Anything still alone is NEW (new side) or REMOVED (old side).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

from traceability.outcomes.models import MatchRelation

__all__ = [
    "GROUP_MARGIN",
    "GROUP_THRESHOLD",
    "GROUP_WINDOW",
    "FAR_DISTANCE",
    "FAR_PENALTY",
    "FAR_THRESHOLD",
    "HEADING_SAME_LABEL_THRESHOLD",
    "PART_CONTAINMENT",
    "REWORD_THRESHOLD",
    "Pair",
    "Side",
    "normalise",
    "propose",
    "relate",
    "similarity",
]

# Lowest word-token similarity (0..100) for a one-to-one pair of different texts to be proposed as
# REWORDED. At 60 roughly a third of the words may change; below it a pair is more often two
# different clauses on the same subject than one clause rewritten.
REWORD_THRESHOLD = 60.0
# A pair more than FAR_DISTANCE clauses away from where the clauses around it say it should be (a move)
# needs FAR_THRESHOLD: formulaic short clauses far apart are too often alike by chance.
FAR_THRESHOLD = 80.0
FAR_DISTANCE = 20
# ...and when ordering candidates a far pair counts this much less than a near one.
FAR_PENALTY = 15.0
# Headings (short) with the same label pair from this character similarity.
HEADING_SAME_LABEL_THRESHOLD = 40.0
# A split's parts (a merge's predecessors) joined in document order must score at least this against
# the clause on the other side...
GROUP_THRESHOLD = 70.0
# ...and beat the one-to-one pairing of that clause (if any) by this much, or by half of what that
# pairing lacked to 100 if less (a short part joined to a long one improves the score by little).
GROUP_MARGIN = 5.0
# Share (0..1) of a part's words that must appear, in order, in the clause it was split from.
PART_CONTAINMENT = 0.6
# How far (in clauses) from the expected position the parts of a split or merge are looked for.
GROUP_WINDOW = 25
# Tie-breaking bonuses added to the similarity when ordering candidate pairs (never for the threshold).
LABEL_BONUS = 2.0
POSITION_BONUS = 3.0
POSITION_SCALE = 10.0
# Where a text repeats, a same-label candidate counts as this many clauses nearer its expected place.
REPEAT_LABEL_PULL = 1.5
# Headings are short, and repeat ("Implementation"): where they stand and their label weigh more.
HEADING_LABEL_BONUS = 10.0
HEADING_POSITION_BONUS = 60.0
HEADING_POSITION_SCALE = 3.0

_WHITESPACE = re.compile(r"\s+")
_TOKENS = re.compile(r"\w+|[^\w\s]")
_NEG_INF = float("-inf")


@dataclass(frozen=True)
class Side:
    key: int  # an opaque id (a clause pk on the old side, a position on the new side)
    label: str  # human number, e.g. "12", "3(a)", "§ 2"
    text: str  # the clause's heading + text
    position: int  # document order (ascending)
    linkable: bool = True  # section headings are False: matched by label/heading text, never split/merged


@dataclass(frozen=True)
class Pair:
    old: int | None  # Side.key on the old side, None for a NEW clause
    new: int | None  # Side.key on the new side, None for a REMOVED clause
    relation: MatchRelation
    score: float  # 0..100 text similarity (100 for identical normalised text)


def normalise(text: str) -> str:
    """Collapse every run of whitespace to one space and strip: the text used for "same text" and fingerprints."""
    return _WHITESPACE.sub(" ", text).strip()


class _Codec:
    """Turns texts into strings of word tokens, one character per distinct lowercased token.

    rapidfuzz then compares words instead of letters, at the speed of its string code. The 256 most
    frequent tokens get the characters below 256, which rapidfuzz looks up in a table rather than a hash
    map (about twice as fast).
    """

    def __init__(self, texts: Iterable[str]) -> None:
        self.tokens = [_TOKENS.findall(text.lower()) for text in texts]
        counts: Counter[str] = Counter()
        for tokens in self.tokens:
            counts.update(tokens)
        self.vocabulary: dict[str, str] = {}
        for rank, (token, _) in enumerate(counts.most_common()):
            code = rank + 0x800 if rank >= 0xD800 else rank  # skip the surrogates
            self.vocabulary[token] = chr(code)

    def encoded(self) -> list[str]:
        vocabulary = self.vocabulary
        return ["".join([vocabulary[token] for token in tokens]) for tokens in self.tokens]


class _Prepared:
    """Both sides sorted by position, with their normalised texts and encodings, computed once."""

    def __init__(self, old: Sequence[Side], new: Sequence[Side]) -> None:
        self.old = sorted(old, key=lambda s: s.position)
        self.new = sorted(new, key=lambda s: s.position)
        self.old_index = _index(self.old, "old")
        self.new_index = _index(self.new, "new")
        self.old_norm = [normalise(s.text) for s in self.old]
        self.new_norm = [normalise(s.text) for s in self.new]
        encoded = _Codec(self.old_norm + self.new_norm).encoded()
        self.old_tokens = encoded[: len(self.old)]
        self.new_tokens = encoded[len(self.old) :]

    def score(self, i: int, j: int) -> float:
        """Similarity of old[i] and new[j], 0..100; 100 only for identical normalised text."""
        if self.old_norm[i] == self.new_norm[j]:
            return 100.0
        if not self.old[i].linkable and not self.new[j].linkable:
            value = fuzz.ratio(self.old_norm[i].lower(), self.new_norm[j].lower())
        else:
            value = fuzz.ratio(self.old_tokens[i], self.new_tokens[j])
        return min(round(value, 1), 99.9)


def _index(sides: list[Side], name: str) -> dict[int, int]:
    index = {side.key: i for i, side in enumerate(sides)}
    if len(index) != len(sides):
        raise ValueError(f"Two {name} sides share a key.")
    return index


def similarity(a: str, b: str, *, headings: bool = False) -> float:
    """The similarity ``propose`` and ``relate`` report for a one-to-one pair of texts, 0..100."""
    a, b = normalise(a), normalise(b)
    if a == b:
        return 100.0
    if headings:
        value = fuzz.ratio(a.lower(), b.lower())
    else:
        tokens_a, tokens_b = _Codec((a, b)).encoded()
        value = fuzz.ratio(tokens_a, tokens_b)
    return min(round(value, 1), 99.9)


# --- relations from edges ---------------------------------------------------------------------------


def relate(old: Sequence[Side], new: Sequence[Side], edges: Iterable[tuple[int, int]]) -> list[Pair]:
    """Derive the relation of every edge (old key, new key) from the edge set's shape and the texts.

    One old to one new: UNCHANGED (same normalised text, same label), RENUMBERED (same text, other
    label) or REWORDED. A new clause with more than one old: MERGED, one Pair per predecessor. An old
    clause with more than one new (each of which has only that old): SPLIT, one Pair per part.
    Sides without an edge: NEW / REMOVED. The score of a split or merge pair is the similarity between
    the single clause and its parts (or predecessors) joined in document order.

    Pairs come in reading order of the new version, a removed clause after the successor of the old
    clause before it. Raises ``ValueError`` for an edge naming an unknown key.
    """
    prepared = _Prepared(old, new)
    indexed = set()
    for old_key, new_key in edges:
        try:
            indexed.add((prepared.old_index[old_key], prepared.new_index[new_key]))
        except KeyError as exc:
            raise ValueError(f"The edge ({old_key}, {new_key}) names a clause that is not on its side.") from exc
    return _relate(prepared, indexed)


def _relate(p: _Prepared, edges: set[tuple[int, int]]) -> list[Pair]:
    succ: dict[int, list[int]] = defaultdict(list)
    pred: dict[int, list[int]] = defaultdict(list)
    for i, j in sorted(edges):
        succ[i].append(j)
        pred[j].append(i)

    group_scores: dict[tuple[str, int], float] = {}

    def group_score(kind: str, index: int) -> float:
        cached = group_scores.get((kind, index))
        if cached is None:
            if kind == "split":
                parts = sorted(succ[index])
                joined_old, joined_new = p.old_norm[index], " ".join(p.new_norm[j] for j in parts)
                tokens_old, tokens_new = p.old_tokens[index], "".join(p.new_tokens[j] for j in parts)
            else:
                parts = sorted(pred[index])
                joined_old, joined_new = " ".join(p.old_norm[i] for i in parts), p.new_norm[index]
                tokens_old, tokens_new = "".join(p.old_tokens[i] for i in parts), p.new_tokens[index]
            if joined_old == joined_new:
                cached = 100.0
            else:
                cached = min(round(fuzz.ratio(tokens_old, tokens_new), 1), 99.9)
            group_scores[(kind, index)] = cached
        return cached

    keyed: list[tuple[tuple[float, int, float], Pair]] = []
    for i, j in edges:
        o, n = p.old[i], p.new[j]
        if len(pred[j]) > 1:
            pair = Pair(o.key, n.key, MatchRelation.MERGED, group_score("merge", j))
        elif len(succ[i]) > 1:
            pair = Pair(o.key, n.key, MatchRelation.SPLIT, group_score("split", i))
        elif p.old_norm[i] == p.new_norm[j]:
            relation = MatchRelation.UNCHANGED if o.label == n.label else MatchRelation.RENUMBERED
            pair = Pair(o.key, n.key, relation, 100.0)
        else:
            pair = Pair(o.key, n.key, MatchRelation.REWORDED, p.score(i, j))
        keyed.append(((float(j), 0, float(i)), pair))
    for j, n in enumerate(p.new):
        if j not in pred:
            keyed.append(((float(j), 0, _NEG_INF), Pair(None, n.key, MatchRelation.NEW, 0.0)))
    last = _NEG_INF
    for i, o in enumerate(p.old):
        if i in succ:
            last = float(max(succ[i]))
        else:
            keyed.append(((last, 1, float(i)), Pair(o.key, None, MatchRelation.REMOVED, 0.0)))
    keyed.sort(key=lambda item: item[0])
    return [pair for _, pair in keyed]


# --- finding edges ------------------------------------------------------------------------------------


class _Anchors:
    """Where a clause of one side is expected on the other, from the pairs found so far."""

    def __init__(self, pairs: Iterable[tuple[int, int]], size_from: int, size_to: int) -> None:
        ordered = sorted(pairs)
        self.source = [a for a, _ in ordered]
        self.target = [b for _, b in ordered]
        self.ratio = size_to / size_from if size_from else 1.0

    def expect(self, index: int) -> float:
        if not self.source:
            return index * self.ratio
        k = bisect_right(self.source, index) - 1
        if k < 0:
            return self.target[0] - (self.source[0] - index)
        return self.target[k] + (index - self.source[k])


def _position_bonus(distance: float) -> float:
    return POSITION_BONUS * max(0.0, 1.0 - distance / POSITION_SCALE)


def _match_exact(p: _Prepared, o2n: dict[int, int], n2o: dict[int, int]) -> None:
    by_text_old: dict[tuple[bool, str], list[int]] = defaultdict(list)
    by_text_new: dict[tuple[bool, str], list[int]] = defaultdict(list)
    for i, side in enumerate(p.old):
        by_text_old[(side.linkable, p.old_norm[i])].append(i)
    for j, side in enumerate(p.new):
        by_text_new[(side.linkable, p.new_norm[j])].append(j)
    repeated = []
    for text, olds in by_text_old.items():
        news = by_text_new.get(text)
        if not news:
            continue
        if len(olds) == 1 and len(news) == 1:
            o2n[olds[0]] = news[0]
            n2o[news[0]] = olds[0]
        else:
            repeated.append((olds, news))
    if not repeated:
        return
    # A repeated text: the nearest expected position wins, the same label counting as REPEAT_LABEL_PULL
    # clauses nearer. (Same label first would be wrong after renumbering: when paragraph 1 and its
    # "(a) to report;" are deleted, the "(a) to report;" of paragraph 2 becomes 1(a).)
    anchors = _Anchors(o2n.items(), len(p.old), len(p.new))
    for olds, news in repeated:
        if len(olds) * len(news) <= 4096:
            pairs = [(i, j) for i in olds for j in news]
        else:  # a text repeated very often (a "[Deleted]" placeholder): only nearby pairs
            pairs = []
            for i in olds:
                expected = anchors.expect(i)
                lo, hi = bisect_left(news, expected - FAR_DISTANCE), bisect_right(news, expected + FAR_DISTANCE)
                pairs.extend((i, j) for j in news[lo:hi])
        candidates = sorted(
            (abs(anchors.expect(i) - j) - (REPEAT_LABEL_PULL if p.old[i].label == p.new[j].label else 0.0), i, j)
            for i, j in pairs
        )
        for _, i, j in candidates:
            if i not in o2n and j not in n2o:
                o2n[i] = j
                n2o[j] = i
        rest_new = [j for j in news if j not in n2o]
        for i, j in zip((i for i in olds if i not in o2n), rest_new, strict=False):
            o2n[i] = j
            n2o[j] = i


def _take(candidates: list[tuple[float, float, int, int]], o2n: dict[int, int], n2o: dict[int, int]) -> set[int]:
    """Greedy assignment by descending (similarity + bonus); returns the old indexes paired."""
    candidates.sort(key=lambda c: (-c[0], -c[1], c[2], c[3]))
    taken: set[int] = set()
    for _, _, i, j in candidates:
        if i not in o2n and j not in n2o:
            o2n[i] = j
            n2o[j] = i
            taken.add(i)
    return taken


def _unpaired(p: _Prepared, o2n: dict[int, int], n2o: dict[int, int], linkable: bool) -> tuple[list[int], list[int]]:
    olds = [i for i, side in enumerate(p.old) if i not in o2n and side.linkable is linkable]
    news = [j for j, side in enumerate(p.new) if j not in n2o and side.linkable is linkable]
    return olds, news


def _match_similar(p: _Prepared, o2n: dict[int, int], n2o: dict[int, int]) -> set[int]:
    """Pair the remaining clauses by similarity; returns the old indexes paired here (the rewordings)."""
    olds, news = _unpaired(p, o2n, n2o, True)
    candidates: list[tuple[float, float, int, int]] = []
    if olds and news:
        anchors = _Anchors(o2n.items(), len(p.old), len(p.new))
        choices = [p.new_tokens[j] for j in news]
        for i in olds:
            expected = anchors.expect(i)
            label = p.old[i].label
            matches = process.extract(
                p.old_tokens[i], choices, scorer=fuzz.ratio, score_cutoff=REWORD_THRESHOLD, limit=None
            )
            for _, value, k in matches:
                j = news[k]
                distance = abs(j - expected)
                if value < FAR_THRESHOLD and distance > FAR_DISTANCE:
                    continue
                bonus = (LABEL_BONUS if p.new[j].label == label else 0.0) + _position_bonus(distance)
                if distance > FAR_DISTANCE:
                    bonus -= FAR_PENALTY
                candidates.append((value + bonus, value, i, j))
    taken = _take(candidates, o2n, n2o)
    return taken | _match_headings(p, o2n, n2o)


def _match_headings(p: _Prepared, o2n: dict[int, int], n2o: dict[int, int]) -> set[int]:
    """Headings: short, so compared letter by letter, and where they stand counts for more than their text.

    A pair is a candidate at :data:`REWORD_THRESHOLD`; at :data:`HEADING_SAME_LABEL_THRESHOLD` with the
    same label or within one clause of the place the paragraphs around it say it should be; and with
    the same label at that place whatever the text.
    """
    olds, news = _unpaired(p, o2n, n2o, False)
    if not olds or not news:
        return set()
    anchors = _Anchors(o2n.items(), len(p.old), len(p.new))
    choices = [p.new_norm[j].lower() for j in news]
    by_label: dict[str, list[int]] = defaultdict(list)
    for j in news:
        by_label[p.new[j].label].append(j)
    candidates: list[tuple[float, float, int, int]] = []
    for i in olds:
        expected = anchors.expect(i)
        label = p.old[i].label
        scored = {
            news[k]: value
            for _, value, k in process.extract(
                p.old_norm[i].lower(), choices, scorer=fuzz.ratio, score_cutoff=HEADING_SAME_LABEL_THRESHOLD, limit=None
            )
        }
        for j in by_label.get(label, ()):
            if abs(j - expected) <= 1 and j not in scored:
                scored[j] = fuzz.ratio(p.old_norm[i].lower(), p.new_norm[j].lower())
        for j, value in scored.items():
            same_label = p.new[j].label == label
            distance = abs(j - expected)
            near = distance <= 1
            if value < REWORD_THRESHOLD and not (same_label or near):
                continue
            if value < HEADING_SAME_LABEL_THRESHOLD and not (same_label and near):
                continue
            bonus = (HEADING_LABEL_BONUS if same_label else 0.0) + HEADING_POSITION_BONUS * max(
                0.0, 1.0 - distance / HEADING_POSITION_SCALE
            )
            candidates.append((value + bonus, value, i, j))
    return _take(candidates, o2n, n2o)


def _runs(indexes: list[int]) -> list[list[int]]:
    """Maximal runs of consecutive integers in a sorted list, those of length 2 or more."""
    runs: list[list[int]] = []
    current: list[int] = []
    for k in indexes:
        if current and k == current[-1] + 1:
            current.append(k)
        else:
            if len(current) > 1:
                runs.append(current)
            current = [k]
    if len(current) > 1:
        runs.append(current)
    return runs


def _best_group(whole: str, parts_tokens: list[str], run: list[int]) -> tuple[float, list[int]]:
    """The sub-run of 2+ consecutive parts whose concatenation is most similar to ``whole``."""
    if len(run) > 8:
        spans = [(0, len(run))]
    else:
        spans = [(a, b) for a in range(len(run)) for b in range(a + 2, len(run) + 1)]
    best: tuple[float, list[int]] = (0.0, [])
    for a, b in spans:
        value = fuzz.ratio(whole, "".join(parts_tokens[a:b]))
        if value > best[0]:
            best = (value, run[a:b])
    return best


def _group_candidates(
    centre_tokens: list[str],
    centre_sides: list[Side],
    part_tokens: list[str],
    part_sides: list[Side],
    c2p: dict[int, int],
    p2c: dict[int, int],
    reworded: set[int],
    anchors: _Anchors,
) -> list[tuple[float, int, list[int]]]:
    """Splits (centre = old, parts = new) or, with the sides swapped, merges.

    ``c2p``/``p2c`` are the one-to-one pairs so far; ``reworded`` holds the centres paired by similarity
    (only those, and unpaired centres, may become a split or merge).
    """
    found: list[tuple[float, int, list[int]]] = []
    size = len(part_sides)
    for c, side in enumerate(centre_sides):
        if not side.linkable or (c in c2p and c not in reworded):
            continue
        whole = centre_tokens[c]
        if not whole:
            continue
        partner = c2p.get(c)
        centre = partner if partner is not None else int(round(anchors.expect(c)))
        lo, hi = max(0, centre - GROUP_WINDOW), min(size, centre + GROUP_WINDOW + 1)
        eligible = []
        for k in range(lo, hi):
            if not part_sides[k].linkable or p2c.get(k, c) != c:
                continue
            tokens = part_tokens[k]
            if tokens and LCSseq.similarity(whole, tokens) >= PART_CONTAINMENT * len(tokens):
                eligible.append(k)
        for run in _runs(eligible):
            if partner is not None and partner not in run:
                continue
            value, group = _best_group(whole, [part_tokens[k] for k in run], run)
            if partner is not None and partner not in group:
                continue
            current = fuzz.ratio(whole, part_tokens[partner]) if partner is not None else 0.0
            if value >= GROUP_THRESHOLD and value >= current + min(GROUP_MARGIN, (100.0 - current) / 2):
                found.append((value, c, group))
    return found


def _find_edges(p: _Prepared) -> set[tuple[int, int]]:
    o2n: dict[int, int] = {}
    n2o: dict[int, int] = {}
    _match_exact(p, o2n, n2o)
    reworded_old = _match_similar(p, o2n, n2o)
    reworded_new = {o2n[i] for i in reworded_old}

    forward = _Anchors(o2n.items(), len(p.old), len(p.new))
    backward = _Anchors(((j, i) for i, j in o2n.items()), len(p.new), len(p.old))
    splits = _group_candidates(p.old_tokens, p.old, p.new_tokens, p.new, o2n, n2o, reworded_old, forward)
    merges = _group_candidates(p.new_tokens, p.new, p.old_tokens, p.old, n2o, o2n, reworded_new, backward)
    groups = [(value, "split", c, group) for value, c, group in splits]
    groups += [(value, "merge", c, group) for value, c, group in merges]
    groups.sort(key=lambda g: (-g[0], g[1], g[2]))

    used_old: set[int] = set()
    used_new: set[int] = set()
    edges: set[tuple[int, int]] = set()
    for _, kind, c, group in groups:
        if kind == "split":
            olds, news = {c}, set(group)
        else:
            olds, news = set(group), {c}
        if olds & used_old or news & used_new:
            continue
        used_old |= olds
        used_new |= news
        for i in olds:
            o2n.pop(i, None)
        for j in news:
            n2o.pop(j, None)
        edges.update((i, j) for i in olds for j in news)
    edges.update(o2n.items())
    return edges


def propose(old: Sequence[Side], new: Sequence[Side]) -> list[Pair]:
    """Propose the matching of ``new`` against ``old``; every key of both sides is in at least one Pair."""
    prepared = _Prepared(old, new)
    return _relate(prepared, _find_edges(prepared))

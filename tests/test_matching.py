"""Version matching (how the clauses of a new version relate to the previous one) and the word-level redline.

Pure functions: no database.
"""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from traceability.outcomes.matching import Pair, Side, normalise, propose, relate, similarity
from traceability.outcomes.models import MatchRelation as R
from traceability.outcomes.redline import word_diff

PARAGRAPHS = [
    "Member States shall ensure meaningful and affordable connectivity for rural communities by 2030.",
    "The Secretariat will report annually on progress, with data disaggregated by stakeholder group.",
    "All stakeholders are encouraged to share good practices on digital literacy with young people.",
    "Governments should protect privacy and personal data in accordance with international human rights law.",
    "The Forum invites the technical community to publish open standards for interoperable public services.",
    "Parliaments are invited to review national laws on content moderation in consultation with civil society.",
    "Development partners commit to support capacity building in least developed countries.",
    "The Bureau will convene an intersessional meeting on artificial intelligence and the environment.",
]
LONG = (
    "Member States, in cooperation with the private sector, civil society, the technical community and "
    "academia, shall develop and implement national strategies for universal and meaningful connectivity, "
    "with measurable targets for rural areas, for persons with disabilities and for women and girls, "
    "and shall report on their progress to the Forum at each of its annual meetings."
)


def olds(*texts: str, labels: list[str] | None = None, headings: set[int] = frozenset()) -> list[Side]:
    """The previous version: keys 101, 102, ... (clause pks), labels 1, 2, ... unless given."""
    labels = labels or [str(k + 1) for k in range(len(texts))]
    return [Side(101 + k, labels[k], text, k, k not in headings) for k, text in enumerate(texts)]


def news(*texts: str, labels: list[str] | None = None, headings: set[int] = frozenset()) -> list[Side]:
    """The new version: keys 0, 1, ... (positions), labels 1, 2, ... unless given."""
    labels = labels or [str(k + 1) for k in range(len(texts))]
    return [Side(k, labels[k], text, k, k not in headings) for k, text in enumerate(texts)]


def test_normalise_collapses_whitespace():
    assert normalise("  Member\tStates\n\nshall  act. ") == "Member States shall act."
    assert normalise("") == ""


def test_unchanged_document():
    old = olds(*PARAGRAPHS[:4])
    new = news(*PARAGRAPHS[:4])
    assert propose(old, new) == [
        Pair(101, 0, R.UNCHANGED, 100.0),
        Pair(102, 1, R.UNCHANGED, 100.0),
        Pair(103, 2, R.UNCHANGED, 100.0),
        Pair(104, 3, R.UNCHANGED, 100.0),
    ]


def test_whitespace_changes_are_not_rewordings():
    old = olds(PARAGRAPHS[0])
    new = news(PARAGRAPHS[0].replace(" ", "\n  ", 3) + "  ")
    assert propose(old, new) == [Pair(101, 0, R.UNCHANGED, 100.0)]


def test_deletion_at_the_top_renumbers_the_rest():
    old = olds(*PARAGRAPHS[:6])
    new = news(*PARAGRAPHS[1:6])  # labels 1..5: every paragraph moves up one number
    assert propose(old, new) == [
        Pair(101, None, R.REMOVED, 0.0),
        Pair(102, 0, R.RENUMBERED, 100.0),
        Pair(103, 1, R.RENUMBERED, 100.0),
        Pair(104, 2, R.RENUMBERED, 100.0),
        Pair(105, 3, R.RENUMBERED, 100.0),
        Pair(106, 4, R.RENUMBERED, 100.0),
    ]


def test_deleting_paragraph_3_is_one_removal_and_renumberings_not_a_chain_of_rewordings():
    old = olds(*PARAGRAPHS)
    new = news(*(PARAGRAPHS[:2] + PARAGRAPHS[3:]))
    assert propose(old, new) == [
        Pair(101, 0, R.UNCHANGED, 100.0),
        Pair(102, 1, R.UNCHANGED, 100.0),
        Pair(103, None, R.REMOVED, 0.0),
        Pair(104, 2, R.RENUMBERED, 100.0),
        Pair(105, 3, R.RENUMBERED, 100.0),
        Pair(106, 4, R.RENUMBERED, 100.0),
        Pair(107, 5, R.RENUMBERED, 100.0),
        Pair(108, 6, R.RENUMBERED, 100.0),
    ]


def test_one_word_changed_in_a_long_paragraph_is_reworded():
    reworded = LONG.replace("annual meetings", "regular meetings")
    old = olds(PARAGRAPHS[0], LONG, PARAGRAPHS[1])
    new = news(PARAGRAPHS[0], reworded, PARAGRAPHS[1])
    # 63 word and punctuation tokens, one replaced: 2 * 62 / 126.
    assert similarity(LONG, reworded) == 98.4
    assert propose(old, new) == [
        Pair(101, 0, R.UNCHANGED, 100.0),
        Pair(102, 1, R.REWORDED, 98.4),
        Pair(103, 2, R.UNCHANGED, 100.0),
    ]


def test_reworded_and_renumbered_at_once_is_reworded():
    reworded = PARAGRAPHS[4].replace("publish", "develop and publish")
    old = olds(*PARAGRAPHS[:6])
    new = news(PARAGRAPHS[0], PARAGRAPHS[2], PARAGRAPHS[3], reworded, PARAGRAPHS[5])
    assert propose(old, new) == [
        Pair(101, 0, R.UNCHANGED, 100.0),
        Pair(102, None, R.REMOVED, 0.0),
        Pair(103, 1, R.RENUMBERED, 100.0),
        Pair(104, 2, R.RENUMBERED, 100.0),
        Pair(105, 3, R.REWORDED, similarity(PARAGRAPHS[4], reworded)),
        Pair(106, 4, R.RENUMBERED, 100.0),
    ]
    assert 90 < similarity(PARAGRAPHS[4], reworded) < 100


def test_a_paragraph_split_in_two():
    whole = PARAGRAPHS[2] + " " + PARAGRAPHS[3]
    old = olds(PARAGRAPHS[0], whole, PARAGRAPHS[1])
    new = news(PARAGRAPHS[0], PARAGRAPHS[2], PARAGRAPHS[3], PARAGRAPHS[1])
    assert propose(old, new) == [
        Pair(101, 0, R.UNCHANGED, 100.0),
        Pair(102, 1, R.SPLIT, 100.0),
        Pair(102, 2, R.SPLIT, 100.0),
        Pair(103, 3, R.RENUMBERED, 100.0),
    ]


def test_a_split_with_a_part_reworded():
    whole = LONG + " " + PARAGRAPHS[3]
    old = olds(PARAGRAPHS[0], whole, PARAGRAPHS[1])
    second = PARAGRAPHS[3].replace("should protect", "shall protect")
    new = news(PARAGRAPHS[0], LONG, second, PARAGRAPHS[1])
    pairs = propose(old, new)
    assert [(p.old, p.new, p.relation) for p in pairs] == [
        (101, 0, R.UNCHANGED),
        (102, 1, R.SPLIT),
        (102, 2, R.SPLIT),
        (103, 3, R.RENUMBERED),
    ]
    assert pairs[1].score == pairs[2].score == similarity(whole, LONG + " " + second)
    assert 95 < pairs[1].score < 100


def test_a_split_in_three_and_a_merge_with_rewording():
    split_old = olds(PARAGRAPHS[0], " ".join(PARAGRAPHS[1:4]), PARAGRAPHS[4])
    third = PARAGRAPHS[2].replace("share", "exchange")
    split_new = news(PARAGRAPHS[0], PARAGRAPHS[1], third, PARAGRAPHS[3], PARAGRAPHS[4])
    score = similarity(" ".join(PARAGRAPHS[1:4]), " ".join([PARAGRAPHS[1], third, PARAGRAPHS[3]]))
    assert propose(split_old, split_new) == [
        Pair(101, 0, R.UNCHANGED, 100.0),
        Pair(102, 1, R.SPLIT, score),
        Pair(102, 2, R.SPLIT, score),
        Pair(102, 3, R.SPLIT, score),
        Pair(103, 4, R.RENUMBERED, 100.0),
    ]
    merge_old = olds(PARAGRAPHS[0], PARAGRAPHS[1], PARAGRAPHS[2], PARAGRAPHS[4])
    merged = PARAGRAPHS[1].replace("annually", "every year") + " " + PARAGRAPHS[2]
    merge_new = news(PARAGRAPHS[0], merged, PARAGRAPHS[4])
    score = similarity(PARAGRAPHS[1] + " " + PARAGRAPHS[2], merged)
    assert propose(merge_old, merge_new) == [
        Pair(101, 0, R.UNCHANGED, 100.0),
        Pair(102, 1, R.MERGED, score),
        Pair(103, 1, R.MERGED, score),
        Pair(104, 2, R.RENUMBERED, 100.0),
    ]
    assert 90 < score < 100


def test_two_paragraphs_merged_into_one():
    old = olds(PARAGRAPHS[0], PARAGRAPHS[2], PARAGRAPHS[3], PARAGRAPHS[1])
    new = news(PARAGRAPHS[0], PARAGRAPHS[2] + "\n" + PARAGRAPHS[3], PARAGRAPHS[1])
    assert propose(old, new) == [
        Pair(101, 0, R.UNCHANGED, 100.0),
        Pair(102, 1, R.MERGED, 100.0),
        Pair(103, 1, R.MERGED, 100.0),
        Pair(104, 2, R.RENUMBERED, 100.0),
    ]


def test_an_inserted_paragraph_is_new_and_the_rest_renumbered():
    old = olds(*PARAGRAPHS[:3])
    new = news(PARAGRAPHS[0], PARAGRAPHS[5], PARAGRAPHS[1], PARAGRAPHS[2])
    assert propose(old, new) == [
        Pair(101, 0, R.UNCHANGED, 100.0),
        Pair(None, 1, R.NEW, 0.0),
        Pair(102, 2, R.RENUMBERED, 100.0),
        Pair(103, 3, R.RENUMBERED, 100.0),
    ]


def test_a_deleted_paragraph_at_the_end_is_removed():
    old = olds(*PARAGRAPHS[:3])
    new = news(*PARAGRAPHS[:2])
    assert propose(old, new) == [
        Pair(101, 0, R.UNCHANGED, 100.0),
        Pair(102, 1, R.UNCHANGED, 100.0),
        Pair(103, None, R.REMOVED, 0.0),
    ]


def test_a_paragraph_replaced_by_an_unrelated_one_is_removed_and_new():
    old = olds(PARAGRAPHS[0], PARAGRAPHS[6], PARAGRAPHS[1])
    new = news(PARAGRAPHS[0], PARAGRAPHS[7], PARAGRAPHS[1])
    assert similarity(PARAGRAPHS[6], PARAGRAPHS[7]) < 60
    # a removed clause comes after the successor of the clause before it, so before the new one
    assert propose(old, new) == [
        Pair(101, 0, R.UNCHANGED, 100.0),
        Pair(102, None, R.REMOVED, 0.0),
        Pair(None, 1, R.NEW, 0.0),
        Pair(103, 2, R.UNCHANGED, 100.0),
    ]


def test_headings_match_by_text_and_label_and_never_split():
    old = olds(
        "Connectivity",
        PARAGRAPHS[0],
        "Data",
        PARAGRAPHS[1],
        labels=["§ 1", "1", "§ 2", "2"],
        headings={0, 2},
    )
    new = news(
        "Meaningful connectivity",  # renamed heading, same label, same place
        PARAGRAPHS[0],
        "Data governance",
        PARAGRAPHS[1],
        labels=["§ 1", "1", "§ 2", "2"],
        headings={0, 2},
    )
    assert propose(old, new) == [
        Pair(101, 0, R.REWORDED, similarity("Connectivity", "Meaningful connectivity", headings=True)),
        Pair(102, 1, R.UNCHANGED, 100.0),
        Pair(103, 2, R.REWORDED, similarity("Data", "Data governance", headings=True)),
        Pair(104, 3, R.UNCHANGED, 100.0),
    ]


def test_a_heading_is_not_a_part_of_a_split_nor_paired_with_a_paragraph():
    # The old paragraph reads like the new heading followed by the new paragraph: still not a split.
    old = olds(PARAGRAPHS[0], "Data governance " + PARAGRAPHS[1], labels=["1", "2"])
    new = news(PARAGRAPHS[0], "Data governance", PARAGRAPHS[1], labels=["1", "§ 1", "2"], headings={1})
    assert propose(old, new) == [
        Pair(101, 0, R.UNCHANGED, 100.0),
        Pair(None, 1, R.NEW, 0.0),
        Pair(102, 2, R.REWORDED, similarity("Data governance " + PARAGRAPHS[1], PARAGRAPHS[1])),
    ]
    # and a paragraph whose text equals a heading's is not matched with it
    old = olds("Scope", labels=["§ 1"], headings={0})
    new = news("Scope", labels=["1"])
    assert propose(old, new) == [Pair(101, None, R.REMOVED, 0.0), Pair(None, 0, R.NEW, 0.0)]


def test_a_deleted_section_renumbers_the_headings_after_it():
    old = olds(
        "Scope",
        PARAGRAPHS[0],
        "Finance",
        PARAGRAPHS[1],
        "Review",
        PARAGRAPHS[2],
        labels=["§ 1", "1", "§ 2", "2", "§ 3", "3"],
        headings={0, 2, 4},
    )
    new = news("Scope", PARAGRAPHS[0], "Review", PARAGRAPHS[2], labels=["§ 1", "1", "§ 2", "2"], headings={0, 2})
    assert propose(old, new) == [
        Pair(101, 0, R.UNCHANGED, 100.0),
        Pair(102, 1, R.UNCHANGED, 100.0),
        Pair(103, None, R.REMOVED, 0.0),
        Pair(104, None, R.REMOVED, 0.0),
        Pair(105, 2, R.RENUMBERED, 100.0),
        Pair(106, 3, R.RENUMBERED, 100.0),
    ]


def test_repeated_texts_pair_by_place_not_by_label():
    # Paragraph 1 and its points are deleted: paragraph 2's identical "(a)" and "(b)" become 1(a) and 1(b).
    old = olds(
        "Calls upon Member States:",
        "to act without delay;",
        "to report on progress.",
        "Requests the Secretariat:",
        "to act without delay;",
        "to report on progress.",
        labels=["1", "1(a)", "1(b)", "2", "2(a)", "2(b)"],
    )
    new = news(
        "Requests the Secretariat:",
        "to act without delay;",
        "to report on progress.",
        labels=["1", "1(a)", "1(b)"],
    )
    assert propose(old, new) == [
        Pair(101, None, R.REMOVED, 0.0),
        Pair(102, None, R.REMOVED, 0.0),
        Pair(103, None, R.REMOVED, 0.0),
        Pair(104, 0, R.RENUMBERED, 100.0),
        Pair(105, 1, R.RENUMBERED, 100.0),
        Pair(106, 2, R.RENUMBERED, 100.0),
    ]


def test_repeated_texts_without_renumbering_keep_their_labels():
    old = olds(
        "Calls upon Member States:",
        "as appropriate;",
        "Requests the Secretariat:",
        "as appropriate;",
        labels=["1", "1(a)", "2", "2(a)"],
    )
    new = news(
        "Calls upon Member States:",
        "as appropriate;",
        "Requests the Secretariat and the Bureau:",
        "as appropriate;",
        labels=["1", "1(a)", "2", "2(a)"],
    )
    assert propose(old, new) == [
        Pair(101, 0, R.UNCHANGED, 100.0),
        Pair(102, 1, R.UNCHANGED, 100.0),
        Pair(103, 2, R.REWORDED, similarity("Requests the Secretariat:", "Requests the Secretariat and the Bureau:")),
        Pair(104, 3, R.UNCHANGED, 100.0),
    ]


def test_empty_sides():
    assert propose([], []) == []
    assert propose([], news(*PARAGRAPHS[:2])) == [Pair(None, 0, R.NEW, 0.0), Pair(None, 1, R.NEW, 0.0)]
    assert propose(olds(*PARAGRAPHS[:2]), []) == [Pair(101, None, R.REMOVED, 0.0), Pair(102, None, R.REMOVED, 0.0)]


def test_sides_are_read_in_position_order_whatever_order_they_come_in():
    old = olds(*PARAGRAPHS[:3])
    new = news(PARAGRAPHS[1], PARAGRAPHS[2])
    assert propose(list(reversed(old)), list(reversed(new))) == [
        Pair(101, None, R.REMOVED, 0.0),
        Pair(102, 0, R.RENUMBERED, 100.0),
        Pair(103, 1, R.RENUMBERED, 100.0),
    ]


def test_relate_turns_a_corrected_new_and_removed_into_a_rewording():
    old = olds(PARAGRAPHS[0], PARAGRAPHS[6], PARAGRAPHS[1])
    new = news(PARAGRAPHS[0], PARAGRAPHS[7], PARAGRAPHS[1])
    proposed = propose(old, new)
    assert Pair(None, 1, R.NEW, 0.0) in proposed and Pair(102, None, R.REMOVED, 0.0) in proposed
    edges = {(p.old, p.new) for p in proposed if p.old is not None and p.new is not None} | {(102, 1)}
    assert relate(old, new, edges) == [
        Pair(101, 0, R.UNCHANGED, 100.0),
        Pair(102, 1, R.REWORDED, similarity(PARAGRAPHS[6], PARAGRAPHS[7])),
        Pair(103, 2, R.UNCHANGED, 100.0),
    ]


def test_relate_derives_split_merge_and_many_to_many_from_the_edges():
    old = olds("A one.", "B two.", "C three.", "D four.")
    new = news("A one.", "B two", "C three D four.", "E five.")
    # 101 -> 0 and 1 (split); 102 and 103 -> 2 (merge); 103 -> 3 too (mixed); 104 alone.
    assert relate(old, new, [(101, 0), (101, 1), (102, 2), (103, 2), (103, 3)]) == [
        Pair(101, 0, R.SPLIT, similarity("A one.", "A one. B two")),
        Pair(101, 1, R.SPLIT, similarity("A one.", "A one. B two")),
        Pair(102, 2, R.MERGED, similarity("B two. C three.", "C three D four.")),
        Pair(103, 2, R.MERGED, similarity("B two. C three.", "C three D four.")),
        Pair(103, 3, R.SPLIT, similarity("C three.", "C three D four. E five.")),
        Pair(104, None, R.REMOVED, 0.0),
    ]
    # one-to-one edges get their relation from text and label; duplicates count once
    assert relate(old, new, [(101, 0), (101, 0), (102, 1)]) == [
        Pair(101, 0, R.UNCHANGED, 100.0),
        Pair(102, 1, R.REWORDED, similarity("B two.", "B two")),
        Pair(103, None, R.REMOVED, 0.0),
        Pair(104, None, R.REMOVED, 0.0),
        Pair(None, 2, R.NEW, 0.0),
        Pair(None, 3, R.NEW, 0.0),
    ]


def test_relate_rejects_unknown_keys():
    old, new = olds("A."), news("A.")
    for edges in ([(999, 0)], [(101, 5)]):
        try:
            relate(old, new, edges)
        except ValueError as error:
            assert "not on its side" in str(error)
        else:
            raise AssertionError("relate accepted an unknown key")


def test_propose_every_key_appears_and_propose_equals_relate_of_its_edges():
    old = olds(*PARAGRAPHS, LONG)
    new = news(PARAGRAPHS[2], PARAGRAPHS[0] + " " + PARAGRAPHS[1], LONG.replace("shall", "should"), "Something new.")
    pairs = propose(old, new)
    assert {p.old for p in pairs if p.old is not None} == {s.key for s in old}
    assert {p.new for p in pairs if p.new is not None} == {s.key for s in new}
    edges = [(p.old, p.new) for p in pairs if p.old is not None and p.new is not None]
    assert relate(old, new, edges) == pairs
    assert [(p.old, p.new, p.relation) for p in pairs] == [
        (103, 0, R.RENUMBERED),
        # removed clauses follow the successor of the clause before them (103, moved to the top)
        (104, None, R.REMOVED),
        (105, None, R.REMOVED),
        (106, None, R.REMOVED),
        (107, None, R.REMOVED),
        (108, None, R.REMOVED),
        (101, 1, R.MERGED),
        (102, 1, R.MERGED),
        (109, 2, R.REWORDED),
        (None, 3, R.NEW),
    ]


def test_propose_is_fast_on_a_large_document():
    paragraphs = [f"{PARAGRAPHS[k % 8]} Paragraph reference {k} concerns item {k * 7 % 1000}." for k in range(2000)]
    old = olds(*paragraphs)
    edited = paragraphs[5:]  # renumbers everything
    edited[100] = edited[100].replace("Paragraph", "This paragraph")
    new = news(*edited)
    start = time.perf_counter()
    pairs = propose(old, new)
    assert time.perf_counter() - start < 5
    relations = [p.relation for p in pairs]
    assert relations.count(R.REMOVED) == 5
    assert relations.count(R.REWORDED) == 1
    assert relations.count(R.RENUMBERED) == 1994


# --- word_diff ------------------------------------------------------------------------------------------


def sides_of(diff: list[tuple[str, str]]) -> tuple[str, str]:
    old = "".join(text for op, text in diff if op in ("equal", "delete"))
    new = "".join(text for op, text in diff if op in ("equal", "insert"))
    return old, new


def test_word_diff_marks_the_changed_words():
    assert word_diff("Member States shall act now.", "Member States should act, now.") == [
        ("equal", "Member States "),
        ("delete", "shall"),
        ("insert", "should"),
        ("equal", " act"),
        ("insert", ","),
        ("equal", " now."),
    ]


def test_word_diff_edge_cases():
    assert word_diff("", "") == []
    assert word_diff("", "New text.") == [("insert", "New text.")]
    assert word_diff("Old text.", "") == [("delete", "Old text.")]
    assert word_diff("Same.", "Same.") == [("equal", "Same.")]
    assert word_diff("a  b", "a b") == [("equal", "a"), ("delete", "  "), ("insert", " "), ("equal", "b")]


def test_word_diff_of_long_texts_is_fast_and_exact():
    # 300 sentences of ten words, a word changed near each end: too long for one word-level pass,
    # so the texts are compared sentence by sentence first, then word by word inside the changed ones.
    words = [f"word{k % 97}" for k in range(3000)]
    sentences = [" ".join(words[k : k + 10]) + "." for k in range(0, 3000, 10)]
    old = " ".join(sentences)
    new_words = list(words)
    new_words[10] = "changed"
    new_words[2990] = "altered"
    new = " ".join(" ".join(new_words[k : k + 10]) + "." for k in range(0, 3000, 10))
    assert len(old) > 20_000
    start = time.perf_counter()
    diff = word_diff(old, new)
    assert time.perf_counter() - start < 2
    assert sides_of(diff) == (old, new)
    assert [(op, text) for op, text in diff if op != "equal"] == [
        ("delete", "word10"),
        ("insert", "changed"),
        ("delete", words[2990]),
        ("insert", "altered"),
    ]
    # two long unrelated texts: one delete and one insert, quickly
    other = " ".join(f"term{k % 89}" for k in range(4000))
    start = time.perf_counter()
    assert word_diff(old, other) == [("delete", old), ("insert", other)]
    assert time.perf_counter() - start < 2


TEXT = st.text(alphabet=st.sampled_from(list("ab c,.\n\t-é1")), max_size=80)


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT)
def test_word_diff_round_trips(old: str, new: str):
    diff = word_diff(old, new)
    assert sides_of(diff) == (old, new)
    assert all(op in ("equal", "insert", "delete") and text for op, text in diff)
    assert all(a[0] != b[0] for a, b in zip(diff, diff[1:], strict=False))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200), st.text(max_size=200))
def test_word_diff_round_trips_any_unicode(old: str, new: str):
    assert sides_of(word_diff(old, new)) == (old, new)

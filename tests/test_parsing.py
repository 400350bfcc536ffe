"""Plain text and Markdown become a titled tree of clauses with anchors, human labels and linkability."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from traceability.outcomes.parsing import (
    MAX_CLAUSES,
    MAX_LINE,
    DocumentError,
    ParsedClause,
    ParsedDocument,
    parse_document,
    split_explicit_id,
    split_heading,
)


def clauses_of(source: str) -> list[ParsedClause]:
    return parse_document(source).clauses


def summary(source: str) -> list[tuple[str, str, str, str | None]]:
    return [(c.kind, c.label, c.eid, c.parent.eid if c.parent else None) for c in clauses_of(source)]


def test_headings_become_sections_and_numbers_become_nested_paragraphs():
    source = """# 1. Scope
Intro text of the scope.
1. First paragraph.
1.1 A sub-paragraph by number.
1.2 Another.
(a) a lettered point;
(b) another point.
2. Second paragraph
continues on a second line.
"""
    assert summary(source) == [
        ("section", "§ 1", "sec_1", None),
        ("paragraph", "1", "para_1", "sec_1"),
        ("paragraph", "1.1", "para_1-1", "para_1"),
        ("paragraph", "1.2", "para_1-2", "para_1"),
        ("subparagraph", "1.2(a)", "para_1-2__subpara_a", "para_1-2"),
        ("subparagraph", "1.2(b)", "para_1-2__subpara_b", "para_1-2"),
        ("paragraph", "2", "para_2", "sec_1"),
    ]
    document = parse_document(source)
    assert document.title == ""  # a numbered heading is a section, never the title
    clauses = document.clauses
    assert clauses[0].heading == "Scope"
    assert clauses[0].text == "Intro text of the scope."
    assert clauses[-1].text == "Second paragraph\ncontinues on a second line."
    assert [c.depth for c in clauses] == [0, 1, 2, 2, 3, 3, 1]


def test_parse_document_returns_a_parsed_document():
    document = parse_document("# Declaration\n1. One.")
    assert isinstance(document, ParsedDocument)
    assert document.title == "Declaration"
    assert [c.label for c in document.clauses] == ["1"]
    assert len(document) == 1 and list(document) == document.clauses


def test_nested_headings_nest_sections_and_are_labelled_with_their_text():
    clauses = clauses_of("# Part one\n## Chapter A\n1. Text\n# Part two\n2. Other")
    assert [(c.label, c.eid, c.depth) for c in clauses] == [
        ("Part one", "sec_part-one", 0),
        ("Chapter A", "sec_chapter-a", 1),
        ("1", "para_1", 2),
        ("Part two", "sec_part-two", 0),
        ("2", "para_2", 1),
    ]
    assert clauses[2].parent is clauses[1]


# --- title ------------------------------------------------------------------------------------------


def test_the_only_level_one_heading_at_the_top_is_the_title_and_headings_below_are_not_nested_under_it():
    document = parse_document(
        "# Declaration of Principles\n\n## Preamble\nWe agree.\n\n## 1. Openness\n1. Drafts are public.\n"
        "### 1.1 Formats\n2. Open formats."
    )
    assert document.title == "Declaration of Principles"
    assert [(c.label, c.eid, c.depth, c.parent.eid if c.parent else None) for c in document.clauses] == [
        ("Preamble", "sec_preamble", 0, None),
        ("§ 1", "sec_1", 0, None),
        ("1", "para_1", 1, "sec_1"),
        ("§ 1.1", "sec_1-1", 1, "sec_1"),
        ("2", "para_2", 2, "sec_1-1"),
    ]


def test_text_between_the_title_and_the_first_clause_is_the_preamble():
    document = parse_document("# Final statement {#statement}\nAdopted on 1 May.\n\n1. First.")
    assert document.title == "Final statement"
    assert [(c.kind, c.eid, c.linkable) for c in document.clauses] == [
        ("section", "preamble", False),
        ("paragraph", "para_1", True),
    ]
    assert document.clauses[0].text == "Adopted on 1 May."


@pytest.mark.parametrize(
    "source",
    [
        "# Part one\n1. One\n# Part two\n2. Two",  # two level-1 headings: both are sections
        "## Part one\n# Part two\n1. One",  # the first heading is not level 1
        "1. One\n# Afterword\nText.",  # a clause comes before it
        "# 1. Scope\n1. One",  # it carries a number
    ],
)
def test_a_level_one_heading_is_not_the_title_otherwise(source):
    document = parse_document(source)
    assert document.title == ""
    assert any(c.kind == "section" and c.level == 1 for c in document.clauses)


def test_a_heading_inside_a_code_fence_does_not_count_as_a_second_level_one_heading():
    document = parse_document("# Title\n```\n# not a heading\n```\n1. One")
    assert document.title == "Title"


# --- anchors and labels -----------------------------------------------------------------------------


def test_paragraph_anchors_are_not_prefixed_with_their_section():
    clauses = clauses_of("# I. Scope\n12. Twelve\n(a) point\n# II. Rules\n13. Thirteen\n13.2 Nested")
    assert [(c.label, c.eid) for c in clauses] == [
        ("§ I", "sec_i"),
        ("12", "para_12"),
        ("12(a)", "para_12__subpara_a"),
        ("§ II", "sec_ii"),
        ("13", "para_13"),
        ("13.2", "para_13-2"),
    ]


def test_unnumbered_headings_get_a_slug_anchor_and_never_collide_with_numbered_ones():
    clauses = clauses_of("## Preamble\nText.\n## 2. Rights\n2. Two\n## Preamble\nMore text.")
    assert [(c.label, c.eid, c.linkable) for c in clauses] == [
        ("Preamble", "sec_preamble", False),
        ("§ 2", "sec_2", True),
        ("2", "para_2", True),
        ("Preamble", "sec_preamble_2", False),
    ]


def test_an_unnumbered_heading_without_latin_letters_still_gets_an_anchor():
    clauses = clauses_of("## مقدمة\n1. One")
    assert clauses[0].eid == "sec_heading"
    assert clauses[0].label == "مقدمة"


def test_long_headings_are_truncated_in_the_label_only():
    heading = "A very long heading " * 10
    clause = clauses_of(f"## {heading}\n1. One")[0]
    assert len(clause.label) == 60
    assert clause.heading == heading.strip()


def test_lettered_points_under_a_heading_belong_to_the_section():
    clauses = clauses_of("## 4. Scope\n(a) one;\n(b) two\n## Definitions\n(a) three\n1. Para")
    assert [(c.label, c.eid) for c in clauses] == [
        ("§ 4", "sec_4"),
        ("§ 4(a)", "sec_4__subpara_a"),
        ("§ 4(b)", "sec_4__subpara_b"),
        ("Definitions", "sec_definitions"),
        ("Definitions (a)", "sec_definitions__subpara_a"),
        ("1", "para_1"),
    ]


def test_plain_numbered_text_without_headings_is_parsed():
    clauses = clauses_of("1. Alpha\n2) Beta\n(a) gamma\nb) delta")
    assert [c.label for c in clauses] == ["1", "2", "2(a)", "2(b)"]


def test_explicit_ids_survive_renumbering():
    before = clauses_of("# 2. Principles {#principles}\n3. Inclusion {#inclusion}")
    after = clauses_of("# 4. Principles {#principles}\n7. Inclusion {#inclusion}")
    assert [c.eid for c in before] == [c.eid for c in after] == ["principles", "inclusion"]
    assert [c.label for c in after] == ["§ 4", "7"]
    assert after[1].text == "Inclusion"


def test_duplicate_explicit_id_is_an_error():
    with pytest.raises(DocumentError, match="used twice"):
        parse_document("1. One {#same}\n2. Two {#same}")


def test_explicit_id_marker():
    assert split_explicit_id("Text {#Some-id}") == ("Text", "some-id")
    assert split_explicit_id("Text {#1bad}") == ("Text {#1bad}", None)
    assert split_explicit_id("Text {not an id}") == ("Text {not an id}", None)


# --- linkability ------------------------------------------------------------------------------------


def test_only_numbered_headings_paragraphs_and_subparagraphs_are_linkable():
    document = parse_document("Recitals.\n## Principles\n## 3. Data protection\n3. Text\n(a) point")
    assert [(c.kind, c.label, c.linkable) for c in document.clauses] == [
        ("section", "Preamble", False),
        ("section", "Principles", False),
        ("section", "§ 3", True),
        ("paragraph", "3", True),
        ("subparagraph", "3(a)", True),
    ]


# --- duplicates and missing numbering ---------------------------------------------------------------


def test_a_paragraph_number_used_twice_is_an_error_naming_both_lines():
    source = "# I. One\n1. First\n2. Second\n3. Third\n# II. Two\n1. Restarted"
    with pytest.raises(DocumentError) as error:
        parse_document(source)
    assert str(error.value) == (
        "Paragraph 1 appears twice (lines 2 and 6). Each number may appear only once; "
        "number them within their section as 2.1, 2.2 if they restart."
    )


def test_a_letter_used_twice_in_one_paragraph_is_an_error():
    with pytest.raises(DocumentError, match=r"Sub-paragraph 2\(a\) appears twice \(lines 2 and 4\)"):
        parse_document("2. Two\n(a) one\n(b) two\n(a) again")


def test_the_same_letter_in_different_paragraphs_is_fine():
    assert [c.label for c in clauses_of("1. One\n(a) x\n2. Two\n(a) y")] == ["1", "1(a)", "2", "2(a)"]


def test_a_section_number_used_twice_is_an_error():
    with pytest.raises(DocumentError, match=r"Section 2 appears twice \(lines 1 and 3\)"):
        parse_document("## 2. Scope\n1. One\n## 2. Scope again\n2. Two")


def test_unnumbered_headings_may_repeat():
    clauses = clauses_of("## Notes\n1. One\n## Notes\n2. Two")
    assert [c.eid for c in clauses] == ["sec_notes", "para_1", "sec_notes_2", "para_2"]


@pytest.mark.parametrize(
    "source",
    [
        "just prose, no structure",
        "# Title\nSome text.",
        "## Preamble\nText.\n## Definitions\nMore text.",
        "- a bullet\n- another bullet",
    ],
)
def test_text_without_numbering_is_refused_with_a_clear_message(source):
    with pytest.raises(DocumentError) as error:
        parse_document(source)
    assert str(error.value) == (
        "No numbered paragraphs were found. Number the clauses (1., 1.2, (a)) so that each can be referred to."
    )


@pytest.mark.parametrize("source", ["", "   \n\n", "\r\n\t\r\n"])
def test_an_empty_text_is_refused(source):
    with pytest.raises(DocumentError, match="The document is empty."):
        parse_document(source)


@pytest.mark.parametrize("source", ["(a) only a letter", "## 1. A numbered heading only"])
def test_a_lettered_point_or_a_numbered_heading_is_numbering_enough(source):
    assert parse_document(source).clauses[0].linkable


def test_too_many_clauses_is_an_error():
    source = "\n".join(f"{n}. Clause {n}." for n in range(1, MAX_CLAUSES + 2))
    with pytest.raises(DocumentError, match="more than 5000 clauses"):
        parse_document(source)


# --- text that is not structure ---------------------------------------------------------------------


def test_a_year_at_the_start_of_a_line_is_text_not_a_clause():
    clauses = clauses_of("1. The plan\n2026 is the target year.")
    assert len(clauses) == 1
    assert "2026 is the target year." in clauses[0].text


def test_text_inside_code_fences_is_not_parsed():
    clauses = clauses_of("1. Example\n```\n2. not a clause\n# not a heading\n```")
    assert len(clauses) == 1
    assert "2. not a clause" in clauses[0].text


def test_html_is_kept_as_text():
    clauses = clauses_of("1. <script>alert(1)</script>")
    assert clauses[0].text == "<script>alert(1)</script>"


def test_text_before_the_first_clause_is_kept_as_a_preamble():
    clauses = clauses_of("Declaration of Principles\nAdopted in Geneva.\n\n1. First.")
    assert [(c.kind, c.eid) for c in clauses] == [("section", "preamble"), ("paragraph", "para_1")]
    assert clauses[0].text == "Declaration of Principles\nAdopted in Geneva."


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("# Title", (1, "Title")),
        ("###### Six", (6, "Six")),
        ("## Scope ##", (2, "Scope")),
        ("## C#", (2, "C#")),
        ("##\tTabbed", (2, "Tabbed")),
        ("####### seven", None),
        ("#hashtag", None),
        ("#", None),
        ("## ##", None),
    ],
)
def test_heading_lines(line, expected):
    assert split_heading(line) == expected


def test_a_heading_that_is_only_a_number_is_a_numbered_section():
    clauses = clauses_of("## 1.\nText.\n## IV.\n(a) point")
    assert [(c.label, c.eid, c.heading, c.linkable) for c in clauses] == [
        ("§ 1", "sec_1", "", True),
        ("§ IV", "sec_iv", "", True),
        ("§ IV(a)", "sec_iv__subpara_a", "", True),
    ]


def test_a_heading_that_is_only_an_id_is_an_untitled_section_and_never_the_title():
    document = parse_document("# {#scope}\n1. Text")
    assert document.title == ""
    assert [(c.label, c.eid, c.linkable) for c in document.clauses] == [
        ("Untitled section", "scope", False),
        ("1", "para_1", True),
    ]


def test_numbers_too_long_for_a_label_are_text_so_labels_never_collide_when_cut_short():
    deep = ".".join(["1"] * 25)  # 49 characters
    clauses = clauses_of(f"1. One\n{deep} too deep\n" + "\n".join(".".join(["1"] * d) + " x" for d in range(2, 21)))
    assert [c.label for c in clauses] == [".".join(["1"] * d) for d in range(1, 21)]
    assert f"{deep} too deep" in clauses[0].text
    assert max(len(c.label) for c in clauses) <= 60


# --- hostile input ----------------------------------------------------------------------------------


def timed(source: str) -> tuple[ParsedDocument, float]:
    start = time.perf_counter()
    document = parse_document(source)
    return document, time.perf_counter() - start


def test_a_heading_with_twenty_thousand_blanks_before_its_last_character_parses_in_linear_time():
    document, seconds = timed("## 1. Heading" + " " * 19_900 + "x\n1. One")
    assert [c.label for c in document.clauses] == ["§ 1", "1"]
    assert document.clauses[0].heading.startswith("Heading")
    assert seconds < 2  # only a guard against the quadratic (or worse) case: the old pattern took minutes


@pytest.mark.parametrize(
    "line",
    [
        "3. One" + " " * 19_990 + "x",  # blanks before a last character that is not an {#id}
        "3. One" + " " * 19_990 + "}",
        "3. One {#" + "a" * 19_990 + "}",
        "1." * 9_995 + "x",
        "1" * 20_000,
        "(" * 20_000,
        "#" * 20_000,
        "# " + "#" * 19_990 + " x",
        "# " + "1." * 9_995 + "x",
    ],
)
def test_hostile_lines_parse_in_linear_time(line):
    document, seconds = timed(f"1. Start\n{line}\n2. End")
    assert [c.label for c in document.clauses][-1] == "2"
    assert seconds < 2


def test_a_five_thousand_clause_document_parses_quickly():
    source = "# Long document\n" + "\n".join(
        f"## {s}. Section {s}\n" + "\n".join(f"{s}.{p} Paragraph {s}.{p} text." for p in range(1, 50))
        for s in range(1, 101)
    )
    document, seconds = timed(source)
    assert document.title == "Long document"
    assert len(document.clauses) == MAX_CLAUSES
    assert document.clauses[-1].eid == "para_100-49"
    assert seconds < 2


def test_many_unnumbered_headings_with_the_same_text_get_distinct_anchors_quickly():
    source = "\n".join(f"## Notes\n{n}. Note {n}" for n in range(1, 2001))
    document, seconds = timed(source)
    assert len({c.eid for c in document.clauses}) == 4000
    assert document.clauses[-2].eid == "sec_notes_2000"
    assert seconds < 2


def test_a_line_longer_than_the_limit_is_refused_at_once_with_its_number():
    document_source = "1. Start\n2. " + "x" * MAX_LINE + "\n3. End"
    start = time.perf_counter()
    with pytest.raises(DocumentError, match=f"Line 2 has {MAX_LINE + 3} characters; a line may have at most"):
        parse_document(document_source)
    assert time.perf_counter() - start < 0.5


HEADING_PARTS = st.sampled_from(["#", "##", " ", "\t", "1", ".", "1.", "(", ")", "a", "IV", "{#", "}", "x", "-", "§"])


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parts=st.lists(HEADING_PARTS, min_size=1, max_size=40),
    repeat=st.sampled_from([1, 10, 100, 1_000, 10_000]),  # up to the line limit, where the cost would show
    tail=st.sampled_from(["", "x", "}", " x", "."]),
)
def test_adversarial_headings_and_lines_parse_in_bounded_time(parts, repeat, tail):
    """Hostile shapes built from the characters the patterns care about, repeated up to the line limit:
    each parses, or is refused with a clear message, in well under a second."""
    line = ("".join(parts) * repeat)[: MAX_LINE - len(tail)] + tail
    start = time.perf_counter()
    try:
        parse_document(f"1. Start\n{line}\n## {line}\n2. End")
    except DocumentError:
        pass
    assert time.perf_counter() - start < 0.5

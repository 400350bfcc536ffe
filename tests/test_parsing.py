"""Plain text and Markdown become a tree of clauses with permanent ids and human labels."""

from __future__ import annotations

import pytest

from traceability.outcomes.parsing import DocumentError, parse_document


def summary(source: str) -> list[tuple[str, str, str, str | None]]:
    return [(c.kind, c.label, c.eid, c.parent.eid if c.parent else None) for c in parse_document(source)]


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
        ("paragraph", "1", "sec_1__para_1", "sec_1"),
        ("paragraph", "1.1", "sec_1__para_1-1", "sec_1__para_1"),
        ("paragraph", "1.2", "sec_1__para_1-2", "sec_1__para_1"),
        ("subparagraph", "1.2(a)", "sec_1__para_1-2__subpara_a", "sec_1__para_1-2"),
        ("subparagraph", "1.2(b)", "sec_1__para_1-2__subpara_b", "sec_1__para_1-2"),
        ("paragraph", "2", "sec_1__para_2", "sec_1"),
    ]
    clauses = parse_document(source)
    assert clauses[0].heading == "Scope"
    assert clauses[0].text == "Intro text of the scope."
    assert clauses[-1].text == "Second paragraph\ncontinues on a second line."


def test_nested_headings_nest_sections():
    clauses = parse_document("# Part one\n## Chapter A\n1. Text\n# Part two\n1. Other")
    assert [(c.label, c.depth) for c in clauses] == [
        ("Section 1", 0),
        ("Section 2", 1),
        ("1", 2),
        ("Section 3", 0),
        ("1", 1),
    ]
    assert clauses[2].parent is clauses[1]


def test_plain_numbered_text_without_headings_is_parsed():
    clauses = parse_document("1. Alpha\n2) Beta\n(a) gamma\nb) delta")
    assert [c.label for c in clauses] == ["1", "2", "2(a)", "2(b)"]


def test_explicit_ids_survive_renumbering():
    before = parse_document("# 2. Principles {#principles}\n3. Inclusion {#inclusion}")
    after = parse_document("# 4. Principles {#principles}\n7. Inclusion {#inclusion}")
    assert [c.eid for c in before] == [c.eid for c in after] == ["principles", "inclusion"]
    assert [c.label for c in after] == ["§ 4", "7"]
    assert after[1].text == "Inclusion"


def test_duplicate_explicit_id_is_an_error():
    with pytest.raises(DocumentError, match="used twice"):
        parse_document("1. One {#same}\n2. Two {#same}")


def test_repeated_numbers_get_distinct_ids():
    clauses = parse_document("1. One\n1. One again")
    assert len({c.eid for c in clauses}) == 2


def test_a_year_at_the_start_of_a_line_is_text_not_a_clause():
    clauses = parse_document("1. The plan\n2026 is the target year.")
    assert len(clauses) == 1
    assert "2026 is the target year." in clauses[0].text


def test_text_inside_code_fences_is_not_parsed():
    clauses = parse_document("1. Example\n```\n2. not a clause\n# not a heading\n```")
    assert len(clauses) == 1
    assert "2. not a clause" in clauses[0].text


@pytest.mark.parametrize("source", ["", "   \n\n", "just prose, no structure"])
def test_text_without_structure_is_refused_with_a_clear_message(source):
    with pytest.raises(DocumentError, match="No clauses were found"):
        parse_document(source)


def test_html_is_kept_as_text():
    clauses = parse_document("1. <script>alert(1)</script>")
    assert clauses[0].text == "<script>alert(1)</script>"


def test_text_before_the_first_clause_is_kept_as_a_preamble():
    clauses = parse_document("Declaration of Principles\nAdopted in Geneva.\n\n1. First.")
    assert [(c.kind, c.eid) for c in clauses] == [("section", "preamble"), ("paragraph", "para_1")]
    assert clauses[0].text == "Declaration of Principles\nAdopted in Geneva."

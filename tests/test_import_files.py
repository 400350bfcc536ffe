"""Uploading an outcome document: Word (.docx) files built with python-docx, text files, and bad files."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from traceability.outcomes import docx as word
from traceability.outcomes.docx import docx_to_text
from traceability.outcomes.forms import ImportForm
from traceability.outcomes.models import VersionStatus
from traceability.outcomes.parsing import DocumentError, parse_document

NO_NUMBERING = "No numbered paragraphs were found. Number the clauses (1., 1.2, (a)) so that each can be referred to."
NOT_SUPPORTED = "Upload a .docx, .txt or .md file; {} files are not supported."

# --- building Word documents --------------------------------------------------------------------------


def saved(document: docx.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def add_outline_numbering(document: docx.Document, num_id: int = 90) -> int:
    """A two-level auto-numbered list (1., 2. with a., b. inside), as Word writes it in numbering.xml."""
    numbering = document.part.numbering_part.element
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), str(num_id))
    for level, fmt, text in ((0, "decimal", "%1."), (1, "lowerLetter", "(%2)")):
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), str(level))
        for tag, value in (("w:start", "1"), ("w:numFmt", fmt), ("w:lvlText", text)):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            lvl.append(child)
        abstract.append(lvl)
    numbering.insert(0, abstract)  # abstract numberings come before the numberings that use them
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(num_id))
    abstract_id = OxmlElement("w:abstractNumId")
    abstract_id.set(qn("w:val"), str(num_id))
    num.append(abstract_id)
    numbering.append(num)
    return num_id


def add_list_item(document: docx.Document, text: str, *, num_id: int, level: int) -> None:
    paragraph = document.add_paragraph(text)
    num_pr = OxmlElement("w:numPr")
    for tag, value in (("w:ilvl", level), ("w:numId", num_id)):
        child = OxmlElement(tag)
        child.set(qn("w:val"), str(value))
        num_pr.append(child)
    paragraph._p.get_or_add_pPr().append(num_pr)


def declaration() -> bytes:
    document = docx.Document()
    document.add_heading("Declaration on Open Consultations", 0)  # Word's "Title" style
    document.add_paragraph("Adopted by the participants & observers.")
    document.add_heading("I. Principles", 1)
    document.add_paragraph("1.\tEvery draft is published <in full>.")
    document.add_paragraph("2. Every comment gets an answer.")
    document.add_paragraph("(a) within thirty days;")
    document.add_heading("Implementation", 1)
    document.add_paragraph("3. Organisers publish a report.")
    document.add_heading("Details", 2)
    document.add_paragraph("3.1 The report is open data.")
    return saved(document)


def auto_numbered() -> bytes:
    document = docx.Document()
    document.add_heading("Commitments", 1)
    document.add_paragraph("Connect everyone.", style="List Number")
    document.add_paragraph("Protect rights online.", style="List Number")
    document.add_paragraph("An explanatory note between the items.")
    document.add_heading("Follow-up", 1)
    document.add_paragraph("Review the commitments yearly.", style="List Number")
    document.add_paragraph("A bullet point", style="List Bullet")
    return saved(document)


def upload_form(name: str, content: bytes, **data: str) -> ImportForm:
    fields = {"label": "Zero draft", "status": VersionStatus.DRAFT, "text": "", **data}
    return ImportForm(data=fields, files={"upload": SimpleUploadedFile(name, content)})


def errors(form: ImportForm) -> list[str]:
    assert not form.is_valid()
    return [message for messages in form.errors.values() for message in messages]


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# --- Word documents come through --------------------------------------------------------------------


def test_headings_and_typed_numbers_come_through_as_markdown():
    text = docx_to_text(declaration())
    assert text == (
        "# Declaration on Open Consultations\n\n"
        "Adopted by the participants & observers.\n\n"
        "## I. Principles\n\n"
        "1. Every draft is published <in full>.\n\n"
        "2. Every comment gets an answer.\n\n"
        "(a) within thirty days;\n\n"
        "## Implementation\n\n"
        "3. Organisers publish a report.\n\n"
        "### Details\n\n"
        "3.1 The report is open data.\n"
    )


def test_a_word_document_parses_into_labels_and_anchors():
    form = upload_form("declaration.docx", declaration())
    assert form.is_valid(), form.errors
    document = form.parsed
    assert document.title == "Declaration on Open Consultations"
    assert [(c.label, c.eid, c.linkable) for c in document.clauses] == [
        ("Preamble", "preamble", False),
        ("§ I", "sec_i", True),
        ("1", "para_1", True),
        ("2", "para_2", True),
        ("2(a)", "para_2__subpara_a", True),
        ("Implementation", "sec_implementation", False),
        ("3", "para_3", True),
        ("Details", "sec_details", False),
        ("3.1", "para_3-1", True),
    ]
    assert document.clauses[2].text == "Every draft is published <in full>."
    assert form.cleaned_data["source"] == docx_to_text(declaration())


def test_word_auto_numbering_is_written_out_and_counted_on_across_interruptions():
    text = docx_to_text(auto_numbered())
    assert text == (
        "# Commitments\n\n"
        "1. Connect everyone.\n\n"
        "2. Protect rights online.\n\n"
        "An explanatory note between the items.\n\n"
        "# Follow-up\n\n"
        "3. Review the commitments yearly.\n\n"
        "- A bullet point\n"
    )
    clauses = parse_document(text).clauses
    assert [(c.label, c.eid) for c in clauses] == [
        ("Commitments", "sec_commitments"),
        ("1", "para_1"),
        ("2", "para_2"),
        ("Follow-up", "sec_follow-up"),
        ("3", "para_3"),
    ]
    assert clauses[2].text == "Protect rights online.\n\nAn explanatory note between the items."
    assert clauses[4].text == "Review the commitments yearly.\n\n- A bullet point"


def test_a_nested_auto_numbered_list_becomes_lettered_subparagraphs():
    document = docx.Document()
    num_id = add_outline_numbering(document)
    for text, level in (
        ("Publish drafts.", 0),
        ("online;", 1),
        ("on paper.", 1),
        ("Answer comments.", 0),
        ("soon.", 1),
    ):
        add_list_item(document, text, num_id=num_id, level=level)
    text = docx_to_text(saved(document))
    assert text == "1. Publish drafts.\n\n(a) online;\n\n(b) on paper.\n\n2. Answer comments.\n\n(a) soon.\n"
    assert [c.label for c in parse_document(text).clauses] == ["1", "1(a)", "1(b)", "2", "2(a)"]


def test_table_cells_and_line_breaks_become_lines():
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "4. A clause in a table."
    table.cell(0, 1).text = "Its explanation."
    paragraph = document.add_paragraph("5. First line")
    paragraph.add_run().add_break()
    paragraph.add_run("second line")
    text = docx_to_text(saved(document))
    assert text == "4. A clause in a table.\n\nIts explanation.\n\n5. First line\nsecond line\n"
    assert [c.text for c in parse_document(text).clauses] == [
        "A clause in a table.\n\nIts explanation.",
        "First line\nsecond line",
    ]


def test_footnotes_are_text_not_numbered_paragraphs():
    # The shape of mammoth's HTML for a paragraph with a footnote.
    walker = word._Walker()
    walker.feed(
        '<p>1. Text<sup><a href="#footnote-1" id="footnote-ref-1">[1]</a></sup></p>'
        '<ol><li id="footnote-1"><p> A source. <a href="#footnote-ref-1">↑</a></p></li></ol>'
    )
    text = walker.render()
    assert text == "1. Text[1]\n\n[1] A source.\n"
    assert [c.label for c in parse_document(text).clauses] == ["1"]


def test_a_third_level_of_auto_numbering_is_text_within_its_subparagraph():
    walker = word._Walker()
    walker.feed("<ol><li>One<ol><li>first<ol><li>deep</li><li>deeper</li></ol></li><li>second</li></ol></li></ol>")
    text = walker.render()
    assert text == "1. One\n\n(a) first\n\ni. deep\n\nii. deeper\n\n(b) second\n"
    clauses = parse_document(text).clauses
    assert [c.label for c in clauses] == ["1", "1(a)", "1(b)"]
    assert clauses[1].text == "first\n\ni. deep\n\nii. deeper"


def test_text_and_markdown_files_are_read_as_utf8():
    for name in ("document.txt", "document.MD", "document.markdown"):
        form = upload_form(name, "\ufeff# Título\n1. Uno.\n".encode())
        assert form.is_valid(), form.errors
        assert form.parsed.title == "Título"
        assert form.cleaned_data["source"] == "# Título\n1. Uno.\n"


def test_the_upload_field_offers_word_and_text_files():
    field = ImportForm().fields["upload"]
    assert str(field.help_text) == "A .docx, .txt or .md file, up to 2 MB."
    accept = field.widget.attrs["accept"].split(",")
    assert {".docx", ".txt", ".md", ".markdown"} <= set(accept)


# --- bad files are refused with a clear message -----------------------------------------------------


def test_a_text_file_named_docx_is_refused():
    form = upload_form("draft.docx", b"1. Not really a Word document.\n")
    assert errors(form) == ["This file is not a Word document (.docx), although its name ends in .docx."]


def test_a_zip_without_a_word_document_inside_is_refused():
    form = upload_form("draft.docx", zip_of({"readme.txt": b"hello"}))
    assert errors(form) == ["This file is a zip archive but not a Word document (.docx): it has no document text."]


def test_a_damaged_word_document_is_refused():
    data = declaration()
    form = upload_form("draft.docx", data[: len(data) // 2])
    assert errors(form) == ["The Word document is damaged and cannot be read."]
    form = upload_form("draft.docx", zip_of({"word/document.xml": b"<not xml", "_rels/.rels": b"<nor this"}))
    assert errors(form) == ["The Word document is damaged and cannot be read."]


def test_an_encrypted_word_document_is_refused():
    # Word saves a password-protected .docx as an OLE compound file, not as a zip.
    encrypted = word.OLE_SIGNATURE + b"\x00" * 512
    assert errors(upload_form("draft.docx", encrypted)) == [
        "This file is not a Word document (.docx), although its name ends in .docx."
    ]
    with pytest.raises(DocumentError, match="encrypted or in the old .doc format"):
        docx_to_text(encrypted)


def test_a_word_document_that_unpacks_to_too_much_is_refused(monkeypatch):
    monkeypatch.setattr(word, "MAX_XML_BYTES", 1000)
    assert errors(upload_form("draft.docx", declaration())) == ["The Word document is too large once unpacked."]


def test_a_word_document_without_text_is_refused():
    assert errors(upload_form("blank.docx", saved(docx.Document()))) == ["The Word document contains no text."]


@pytest.mark.parametrize("name", ["draft.pdf", "draft.doc", "draft.odt", "setup.exe", "draft.DOCX.pdf"])
def test_other_file_types_are_refused_naming_their_extension(name):
    extension = "." + name.rsplit(".", 1)[1].lower()
    assert errors(upload_form(name, b"%PDF-1.7 whatever")) == [NOT_SUPPORTED.format(extension)]


def test_a_file_without_an_extension_is_refused():
    assert errors(upload_form("draft", b"1. One")) == [
        "Upload a .docx, .txt or .md file; files without an extension are not supported."
    ]


@pytest.mark.parametrize("name", ["empty.txt", "empty.docx", "empty.md"])
def test_an_empty_file_is_refused(name):
    assert errors(upload_form(name, b"")) == ["The file is empty."]


def test_a_file_of_blank_lines_is_refused_as_empty():
    assert errors(upload_form("blank.txt", b"\n \n\t\n")) == ["The file is empty."]


class Unreadable(io.RawIOBase):
    """A 20 MB upload that fails the test if anything tries to read it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        raise AssertionError("the file was read")


@pytest.mark.parametrize("name", ["big.docx", "big.txt"])
def test_a_20_mb_file_is_refused_without_being_read(name):
    upload = InMemoryUploadedFile(
        Unreadable(), "upload", name, "application/octet-stream", size=20 * 1024 * 1024, charset=None
    )
    form = ImportForm(data={"label": "Zero draft", "status": VersionStatus.DRAFT}, files={"upload": upload})
    assert errors(form) == ["The file is larger than 2 MB."]


def test_a_text_file_that_is_not_utf8_or_is_binary_is_refused():
    assert errors(upload_form("latin.txt", "1. Café".encode("latin-1"))) == [
        "The file is not valid UTF-8 text. Save it as UTF-8 and try again."
    ]
    assert errors(upload_form("binary.txt", b"1. One\x00\x01")) == ["The file contains binary data, not text."]
    assert errors(upload_form("renamed.txt", declaration())) == [
        "This file is not a text file, although its name ends in .txt."
    ]


def test_a_word_document_without_numbering_is_refused():
    document = docx.Document()
    document.add_heading("Vision", 1)
    document.add_paragraph("We want an open Internet.")
    document.add_heading("Mission", 1)
    document.add_paragraph("We work together.")
    assert errors(upload_form("vision.docx", saved(document))) == [NO_NUMBERING]


def test_a_text_file_without_numbering_is_refused():
    assert errors(upload_form("vision.md", b"# Vision\nWe want an open Internet.\n")) == [NO_NUMBERING]


def test_a_word_document_with_a_number_used_twice_is_refused():
    document = docx.Document()
    document.add_heading("Part one", 1)
    document.add_paragraph("1. First.")
    document.add_paragraph("2. Second.")
    document.add_heading("Part two", 1)
    document.add_paragraph("1. First again.")
    text = docx_to_text(saved(document))
    line = text.split("\n").index("1. First again.") + 1
    assert errors(upload_form("restart.docx", saved(document))) == [
        f"Paragraph 1 appears twice (lines 3 and {line}). Each number may appear only once; "
        "number them within their section as 2.1, 2.2 if they restart."
    ]


def test_pasting_and_uploading_together_is_still_refused():
    form = upload_form("declaration.docx", declaration(), text="1. Pasted.")
    assert errors(form) == ["Paste the text or upload a file, not both."]

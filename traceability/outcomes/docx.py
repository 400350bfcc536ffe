"""Turn a Word document (.docx) into the plain text and Markdown that ``parsing`` reads.

mammoth converts the document to simple HTML (headings, paragraphs, lists, tables); the HTML is then
walked once and written out as lines: ``<h2>`` becomes ``## ``, a paragraph a line of its own with its
typed numbering ("12. ...") kept as typed, an item of a Word auto-numbered list ``1. `` and an item of
a list nested in it ``(a) ``, a bullet ``- ``, a table cell a line. Blocks are separated by a blank line.

Word's auto-numbering is not in mammoth's HTML, only the list structure is, and mammoth closes a list
at every paragraph that interrupts it. The outer auto-numbered list is therefore counted on through
the whole document, as Word numbers paragraphs of one list style (the usual case for numbered
paragraphs of an outcome document); nested lists count from (a) under each item.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from html.parser import HTMLParser

import mammoth
import mammoth.images
from django.utils.translation import gettext as _

from .parsing import DocumentError

logger = logging.getLogger(__name__)

ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .docx files and old .doc files
MAIN_PART = "word/document.xml"
# What the XML parts may expand to: a guard against zip bombs and against documents too large to convert
# during a request. mammoth needs about 3 s and 35 MB of memory per MB of XML; a 5,000-paragraph document
# has under 1 MB of it. Images and other parts are never read.
MAX_XML_BYTES = 10 * 1024 * 1024
MAX_PARTS = 10_000

# The document title (Word's "Title" style) is a level-1 heading; Word's "Heading 1" is then shifted to
# level 2 and so on, so that the title stays the document's only level-1 heading.
STYLE_MAP = "p[style-name='Title'] => h1.title:fresh"

HEADINGS = {f"h{n}": n for n in range(1, 7)}
BLOCKS = {"p", "td", "th", *HEADINGS}
NOTE_PREFIXES = ("footnote-", "endnote-")
BLANKS = re.compile(r"\s+")


def _letters(n: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa, 28 -> bb: the way Word continues a lettered list."""
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _roman(n: int) -> str:
    numerals = (
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    )
    out = []
    for value, numeral in numerals:
        count, n = divmod(n, value)
        out.append(numeral * count)
    return "".join(out)


class _Block:
    def __init__(self, *, heading: int = 0, prefix: str = "", title: bool = False) -> None:
        self.heading = heading
        self.prefix = prefix
        self.title = title
        self.parts: list[str] = []

    def lines(self) -> list[str]:
        text = "".join(self.parts)
        if self.heading:
            text = text.replace("\n", " ")
        lines = [BLANKS.sub(" ", line).strip() for line in text.split("\n")]
        return [line for line in lines if line]


class _Walker(HTMLParser):
    """Collects blocks from mammoth's HTML; ``render`` writes them out as text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self.block: _Block | None = None
        self.lists: list[str] = []  # the open lists, "ol" or "ul", innermost last
        self.counts: list[int] = []  # the items so far in each open list
        self.outer_count = 0  # the outer auto-numbered list, counted on through the document
        self.notes = 0
        self.in_item = False  # an <li> whose first paragraph is still to come
        self.skip = 0  # inside a note's "back to the text" link

    # --- blocks ---------------------------------------------------------------------------------------

    def _close(self) -> None:
        if self.block is not None:
            self.blocks.append(self.block)
            self.block = None

    def _open(self, block: _Block) -> None:
        self._close()
        self.block = block

    def _item_prefix(self, attrs: dict[str, str | None]) -> str:
        item_id = attrs.get("id") or ""
        if item_id.startswith(NOTE_PREFIXES):
            self.notes += 1
            return f"[{self.notes}] "
        if not self.lists or self.lists[-1] == "ul":
            return "- "
        depth = self.lists.count("ol")
        if depth == 1:
            self.outer_count += 1
            return f"{self.outer_count}. "
        self.counts[-1] += 1
        count = self.counts[-1]
        return f"({_letters(count)}) " if depth == 2 else f"{_roman(count)}. "

    # --- HTMLParser -------------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ("ol", "ul"):
            self._close()
            self.in_item = False
            self.lists.append(tag)
            self.counts.append(0)
        elif tag == "li":
            self._open(_Block(prefix=self._item_prefix(attributes)))
            self.in_item = True
        elif tag in BLOCKS:
            if tag == "p" and self.in_item and self.block is not None and not "".join(self.block.parts).strip():
                return  # the first paragraph of a list item (a note) is the item's own line
            heading = HEADINGS.get(tag, 0)
            title = heading == 1 and "title" in (attributes.get("class") or "").split()
            self._open(_Block(heading=heading, title=title))
            self.in_item = False
        elif tag == "br" and self.block is not None:
            self.block.parts.append("\n")
        elif tag == "a" and (attributes.get("href") or "").startswith(("#footnote-ref-", "#endnote-ref-")):
            self.skip += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and self.block is not None:
            self.block.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ol", "ul"):
            self._close()
            if self.lists:
                self.lists.pop()
                self.counts.pop()
        elif tag in BLOCKS or tag == "li":
            self._close()
            self.in_item = False
        elif tag == "a" and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.block is None:
            self.block = _Block()
        self.block.parts.append(data)

    # --- output -------------------------------------------------------------------------------------------

    def render(self) -> str:
        self._close()
        titled = any(block.title for block in self.blocks)
        out: list[str] = []
        title_seen = False
        for block in self.blocks:
            lines = block.lines()
            if not lines:
                continue
            if block.heading:
                if block.title and not title_seen:
                    level = 1
                    title_seen = True
                elif block.title:  # a second "Title" paragraph is text
                    out.append(lines[0])
                    continue
                else:
                    level = min(block.heading + 1, 6) if titled else block.heading
                out.append("#" * level + " " + lines[0])
                continue
            lines[0] = block.prefix + lines[0]
            out.append("\n".join(lines))
        return "\n\n".join(out) + "\n" if out else ""


def _check_package(data: bytes) -> None:
    if data.startswith(OLE_SIGNATURE):
        raise DocumentError(
            _(
                "This Word file is encrypted or in the old .doc format. Remove the password or save it as "
                "a .docx document, then upload it again."
            )
        )
    if not data.startswith(ZIP_SIGNATURE):
        raise DocumentError(_("This file is not a Word document (.docx)."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise DocumentError(_("The Word document is damaged and cannot be read.")) from None
    names = {info.filename for info in infos}
    if MAIN_PART not in names and "_rels/.rels" not in names:
        raise DocumentError(_("This file is a zip archive but not a Word document (.docx): it has no document text."))
    xml_bytes = sum(info.file_size for info in infos if info.filename.endswith((".xml", ".rels")))
    if len(infos) > MAX_PARTS or xml_bytes > MAX_XML_BYTES:
        raise DocumentError(_("The Word document is too large once unpacked."))
    if any(info.flag_bits & 0x1 for info in infos):
        raise DocumentError(
            _("This Word file is encrypted. Remove the password, save it as a .docx document and upload it again.")
        )


def docx_to_text(data: bytes) -> str:
    """The text of the Word document ``data`` as Markdown, for ``parse_document``.

    Raises ``DocumentError`` with a message for the person uploading when ``data`` is not a readable
    .docx file or has no text.
    """
    _check_package(data)
    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data),
            style_map=STYLE_MAP,
            # Images are not text: never read nor embed them.
            convert_image=mammoth.images.img_element(lambda image: {}),
        )
    except Exception:  # whatever a damaged or hostile file makes the reader raise
        logger.info("A .docx file could not be read.", exc_info=True)
        raise DocumentError(_("The Word document is damaged and cannot be read.")) from None
    walker = _Walker()
    walker.feed(result.value)
    walker.close()
    text = walker.render()
    if not text.strip():
        raise DocumentError(_("The Word document contains no text."))
    return text

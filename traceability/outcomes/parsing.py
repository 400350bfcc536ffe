"""Turn plain text or Markdown into a titled tree of clauses.

Headings (``#`` .. ``######``) become sections. When the document's first heading is its only
level-1 heading (``# Title``) and carries no number, it is the document's title, not a section.
Numbered paragraphs (``1.``, ``1.2``, ``2)``) become paragraphs nested by their numbering, and
``(a)``, ``a)``, ``(iv)`` become sub-paragraphs of the paragraph above. Other lines continue the
clause above them. A line may end with ``{#some-id}`` to give its clause an anchor of its own.

Anchors (eIds) follow Akoma Ntoso: ``para_12``, ``para_1-2``, ``para_12__subpara_a``, ``sec_2``,
``sec_preamble``. They are derived from the numbering and serve as anchors only; a clause's
permanent identity is decided by version matching, elsewhere.

Paragraphs, sub-paragraphs and numbered headings can be linked to; unnumbered headings cannot.
Every linkable clause must have a label of its own, so a number used twice is an error, and so is
a document without any numbering: nothing in it could be referred to.

Each line is looked at a bounded number of times: string methods and regular expressions that
cannot backtrack, so a hostile line (thousands of blanks, digits or dots) costs linear time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from traceability.text import normalise_newlines

from .models import ClauseKind

MAX_CLAUSES = 5000
# A line longer than this is not a clause of a policy text; refusing it bounds the work per line.
MAX_LINE = 20_000
MAX_LABEL = 60
MAX_HEADING = 300
MAX_EID = 150
MAX_HEADING_LEVEL = 6
# A longer "number" (1.1.1.1... twenty levels deep) is text: every label made from a number, "§ 1.2(iv)"
# included, then fits in MAX_LABEL whole, so two labels never become equal by being cut short.
MAX_NUMBER = 40

# Every pattern is matched whole against one stripped line. The numbers are bounded runs separated by
# dots, and whatever follows the run of blanks is taken by ``.*``, which cannot fail, so no run of
# blanks, digits or dots is ever tried more than a bounded number of times.
NUMBERED = re.compile(r"(?:(?P<a>\d{1,4}(?:\.\d{1,4})*)[.)]|(?P<b>\d{1,4}(?:\.\d{1,4})+))\s+(?P<text>.*)")
LETTERED = re.compile(r"(?:\((?P<a>[a-z]{1,2}|[ivxlc]{1,6})\)|(?P<b>[a-z]{1,2})\))\s+(?P<text>.*)")
HEADING_NUMBER = re.compile(r"((?:\d{1,4}(?:\.\d{1,4})*|[IVXLC]{1,6})\.?)\s+(.+)")
NUMBER_ONLY = re.compile(r"\d{1,4}(?:\.\d{1,4})*\.?|[IVXLC]{1,6}\.")  # a heading that is just "2." or "IV."
EXPLICIT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,79}")


class DocumentError(ValueError):
    pass


@dataclass
class ParsedClause:
    kind: str  # "section", "paragraph" or "subparagraph"
    label: str
    eid: str
    heading: str = ""
    lines: list[str] = field(default_factory=list)
    parent: ParsedClause | None = None
    depth: int = 0
    level: int = 0  # heading level for sections, numbering depth for paragraphs
    number: str = ""
    linkable: bool = True

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


@dataclass
class ParsedDocument:
    title: str  # the document title, "" if none
    clauses: list[ParsedClause]  # document order, parents before children

    def __iter__(self) -> Iterator[ParsedClause]:
        return iter(self.clauses)

    def __len__(self) -> int:
        return len(self.clauses)


def split_explicit_id(line: str) -> tuple[str, str | None]:
    """``"Text {#some-id}"`` -> ``("Text", "some-id")``; a line without a marker is returned as it is."""
    stripped = line.rstrip()
    if not stripped.endswith("}"):
        return line, None
    start = stripped.rfind("{#")
    if start < 0 or not EXPLICIT_ID.fullmatch(stripped, start + 2, len(stripped) - 1):
        return line, None
    return stripped[:start].rstrip(), stripped[start + 2 : -1].lower()


def split_heading(line: str) -> tuple[int, str] | None:
    """``"## Text ##"`` -> ``(2, "Text")`` for an ATX heading (``line`` is already stripped), else None."""
    level = len(line) - len(line.lstrip("#"))
    if not 1 <= level <= MAX_HEADING_LEVEL or len(line) == level or not line[level].isspace():
        return None
    content = line[level:].strip()
    # A closing run of #s is dropped when a blank precedes it ("## Scope ##"), kept in "## C#".
    without_closing = content.rstrip("#")
    if without_closing != content and (not without_closing or without_closing[-1].isspace()):
        content = without_closing.rstrip()
    if not content:
        return None
    return level, content


@dataclass
class _Line:
    kind: str  # "heading", "numbered", "lettered", "text", "blank"
    number: int  # line number in the source, from 1
    text: str
    mark: str = ""  # the number or the letter
    level: int = 0  # the heading level


def _scan(source: str) -> list[_Line]:
    lines: list[_Line] = []
    in_fence = False
    for number, raw_line in enumerate(normalise_newlines(source).split("\n"), start=1):
        if len(raw_line) > MAX_LINE:
            raise DocumentError(
                _("Line %(line)d has %(length)d characters; a line may have at most %(max)d.")
                % {"line": number, "length": len(raw_line), "max": MAX_LINE}
            )
        line = raw_line.rstrip()
        stripped = line.strip()
        if stripped.startswith("```") or stripped.startswith("~~~"):
            in_fence = not in_fence
            continue
        if in_fence:
            lines.append(_Line("text", number, line))
        elif not stripped:
            lines.append(_Line("blank", number, ""))
        elif heading := split_heading(stripped):
            lines.append(_Line("heading", number, heading[1], level=heading[0]))
        elif (match := NUMBERED.fullmatch(stripped)) and len(match.group("a") or match.group("b")) <= MAX_NUMBER:
            lines.append(_Line("numbered", number, match.group("text"), mark=match.group("a") or match.group("b")))
        elif match := LETTERED.fullmatch(stripped):
            lines.append(_Line("lettered", number, match.group("text"), mark=match.group("a") or match.group("b")))
        else:
            # Markdown list bullets and emphasis stay as written: they are text.
            lines.append(_Line("text", number, stripped))
    return lines


def _split_heading_number(raw: str) -> tuple[str, str]:
    """``"2. Scope"`` -> ``("2", "Scope")``, ``"IV."`` -> ``("IV", "")``, ``"Scope"`` -> ``("", "Scope")``."""
    if len(raw) <= MAX_NUMBER + 1 and NUMBER_ONLY.fullmatch(raw):
        return raw.rstrip("."), ""
    match = HEADING_NUMBER.fullmatch(raw)
    if match and len(match.group(1)) <= MAX_NUMBER + 1:
        return match.group(1).rstrip("."), match.group(2)
    return "", raw


def _find_title(lines: list[_Line]) -> _Line | None:
    """The first heading, when it is the only level-1 heading, comes before any clause and has no number."""
    first: _Line | None = None
    for line in lines:
        if line.kind in ("numbered", "lettered") and first is None:
            return None
        if line.kind == "heading":
            if first is None:
                first = line
            elif line.level == 1:
                return None
    if first is None or first.level != 1:
        return None
    raw, _explicit = split_explicit_id(first.text)
    number, heading = _split_heading_number(raw.strip())
    return None if number or not heading else first


def _truncate(label: str, suffix: str = "") -> str:
    return label[: MAX_LABEL - len(suffix)] + suffix


class _Builder:
    def __init__(self, language: str | None = None) -> None:
        self.language = language
        self.clauses: list[ParsedClause] = []
        self.eids: set[str] = set()
        self.next_suffix: dict[str, int] = {}
        self.labels: dict[str, int] = {}  # label of each linkable clause -> its line
        self.sections: list[ParsedClause] = []  # open heading stack
        self.paragraphs: list[ParsedClause] = []  # open numbering stack within the section
        self.current: ParsedClause | None = None
        self.preamble: list[str] = []

    def unique(self, eid: str) -> str:
        eid = eid[:MAX_EID] or "clause"
        if eid not in self.eids:
            self.eids.add(eid)
            return eid
        n = self.next_suffix.get(eid, 2)
        while f"{eid}_{n}" in self.eids:  # only an explicit id can be in the way: bounded by their number
            n += 1
        self.next_suffix[eid] = n + 1
        candidate = f"{eid}_{n}"
        self.eids.add(candidate)
        return candidate

    def _check_label(self, clause: ParsedClause, line: int) -> None:
        first = self.labels.setdefault(clause.label, line)
        if first == line:
            return
        values = {"label": clause.number or clause.label, "first": first, "second": line}
        if clause.kind == ClauseKind.PARAGRAPH:
            message = _(
                "Paragraph %(label)s appears twice (lines %(first)d and %(second)d). Each number may appear "
                "only once; number them within their section as 2.1, 2.2 if they restart."
            )
        elif clause.kind == ClauseKind.SUBPARAGRAPH:
            message = _(
                "Sub-paragraph %(label)s appears twice (lines %(first)d and %(second)d). Each letter may "
                "appear only once within a paragraph."
            )
        else:
            message = _(
                "Section %(label)s appears twice (lines %(first)d and %(second)d). Each section number may "
                "appear only once."
            )
        raise DocumentError(message % values)

    def _add(self, clause: ParsedClause, explicit: str | None, line: int) -> None:
        if len(self.clauses) >= MAX_CLAUSES:
            raise DocumentError(_("The document has more than %(max)d clauses.") % {"max": MAX_CLAUSES})
        if clause.linkable:
            self._check_label(clause, line)
        if explicit:
            if explicit in self.eids:
                raise DocumentError(_("The id {#%(id)s} is used twice.") % {"id": explicit})
            clause.eid = explicit
            self.eids.add(explicit)
        else:
            clause.eid = self.unique(clause.eid)
        clause.depth = 0 if clause.parent is None else clause.parent.depth + 1
        self.clauses.append(clause)
        self.current = clause

    def heading(self, level: int, raw: str, line: int) -> None:
        raw, explicit = split_explicit_id(raw)
        number, heading = _split_heading_number(raw.strip())
        heading = heading[:MAX_HEADING]
        while self.sections and self.sections[-1].level >= level:
            self.sections.pop()
        parent = self.sections[-1] if self.sections else None
        if number:
            # Sections are marked with § so that "§ 1" (a section) and "1" (a paragraph) never read alike.
            label = _truncate(f"§ {number}")
            eid = f"sec_{slugify(number.replace('.', '-'))}"
        else:
            label = _truncate(heading) or _in_document_language(self.language, gettext_noop("Untitled section"))
            eid = f"sec_{slugify(heading[:MAX_EID]) or 'heading'}"
        clause = ParsedClause(
            kind=ClauseKind.SECTION,
            label=label,
            eid=eid,
            heading=heading,
            parent=parent,
            level=level,
            number=number,
            linkable=bool(number),
        )
        self._add(clause, explicit, line)
        self.sections.append(clause)
        self.paragraphs = []

    def numbered(self, number: str, text: str, line: int) -> None:
        text, explicit = split_explicit_id(text)
        level = number.count(".") + 1
        # Nest under the nearest open paragraph whose number prefixes this one (1 > 1.2 > 1.2.3).
        while self.paragraphs and not (
            self.paragraphs[-1].level < level and number.startswith(self.paragraphs[-1].number + ".")
        ):
            self.paragraphs.pop()
        parent = self.paragraphs[-1] if self.paragraphs else (self.sections[-1] if self.sections else None)
        clause = ParsedClause(
            kind=ClauseKind.PARAGRAPH,
            label=_truncate(number),
            eid="para_" + number.replace(".", "-"),
            parent=parent,
            level=level,
            number=number,
        )
        clause.lines.append(text)
        self._add(clause, explicit, line)
        self.paragraphs.append(clause)

    def lettered(self, letter: str, text: str, line: int) -> None:
        text, explicit = split_explicit_id(text)
        parent = self.paragraphs[-1] if self.paragraphs else (self.sections[-1] if self.sections else None)
        if parent is None:
            label, eid = f"({letter})", f"subpara_{letter}"
        elif parent.kind == ClauseKind.PARAGRAPH or parent.number:
            label, eid = _truncate(parent.label, f"({letter})"), f"{parent.eid}__subpara_{letter}"
        else:  # under an unnumbered heading: "Definitions (a)"
            label, eid = _truncate(parent.label, f" ({letter})"), f"{parent.eid}__subpara_{letter}"
        clause = ParsedClause(kind=ClauseKind.SUBPARAGRAPH, label=label, eid=eid, parent=parent, number=label)
        clause.lines.append(text)
        self._add(clause, explicit, line)

    def text(self, line: str) -> None:
        if self.current is None:
            self.preamble.append(line)
        else:
            self.current.lines.append(line)

    def blank(self) -> None:
        if self.current is not None and self.current.lines and self.current.lines[-1] != "":
            self.current.lines.append("")


def _in_document_language(language: str | None, text: str) -> str:
    """A label the parser writes itself ("Preamble"), stored with the document: in the document's language when
    Trace has a catalogue for it, else in the site's; never in whichever language the importer reads the site in.
    ``text`` is marked for the catalogue with ``gettext_noop`` where it is used."""
    try:  # "pt" is written in Brazilian Portuguese's catalogue, "fr-ca" in French's...
        catalogue = translation.get_supported_language_variant(language or settings.LANGUAGE_CODE)
    except LookupError:
        catalogue = settings.LANGUAGE_CODE
    with translation.override(catalogue):
        return translation.gettext(text)


def parse_document(source: str, *, language: str | None = None) -> ParsedDocument:
    """Parse ``source`` into its title and its clauses in document order (parents before children). The labels the
    parser writes itself are in ``language``, the document's (see ``_in_document_language``); error messages are in
    the active language, the reader's."""
    lines = _scan(source)
    if all(line.kind == "blank" for line in lines):
        raise DocumentError(_("The document is empty."))
    title_line = _find_title(lines)
    builder = _Builder(language)
    for line in lines:
        if line is title_line:
            continue
        if line.kind == "heading":
            builder.heading(line.level, line.text, line.number)
        elif line.kind == "numbered":
            builder.numbered(line.mark, line.text, line.number)
        elif line.kind == "lettered":
            builder.lettered(line.mark, line.text, line.number)
        elif line.kind == "blank":
            builder.blank()
        else:
            builder.text(line.text)
    if not any(clause.linkable for clause in builder.clauses):
        raise DocumentError(
            _("No numbered paragraphs were found. Number the clauses (1., 1.2, (a)) so that each can be referred to.")
        )
    clauses = builder.clauses
    text_before = "\n".join(builder.preamble).strip()
    if text_before:
        # Text before the first clause (recitals, a subtitle) is kept, never dropped.
        label = _in_document_language(language, gettext_noop("Preamble"))
        preamble = ParsedClause(
            kind=ClauseKind.SECTION, label=label, eid=builder.unique("preamble"), heading=label, linkable=False
        )
        preamble.lines = builder.preamble
        clauses = [preamble, *clauses]
    title = ""
    if title_line is not None:
        title = split_explicit_id(title_line.text)[0].strip()[:MAX_HEADING]
    return ParsedDocument(title=title, clauses=clauses)

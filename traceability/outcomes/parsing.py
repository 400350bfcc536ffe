"""Turn plain text or Markdown into a tree of clauses.

Headings (``#`` .. ``######``) become sections. Numbered paragraphs
(``1.``, ``1.2``, ``2)``) become paragraphs nested by their numbering, and
``(a)``, ``a)``, ``(iv)`` become sub-paragraphs of the paragraph above.
Other lines continue the clause above them. A line may end with ``{#some-id}``
to give its clause a permanent id that survives renumbering.

The parser never fails on odd input: anything it does not recognise is text.
It raises ``DocumentError`` only when the result would be unusable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.text import slugify
from django.utils.translation import gettext as _

from traceability.text import normalise_newlines

MAX_CLAUSES = 5000
MAX_LABEL = 60
MAX_HEADING = 300

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
NUMBERED = re.compile(r"^(?:(?P<a>\d{1,4}(?:\.\d{1,4})*)[.)]|(?P<b>\d{1,4}(?:\.\d{1,4})+))\s+(?P<text>.*)$")
LETTERED = re.compile(r"^(?:\((?P<a>[a-z]{1,2}|[ivxlc]{1,6})\)|(?P<b>[a-z]{1,2})\))\s+(?P<text>.*)$")
EXPLICIT_ID = re.compile(r"\s*\{#([A-Za-z][A-Za-z0-9_-]{0,79})\}\s*$")
HEADING_NUMBER = re.compile(r"^((?:\d{1,4}(?:\.\d{1,4})*|[IVXLC]{1,6})\.?)\s+(.+)$")


class DocumentError(ValueError):
    pass


@dataclass
class ParsedClause:
    kind: str
    label: str
    eid: str
    heading: str = ""
    lines: list[str] = field(default_factory=list)
    parent: ParsedClause | None = None
    depth: int = 0
    level: int = 0  # heading level for sections, numbering depth for paragraphs
    number: str = ""

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


def _split_explicit_id(line: str) -> tuple[str, str | None]:
    match = EXPLICIT_ID.search(line)
    if not match:
        return line, None
    return line[: match.start()], match.group(1).lower()


class _Builder:
    def __init__(self) -> None:
        self.clauses: list[ParsedClause] = []
        self.eids: set[str] = set()
        self.section: ParsedClause | None = None
        self.sections: list[ParsedClause] = []  # open heading stack
        self.paragraphs: list[ParsedClause] = []  # open numbering stack within the section
        self.current: ParsedClause | None = None
        self.preamble: list[str] = []
        self.section_count = 0

    def _unique(self, eid: str) -> str:
        eid = eid[:150] or "clause"
        candidate, n = eid, 2
        while candidate in self.eids:
            candidate = f"{eid}_{n}"
            n += 1
        self.eids.add(candidate)
        return candidate

    def _add(self, clause: ParsedClause, explicit: str | None) -> None:
        if len(self.clauses) >= MAX_CLAUSES:
            raise DocumentError(_("The document has more than %(max)d clauses.") % {"max": MAX_CLAUSES})
        if explicit:
            if explicit in self.eids:
                raise DocumentError(_("The id {#%(id)s} is used twice.") % {"id": explicit})
            clause.eid = explicit
            self.eids.add(explicit)
        else:
            clause.eid = self._unique(clause.eid)
        clause.depth = 0 if clause.parent is None else clause.parent.depth + 1
        self.clauses.append(clause)
        self.current = clause

    def heading(self, level: int, raw: str) -> None:
        raw, explicit = _split_explicit_id(raw)
        raw = raw.strip()
        self.section_count += 1
        match = HEADING_NUMBER.match(raw)
        if match:
            number, heading = match.group(1).rstrip("."), match.group(2)
        else:
            number, heading = "", raw
        while self.sections and self.sections[-1].level >= level:
            self.sections.pop()
        parent = self.sections[-1] if self.sections else None
        own = f"sec_{slugify(number) or self.section_count}"
        eid = f"{parent.eid}__{own}" if parent else own
        # Sections are marked with § so that "§ 1" (a section) and "1" (a paragraph) never read alike.
        label = f"§ {number}" if number else _("Section %(n)d") % {"n": self.section_count}
        clause = ParsedClause(
            kind="section",
            label=label[:MAX_LABEL],
            eid=eid,
            heading=heading[:MAX_HEADING] or label,
            parent=parent,
            level=level,
            number=number,
        )
        self._add(clause, explicit)
        self.sections.append(clause)
        self.paragraphs = []

    def numbered(self, number: str, text: str) -> None:
        text, explicit = _split_explicit_id(text)
        level = number.count(".") + 1
        # Nest under the nearest open paragraph whose number prefixes this one (1 > 1.2 > 1.2.3).
        while self.paragraphs and not (
            self.paragraphs[-1].level < level and number.startswith(self.paragraphs[-1].number + ".")
        ):
            self.paragraphs.pop()
        parent = self.paragraphs[-1] if self.paragraphs else (self.sections[-1] if self.sections else None)
        own = "para_" + number.replace(".", "-")
        section_eid = self.sections[-1].eid if self.sections else ""
        eid = f"{section_eid}__{own}" if section_eid else own
        clause = ParsedClause(
            kind="paragraph", label=number[:MAX_LABEL], eid=eid, parent=parent, level=level, number=number
        )
        clause.lines.append(text)
        self._add(clause, explicit)
        self.paragraphs.append(clause)

    def lettered(self, letter: str, text: str) -> None:
        text, explicit = _split_explicit_id(text)
        parent = self.paragraphs[-1] if self.paragraphs else (self.sections[-1] if self.sections else None)
        if parent is not None and parent.kind == "subparagraph":
            parent = parent.parent
        label = f"{parent.number or parent.label}({letter})" if parent is not None else f"({letter})"
        eid = f"{parent.eid}__subpara_{letter}" if parent is not None else f"subpara_{letter}"
        clause = ParsedClause(kind="subparagraph", label=label[:MAX_LABEL], eid=eid, parent=parent, number=label)
        clause.lines.append(text)
        self._add(clause, explicit)

    def text(self, line: str) -> None:
        if self.current is None:
            self.preamble.append(line)
        else:
            self.current.lines.append(line)


def parse_document(source: str) -> list[ParsedClause]:
    """Parse ``source`` into clauses in document order (parents before children)."""
    builder = _Builder()
    in_fence = False
    for raw_line in normalise_newlines(source).split("\n"):
        line = raw_line.rstrip()
        stripped = line.strip()
        if stripped.startswith("```") or stripped.startswith("~~~"):
            in_fence = not in_fence
            continue
        if in_fence:
            builder.text(line)
            continue
        if not stripped:
            if builder.current is not None and builder.current.lines and builder.current.lines[-1] != "":
                builder.current.lines.append("")
            continue
        if match := HEADING.match(stripped):
            builder.heading(len(match.group(1)), match.group(2))
        elif match := NUMBERED.match(stripped):
            builder.numbered(match.group("a") or match.group("b"), match.group("text"))
        elif match := LETTERED.match(stripped):
            builder.lettered(match.group("a") or match.group("b"), match.group("text"))
        else:
            # Markdown list bullets and emphasis stay as written: they are text.
            builder.text(stripped)
    if not builder.clauses:
        raise DocumentError(_("No clauses were found. Use headings (# Title) or numbered paragraphs (1., 1.2, (a))."))
    text_before = "\n".join(builder.preamble).strip()
    if text_before:
        # Text before the first clause (a title, recitals) is kept, never dropped.
        label = _("Preamble")
        preamble = ParsedClause(kind="section", label=label, eid=builder._unique("preamble"), heading=label)
        preamble.lines = builder.preamble
        builder.clauses.insert(0, preamble)
    return builder.clauses

"""The disposition of comments as a spreadsheet, in the layout standards bodies use.

One row per submission, like the ISO/IEC comment template and the W3C disposition of
comments: who commented (stakeholder group), on which clause, the comment and the change
proposed, the decision and the reason or how it was reflected. openpyxl's write-only mode
writes rows to disk as they come, so memory stays constant; the file is built in a
temporary file that the response streams and then deletes.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from traceability.consultations import content_languages
from traceability.consultations.models import SubmissionStatus
from traceability.dispositions.models import ExclusionGround, Extent

from .mapping import COLUMNS, FORMULA_TRIGGERS, Row

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 1_048_576  # per worksheet, header included (Excel's limit); more comments continue on a new sheet
MAX_CELL = 32_767  # characters per cell (Excel's limit)
WIDTHS = (16, 22, 24, 70, 50, 18, 60, 16)
WRAPPED = (False, False, True, True, True, False, True, False)  # long cells wrap; all align to the top
_at = {name: index for index, name in enumerate(COLUMNS)}


def headers() -> list[str]:
    return [
        _("Reference"),
        _("Stakeholder group"),
        _("Clause"),
        _("Comment"),
        _("Proposed change"),
        _("Decision"),
        _("Reason / how reflected"),
        _("Language of the comment"),
    ]


class Words:
    """The sheet's fixed wording, translated once per workbook rather than once per row."""

    def __init__(self) -> None:
        self.full, self.partial = _("Reflected fully"), _("Reflected partly")
        self.decision = {
            SubmissionStatus.EXCLUDED: _("Excluded"),
            SubmissionStatus.NOT_TAKEN_UP: _("Considered, not taken up"),
            SubmissionStatus.PENDING: _("Pending"),
            SubmissionStatus.WITHDRAWN: _("Withdrawn"),
            SubmissionStatus.NEEDS_RECONFIRMATION: _("Needs re-confirmation"),
        }
        self.extent = {value: str(label) for value, label in Extent.choices}
        self.ground = {value: str(label) for value, label in ExclusionGround.choices}
        self.reflected_in = _("Reflected in: %(clauses)s")
        self.withdrawn_on = _("Withdrawn by its author on %(date)s.")
        self.awaiting = _("Awaiting a decision.")
        self.withheld = _("Withheld: excluded, and not republished.")
        self.reconfirming = _("Reflected in clauses that changed in a later version; being re-confirmed.")
        self.languages: dict[str, str] = {}

    def language(self, code: str | None) -> str:
        if not code:
            return ""
        if code not in self.languages:
            self.languages[code] = content_languages.name(code) or code
        return self.languages[code]


def _comment(links: list[Row], words: Words) -> list[str]:
    first = links[0]
    status = first[_at["status"]]
    target = first[_at["target_clause"]]
    labels = [row[_at["clause_label"]] for row in links if row[_at["clause_label"]]]
    clause = "\n".join(
        ([target] if target else []) + ([words.reflected_in % {"clauses": ", ".join(labels)}] if labels else [])
    )
    if status == SubmissionStatus.REFLECTED:
        decision = words.full if first[_at["extent"]] == Extent.FULL else words.partial
        lines = []
        for row in links:
            line = f"{row[_at['clause_label']]} ({words.extent[row[_at['link_extent']]]})"
            note = row[_at["link_note"]]
            lines.append(f"{line}: {note}" if note else line)
        reason = "\n".join(lines)
    else:
        decision = words.decision[status]
        if status == SubmissionStatus.EXCLUDED:
            reason = f"{words.ground[first[_at['ground']]]}: {first[_at['citation_or_justification']]}"
        elif status == SubmissionStatus.NOT_TAKEN_UP:
            reason = first[_at["citation_or_justification"]] or ""
        elif status == SubmissionStatus.WITHDRAWN:
            reason = words.withdrawn_on % {"date": first[_at["withdrawn_at"]][:10]}
        elif status == SubmissionStatus.NEEDS_RECONFIRMATION:
            reason = words.reconfirming
        else:
            reason = words.awaiting
    return [
        first[_at["reference"]],
        first[_at["stakeholder_group"]],
        clause,
        words.withheld if first[_at["withheld"]] else (first[_at["text"]] or ""),
        first[_at["proposed_change"]] or "",
        decision,
        reason,
        words.language(first[_at["language"]]),
    ]


def comment_rows(rows: Iterable[Row]) -> Iterator[list[str]]:
    """One spreadsheet row per submission, from the mapping rows (which come ordered by submission)."""
    words = Words()
    for _reference, links in itertools.groupby(rows, key=lambda row: row[_at["reference"]]):
        yield _comment(list(links), words)  # one submission's clause links: a handful


class Styles:
    """Prototype styles of one workbook, copied into each cell (setting a style per cell is slow)."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        def style(*, wrap: bool, quote: bool = False, bold: bool = False) -> StyleArray:
            cell = WriteOnlyCell(sheet)
            cell.alignment = Alignment(wrap_text=wrap, vertical="top")
            cell.font = Font(bold=bold)
            cell.quotePrefix = quote
            return cell._style

        self.header = style(wrap=True, bold=True)
        self.plain = {wrap: style(wrap=wrap) for wrap in (False, True)}
        self.quoted = {wrap: style(wrap=wrap, quote=True) for wrap in (False, True)}


def _cell(sheet: WriteOnlyWorksheet, value: str, style: StyleArray, quoted: StyleArray) -> Cell:
    """A text cell that stays text: never a formula or an error code, whatever it begins with."""
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if len(value) > MAX_CELL:
        value = value[: MAX_CELL - 1] + "…"
    # A formula-like text also gets Excel's quote prefix, so that it stays text even when the cell is edited.
    cell = Cell(
        sheet, row=1, column=1, value=value, style_array=quoted if value.startswith(FORMULA_TRIGGERS) else style
    )
    cell.data_type = "s"  # openpyxl would make "=…" a formula and "#N/A" an error
    return cell


def _new_sheet(book: Workbook, number: int) -> tuple[WriteOnlyWorksheet, Styles]:
    title = _("Disposition of comments")[:24]
    sheet = book.create_sheet(title if number == 1 else f"{title} ({number})")
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    styles = Styles(sheet)
    sheet.append([_cell(sheet, header, styles.header, styles.header) for header in headers()])
    return sheet, styles


def write_workbook(rows: Iterable[Row], out: IO[bytes], *, title: str = "", max_rows: int = MAX_ROWS) -> int:
    """Write the disposition of comments for ``rows`` to ``out``; return the number of comments."""
    book = Workbook(write_only=True)
    book.properties.title = title
    sheets, written = 1, 0
    (sheet, styles), room = _new_sheet(book, sheets), max_rows - 1
    for values in comment_rows(rows):
        if not room:
            sheets += 1
            (sheet, styles), room = _new_sheet(book, sheets), max_rows - 1
        sheet.append(
            [
                _cell(sheet, value, styles.plain[wrap], styles.quoted[wrap])
                for value, wrap in zip(values, WRAPPED, strict=True)
            ]
        )
        room -= 1
        written += 1
    book.save(out)
    return written


def workbook_file(rows: Iterable[Row], *, title: str = "") -> IO[bytes]:
    """The spreadsheet in an anonymous temporary file, rewound; closing it deletes it."""
    out = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        write_workbook(rows, out, title=title)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out

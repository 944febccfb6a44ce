"""Reading a spreadsheet as a vendor's office writes it: CSV in UTF-8 (with or without a
byte-order mark), UTF-16 or Windows-1252, separated by commas, semicolons (Excel in
Switzerland) or tabs; or an Excel workbook (XLSX, its first sheet).

Every row keeps its line number in the file, so that each error names its line and column.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from palier.lib.errors import DomainError
from palier.lib.words import words as _  # said again in each reader's language

XLSX_MAGIC = b"PK\x03\x04"
DELIMITERS = (";", ",", "\t")
# The line ends an editor breaks lines at: CR alone is an old Mac's. (Not str.splitlines,
# which also breaks at U+2028, U+0085 and others a JSON or CSV cell may hold.)
LINE_END = re.compile(r"\r\n|\r|\n")
LINE_END_BYTES = re.compile(rb"\r\n|\r|\n")
# A cell larger than this is refused rather than read (csv's own limit is 128 KiB).
CELL_LIMIT = 1_000_000


class UnreadableFile(DomainError):
    code = "unreadable_file"
    status = 422


@dataclass(frozen=True)
class BadCell:
    """A workbook cell that holds no value to import (a formula Excel never computed, or an
    error such as #N/A); the engine makes it a problem on its row. Its message says why."""

    message: str

    def __str__(self) -> str:
        return str(self.message)


def _formula_without_value() -> BadCell:
    return BadCell(
        _(
            "A formula without a value: open and save the file in Excel, or write the value "
            "instead of the formula."
        )
    )


def _error_cell(code: object) -> BadCell:
    return BadCell(
        _("The cell shows the Excel error %(error)s: correct it or write the value.")
        % {"error": str(code)[:20]}
    )


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list[object]]]  # (line in the file, cells)
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read in."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding), encoding
    encoding = encoding_of_lines(LINE_END_BYTES.split(data))
    return data.decode(encoding), "windows-1252" if encoding == "cp1252" else encoding


def encoding_of_lines(lines: Iterable[bytes]) -> str:
    """The codec of a whole file without byte-order mark, told from every line (split at
    CR or LF, bytes neither encoding uses inside a character): "utf-8"
    when each line reads as UTF-8 text, "cp1252" when none of its non-ASCII lines does. A
    line valid as UTF-8 only by chance (Windows-1252's "NESTLÉ®" is UTF-8's "NESTLɮ") reads
    in the encoding of the others, Windows-1252 when it has no others. A file whose lines
    mix both (rows pasted from two sources) is refused, naming a line of each, before a row
    is read; so is a file with a byte Windows-1252 leaves undefined (no text we know)."""
    first: dict[str, int] = {}
    either = False
    for number, raw in enumerate(lines, start=1):
        if raw.isascii():
            continue
        encoding = _line_encoding(raw)
        if not encoding:
            either = True
            continue
        first.setdefault(encoding, number)
        if len(first) > 1:
            other = next(e for e in first if e != encoding)
            raise UnreadableFile(
                _(
                    "Line %(line)s is written in %(encoding)s, but line %(other)s in "
                    "%(other_encoding)s: the file mixes two encodings (rows pasted from two "
                    "sources?). Save the whole file as CSV UTF-8."
                )
                % {
                    "line": number,
                    "encoding": ENCODING_NAMES[encoding],
                    "other": first[other],
                    "other_encoding": ENCODING_NAMES[other],
                }
            )
    return next(iter(first), "cp1252" if either else "utf-8")


ENCODING_NAMES = {"utf-8": "UTF-8", "cp1252": "Windows-1252"}
# What a Windows-1252 line valid as UTF-8 by chance reads as there, and no text holds: C1
# control characters ("Â€"), the end of Latin Extended-B, IPA letters and spacing modifiers
# (an accented capital before a symbol: "É®", "É…", "Ë–"), private use.
_NOT_TEXT = re.compile("[\x80-\x9f\u0240-\u02ff\ue000-\uf8ff]")


def _line_encoding(raw: bytes) -> str:
    """The encoding a non-ASCII line is written in: "utf-8" or "cp1252"; "" when it is
    Windows-1252 text and valid UTF-8 only by chance (either may be the file's)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        if text is None:
            raise not_text() from exc
        return "utf-8"  # only UTF-8 reads it
    if text is None:
        return "cp1252"
    return "" if _NOT_TEXT.search(text) else "utf-8"


def not_text() -> UnreadableFile:
    """The refusal of a file that is neither UTF-8 nor Windows-1252 text."""
    return UnreadableFile(
        _("The file is neither UTF-8 nor Windows-1252 text: save it as CSV UTF-8.")
    )


def csv_records(reader, *, offset: int = 0) -> Iterator[tuple[int, list[str]]]:
    """Each record of a strict `csv.reader` with the line it starts on: a quoted cell may
    run over several lines, and `line_num` is where the record ends (`offset`: lines read
    apart before the reader). A record csv cannot read refuses the file, naming its line."""
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise csv_refusal(exc, start + offset) from exc
        yield start + offset, cells
        start = reader.line_num + 1


def csv_refusal(exc: csv.Error, line: int) -> UnreadableFile:
    """csv's own error (English, about its internals) said as what to fix in the file."""
    error = str(exc)
    if "unexpected end of data" in error:
        return UnreadableFile(
            _(
                "The file ends inside a quoted cell: the quote opened on line %(line)s is "
                'never closed. Close it, or write a quote inside a cell twice ("").'
            )
            % {"line": line}
        )
    if "field larger than field limit" in error:
        return UnreadableFile(
            _(
                "A cell from line %(line)s on is longer than %(limit)s characters: is a quote "
                "opened there never closed?"
            )
            % {"line": line, "limit": CELL_LIMIT}
        )
    return UnreadableFile(
        _(
            "Line %(line)s is not valid CSV: a quoted cell must end with its quote, and a quote "
            'inside a cell is written twice ("").'
        )
        % {"line": line}
    )


def first_line(text: str) -> str:
    """The header line, whatever ends it (CR alone in files of old Macs)."""
    return LINE_END.split(text, maxsplit=1)[0]


def sniff_delimiter(first_line: str) -> str:
    """The separator of the header line: the one that splits it into the most columns
    (outside quotes); a single column reads as comma-separated."""
    counts = {}
    for delimiter in DELIMITERS:
        try:
            row = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:  # a quote left open in the header: it splits nothing
            row = []
        counts[delimiter] = len(row)
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] > 1 else ","


def read_csv(data: bytes) -> Table:
    text, encoding = decode(data)
    if "\x00" in text:
        raise UnreadableFile(_("The file holds binary data; is it really a CSV file?"))
    delimiter = sniff_delimiter(first_line(text))
    csv.field_size_limit(CELL_LIMIT)
    # strict: a file ending inside a quote is refused, not read as one last huge cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records = csv_records(reader)
    _line, headers = next(records, (0, None))
    if headers is None:
        raise UnreadableFile(_("The file is empty."))

    def rows() -> Iterator[tuple[int, list[object]]]:
        for line, cells in records:
            if any(c.strip() for c in cells):
                yield line, list(cells)

    return Table(
        headers=[h.strip() for h in headers],
        rows=rows(),
        encoding=encoding,
        delimiter=delimiter,
    )


def _xlsx_cell(cell, formula) -> object:
    """A cell's saved value; a formula with no saved value, or an error, is a `BadCell`."""
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "e":
        return _error_cell(value)
    if value is None and getattr(formula, "data_type", None) == "f":
        return _formula_without_value()
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")


def _has_formulas(data: bytes) -> bool:
    """Whether a worksheet of the workbook holds a formula element (`<f>`), read from its
    XML without parsing it; True when that cannot be told."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return any(
                _FORMULA.search(archive.read(name))
                for name in archive.namelist()
                if name.startswith("xl/worksheets/") and name.endswith(".xml")
            )
    except (zipfile.BadZipFile, KeyError, OSError):
        return True


def read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        # The same sheet with its formulas: a formula's value is saved only by the program
        # that computed it, and one never computed must not read as an empty cell. Read
        # only when a sheet holds a formula at all (most exports hold none).
        formulas = (
            load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            if _has_formulas(data)
            else None
        )
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise UnreadableFile(
            _("The workbook cannot be read: is it an Excel file (.xlsx)?")
        ) from exc
    values = workbook.worksheets[0].iter_rows()
    formula_rows = formulas.worksheets[0].iter_rows() if formulas else iter(())
    try:
        header_row = next(values)
        next(formula_rows, None)
    except StopIteration:
        raise UnreadableFile(_("The file is empty.")) from None
    headers = ["" if h.value is None else str(h.value).strip() for h in header_row]

    def rows() -> Iterator[tuple[int, list[object]]]:
        for line, row in enumerate(values, start=2):
            with_formulas = next(formula_rows, ())
            cells = [
                _xlsx_cell(cell, with_formulas[i] if i < len(with_formulas) else None)
                for i, cell in enumerate(row)
            ]
            if any(c not in (None, "") and str(c).strip() for c in cells):
                yield line, cells
        workbook.close()
        if formulas:
            formulas.close()

    return Table(headers=headers, rows=rows(), encoding="xlsx")


def read_table(data: bytes, filename: str = "") -> Table:
    """A CSV or XLSX file as a table; the format is told by its content, not its name."""
    if not data:
        raise UnreadableFile(_("The file is empty."))
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        return read_xlsx(data)
    return read_csv(data)

"""Files as offices save them: encodings, separators, workbooks."""

from __future__ import annotations

import codecs
import datetime as dt
import io

import pytest
from openpyxl import Workbook

from palier.imports.files import UnreadableFile, read_table

# "–" and "€" are where Windows-1252 and Latin-1 differ: a file read as the wrong one fails.
ROWS = [["Kundennummer", "Name", "Ort"], ["10042", "Käserei Zürich AG – 5 €", "Zürich"]]


def _csv(delimiter: str = ",") -> str:
    return "\r\n".join(delimiter.join(r) for r in ROWS) + "\r\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (_csv().encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + _csv().encode("utf-8"), "utf-8-sig"),
        (_csv().encode("cp1252"), "windows-1252"),
        (_csv("\t").encode("utf-16"), "utf-16"),
    ],
)
def test_every_encoding_an_office_saves_reads_the_same(data, encoding):
    table = read_table(data, "customers.csv")
    assert table.encoding == encoding
    assert table.headers == ROWS[0]
    assert list(table.rows) == [(2, ROWS[1])]


def test_semicolons_as_excel_writes_them_in_switzerland():
    table = read_table(_csv(";").encode("cp1252"), "kunden.csv")
    assert table.delimiter == ";" and list(table.rows) == [(2, ROWS[1])]


def test_a_quoted_cell_keeps_its_separators_and_line_breaks():
    data = b'Name;Description\n"Muster; AG";"line one\nline two"\nNext;x\n'
    rows = list(read_table(data).rows)
    assert rows == [(2, ["Muster; AG", "line one\nline two"]), (4, ["Next", "x"])]


def test_a_workbook_is_read_by_its_content_with_its_own_dates():
    book = Workbook()
    sheet = book.active
    sheet.append(["Contract number", "Start", "Hourly rate (CHF)"])
    sheet.append(["MC-1", dt.datetime(2026, 1, 1), 185.5])
    sheet.append([None, None, None])
    sheet.append(["MC-2", "31.12.2026", "1'200.00"])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue(), "upload.bin")
    assert table.encoding == "xlsx"
    assert list(table.rows) == [
        (2, ["MC-1", dt.date(2026, 1, 1), 185.5]),
        (4, ["MC-2", "31.12.2026", "1'200.00"]),
    ]


def test_binary_or_empty_files_are_a_clear_error():
    with pytest.raises(UnreadableFile):
        read_table(b"")
    with pytest.raises(UnreadableFile):
        read_table(b"\x00\x01\x02binary", "x.csv")
    with pytest.raises(UnreadableFile):
        read_table(b"PK\x03\x04not really a workbook", "x.xlsx")


def test_a_formula_without_its_value_or_an_error_cell_is_a_bad_cell_not_an_empty_one():
    from palier.imports.files import BadCell

    book = Workbook()
    sheet = book.active
    sheet.append(["Customer number", "Name", "City"])
    sheet.append(["C-1", '=CONCAT("Fo","rmula")', "Bern"])  # openpyxl saves no value
    for code in ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!"):
        sheet.append(["C-2", "Error AG", code])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = list(read_table(buffer.getvalue(), "customers.xlsx").rows)
    assert [type(cells[1]) for _line, cells in rows][:1] == [BadCell]
    assert "formula without a value" in str(rows[0][1][1])
    assert all(isinstance(cells[2], BadCell) for _line, cells in rows[1:])
    assert [line for line, _cells in rows] == list(range(2, 10))


@pytest.mark.parametrize(
    "data",
    [
        b'Customer number,Name\nC-1,Good AG\nC-2,"Unterminated AG\nC-3,Lost AG\nC-4,Also lost\n',
        b'Customer number;Name\r\nC-1;Good AG\r\nC-2;"Unterminated AG\r\nC-3;Lost AG\r\n',
    ],
)
def test_a_file_ending_inside_a_quote_is_refused_with_the_line_where_the_quote_opened(data):
    with pytest.raises(UnreadableFile) as refused:
        list(read_table(data, "customers.csv").rows)
    assert "line 3" in refused.value.message and "quote" in refused.value.message


def test_a_cell_larger_than_the_limit_is_refused_in_words_not_in_csv_s_own():
    data = b'Customer number,Name\nC-1,"' + b"x" * 1_000_001 + b'"\n'
    with pytest.raises(UnreadableFile) as refused:
        list(read_table(data, "customers.csv").rows)
    assert "field limit" not in refused.value.message and "line 2" in refused.value.message


def test_an_old_mac_file_ending_its_lines_with_cr_alone_reads_as_any_other():
    table = read_table(b"Customer number,Name\rC-9407,Old Mac\rC-9408,Other\r", "mac.csv")
    assert table.headers == ["Customer number", "Name"] and table.delimiter == ","
    assert list(table.rows) == [(2, ["C-9407", "Old Mac"]), (3, ["C-9408", "Other"])]


def test_a_record_over_several_lines_is_named_by_the_line_it_starts_on():
    data = b'Customer number,Name,Language\nC-1,"Multi\nline\nname",xx\n\nC-2,Ok,yy\n'
    table = read_table(data, "c.csv")
    assert [line for line, _cells in table.rows] == [2, 6]


def test_a_workbook_is_read_a_second_time_for_its_formulas_only_when_it_holds_one():
    import io

    from openpyxl import Workbook

    from palier.imports.files import _has_formulas

    def saved(*cells) -> bytes:
        book = Workbook()
        book.active.append(list(cells))
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    assert not _has_formulas(saved("Name", "Käserei <f> AG", 3))  # text is escaped, no formula
    assert _has_formulas(saved("Name", "=1+2"))
    assert _has_formulas(b"not a zip")  # cannot tell: read it


def test_a_file_with_a_byte_windows_1252_leaves_undefined_is_refused_in_words():
    data = "Kundennummer;Name\r\n10042;Käserei \x81 AG\r\n".encode("latin-1")
    with pytest.raises(UnreadableFile) as refused:
        read_table(data, "kunden.csv")
    assert "neither UTF-8 nor Windows-1252" in refused.value.message


def test_each_csv_record_comes_with_the_line_it_starts_on():
    import csv

    from palier.imports.files import csv_records

    text = 'a,b\n1,"two\nlines"\n\n3,x\n'
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    assert list(csv_records(reader, offset=10)) == [
        (11, ["a", "b"]), (12, ["1", "two\nlines"]), (14, []), (15, ["3", "x"])
    ]  # fmt: skip


def test_a_utf8_file_with_one_windows_1252_line_is_refused_naming_that_line():
    data = (
        "Customer number,Name,City\nM-1,Horlogerie Genève SA,Genève\n".encode()
        + "M-2,Bäckerei Zürich,Zürich\n".encode("cp1252")
    )
    with pytest.raises(UnreadableFile) as refused:
        read_table(data, "customers.csv")
    assert "Line 3 " in refused.value.message


def test_a_windows_1252_file_with_a_line_of_utf8_is_refused_naming_that_line():
    data = (
        "Customer number,Name\nM-1,Bäckerei Zürich\n".encode("cp1252")
        + "M-2,Horlogerie Genève SA\n".encode()
    )
    with pytest.raises(UnreadableFile) as refused:
        read_table(data, "customers.csv")
    assert "Line 3 " in refused.value.message


@pytest.mark.parametrize(
    "names",
    [
        ["Bäckerei Zürich", "NESTLÉ® Suisse"],  # "É®" is also UTF-8's "ɮ"
        ["NESTLÉ® Suisse", "Bäckerei Zürich"],
        ["NESTLÉ® Suisse", "CAFÉ… Genève"],  # its only accents: "ɮ" and "Ʌ" in UTF-8
        ["Prix Â€ 5"],  # "Â€" is UTF-8's control character U+0080
    ],
)
def test_a_windows_1252_line_that_is_valid_utf8_by_chance_is_read_in_the_files_encoding(names):
    lines = ["Customer number,Name", *(f"M-{n},{name}" for n, name in enumerate(names))]
    table = read_table(("\n".join(lines) + "\n").encode("cp1252"), "customers.csv")
    assert table.encoding == "windows-1252"
    assert [cells[1] for _line, cells in table.rows] == names


def test_a_line_that_reads_as_utf8_text_in_a_windows_1252_file_is_refused_naming_both_lines():
    # "Ã©" in Windows-1252 is "é" in UTF-8: pasted from a UTF-8 file, or written so on
    # purpose, only its writer knows; saved as CSV UTF-8, the file reads as they see it.
    data = "Customer number,Name\nM-1,CafÃ© du Lac\nM-2,Bäckerei Zürich\n".encode("cp1252")
    with pytest.raises(UnreadableFile) as refused:
        read_table(data, "customers.csv")
    assert refused.value.message == (
        "Line 3 is written in Windows-1252, but line 2 in UTF-8: the file mixes two "
        "encodings (rows pasted from two sources?). Save the whole file as CSV UTF-8."
    )


def test_a_file_with_old_mac_line_ends_names_the_lines_an_editor_shows():
    data = "Customer number,Name\rM-1,Bäckerei Zürich\rM-2,Berg\r".encode("cp1252")
    with pytest.raises(UnreadableFile) as refused:
        read_table(data + "M-3,Genève\r".encode(), "customers.csv")
    assert refused.value.message.startswith("Line 4 is written in UTF-8, but line 2 in ")


def test_a_utf8_file_whose_line_reads_oddly_in_utf8_is_still_read_as_utf8():
    # "ʼ" (U+02BC, a modifier apostrophe) is also Windows-1252's "Ê¼": among UTF-8 lines it
    # is UTF-8's, not a line of another encoding.
    names = ["Café du Lac", "Ngʼaru Ltd"]
    lines = ["Customer number,Name", *(f"M-{n},{name}" for n, name in enumerate(names))]
    table = read_table(("\n".join(lines) + "\n").encode(), "customers.csv")
    assert table.encoding == "utf-8"
    assert [cells[1] for _line, cells in table.rows] == names

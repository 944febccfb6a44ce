"""Tables a spreadsheet opens safely: CSV text that would run is quoted, XLSX text is text."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook

from palier.lib.spreadsheet import csv_bytes, safe_text, xlsx_bytes

ATTACK = '=HYPERLINK("http://evil.example","x")'


def test_a_csv_cell_that_would_run_is_quoted_and_a_number_is_not():
    assert safe_text(ATTACK) == "'" + ATTACK
    assert safe_text("@SUM(A1)") == "'@SUM(A1)" and safe_text("+41 44 000") == "'+41 44 000"
    assert safe_text("-12.50") == "-12.50" and safe_text(None) == ""
    assert (
        csv_bytes([["a", ATTACK]]).decode("utf-8-sig").splitlines()[0]
        == f'a,"\'{ATTACK.replace(chr(34), 2 * chr(34))}"'
    )


def test_an_xlsx_text_cell_is_stored_as_text_and_reads_as_written():
    data = xlsx_bytes([("Sheet", [["name", "hours"], [ATTACK, 1.5], ["-12.50", True]])])
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml  # no formula anywhere
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == ATTACK and sheet["B2"].value == 1.5
    assert sheet["A3"].value == "-12.50" and sheet["B3"].value == "True"

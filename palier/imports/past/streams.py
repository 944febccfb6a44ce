"""Opening a large export as text without reading it all into memory."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from typing import BinaryIO

from palier.imports.files import CELL_LIMIT, UnreadableFile, csv_records
from palier.lib.words import words as _  # said again in each reader's language

SNIFF = 1 << 20


def open_text(binary: BinaryIO) -> tuple[io.TextIOWrapper, str]:
    """A text stream over `binary` and the encoding chosen from its first megabyte: a
    byte-order mark, else UTF-8 if that much reads as UTF-8, else Windows-1252."""
    head = binary.read(SNIFF)
    binary.seek(0)
    if not head:
        raise UnreadableFile(_("The file is empty."))
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    return io.TextIOWrapper(binary, encoding=encoding, newline=""), encoding


def check_structure(binary: BinaryIO, *, delimiter_of: Callable[[str], str] | None = None) -> None:
    """Read every CSV record of a file for its structure alone (its quotes), then rewind it:
    a record csv cannot read refuses the file before an import writes its first batch, not
    after. `delimiter_of`: the header is read apart, and gives the separator (else commas).
    The header itself, and text that stops being readable, are left to the reader, which
    says what is wrong with them in its own words."""
    text, _encoding = open_text(binary)
    csv.field_size_limit(CELL_LIMIT)
    try:
        if delimiter_of is not None:
            head = text.readline()
            reader = csv.reader(text, delimiter=delimiter_of(head), strict=True)
            records = csv_records(reader, offset=1)
        else:
            records = csv_records(csv.reader(text, strict=True))
            try:
                next(records)
            except (StopIteration, UnreadableFile):
                return
        for _record in records:
            pass
    except UnicodeDecodeError:
        pass
    finally:
        text.detach()  # the wrapper must not close the file when it goes
        binary.seek(0)

"""Opening a large export as text without reading it all into memory."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from typing import BinaryIO

from palier.imports.files import (
    CELL_LIMIT,
    LINE_END_BYTES,
    UnreadableFile,
    csv_records,
    encoding_of_lines,
)
from palier.lib.words import words as _  # said again in each reader's language

CHUNK = 1 << 20


def open_text(binary: BinaryIO) -> tuple[io.TextIOWrapper, str]:
    """A text stream over `binary` and its encoding: a byte-order mark's, else the one every
    line of the whole file reads in (a first pass over it, a megabyte at a time), so that
    a Windows-1252 file whose first accent comes late is read whole, and a file mixing two
    encodings is refused before anything is imported."""
    head = binary.read(len(codecs.BOM_UTF8))
    binary.seek(0)
    if not head:
        raise UnreadableFile(_("The file is empty."))
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        try:
            encoding = encoding_of_lines(_lines(binary))
        finally:
            binary.seek(0)
    return io.TextIOWrapper(binary, encoding=encoding, newline=""), encoding


def _lines(binary: BinaryIO) -> Iterator[bytes]:
    """The file's lines as bytes (split at CR, LF or both, as an editor shows them), read a
    megabyte at a time."""
    rest = b""
    while chunk := binary.read(CHUNK):
        text = rest + chunk
        # A CR at the end may be the first half of a CRLF the next read completes.
        held = text.endswith(b"\r")
        lines = LINE_END_BYTES.split(text[:-1] if held else text)
        rest = lines.pop() + (b"\r" if held else b"")
        yield from lines
    yield from LINE_END_BYTES.split(rest)


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

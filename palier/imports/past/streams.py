"""Opening a large export as text without reading it all into memory."""

from __future__ import annotations

import codecs
import io
from typing import BinaryIO

from palier.imports.files import UnreadableFile
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

"""A notification's bytes written out directly (mime.py) are those the `email` package
writes (`build(...).as_bytes()`), byte for byte, for every kind of input."""

from __future__ import annotations

import random
import string

import pytest
from django.test import override_settings

from palier.mailgateway.outbound import Mail, build, build_bytes, one_line

DATE = "Sun, 06 Dec 2026 20:04:41 +0000"
MESSAGE_ID = "<176508148123.4242.1234567890123456789@palier.localhost>"

LONG_LINE = "Ligne très longue " * 12
PARAGRAPHS = [
    ["We received your request “Printer broken”.", "Its reference is PAL-2026-00012."],
    ["plain ascii only"],
    [LONG_LINE],
    ["x" * 200],
    ["From the start", "From here", ">From", "."],
    ["ünïcödé " * 30, "Ελληνικά и русский 日本語"],
    ["<b>bold</b> & \"quotes\" 'single' <script>alert(1)</script>"],
    ["a\nb\r\nc\rd", "\t tabs and trailing spaces   "],
    ["=?utf-8?q?x?= encoded-looking", "--===============0000000000000000000==--"],
    [""],
]
NAMES = [
    "Anne Muller",
    "Anne Müller",
    "",
    "J. Smith",
    'Quote "Me"',
    "O'Brien",
    "a,b",
    "Name (comment)",
    "x" * 90,
    "Hello\r\nBcc: victim@example.com",
    "李 小龙",
    "Jean-Luc Picard",
]
ADDRESSES = [
    "anne@example.com",
    "anne.muller+tag@sub.example.ch",
    "ANNE_M-1@EXAMPLE.COM",
    "x" * 60 + "@example.com",
]
SUBJECTS = [
    "[PAL-2026-00012] Printer broken",
    "[PAL-2026-00012] Imprimante en panne – écran noir",
    "[PAL-2026-00012] " + "long subject words " * 8,
    "[PAL-2026-00012] " + "x" * 120,
    "[PAL-2026-00012] =?utf-8?q?C=C3=A9?= looks encoded",
    "[PAL-2026-00012]",
    "",
    'Re: (urgent) "quoted" a\\b <c@d> [e]',
    "a  double  space",
    " leading and trailing ",
]
THREADS = [
    ("", []),
    ("<a@b>", ["<a@b>"]),
    ("<c@d>", ["<a@b>", "<c@d>"]),
    ("<x" * 40 + "@example.com>", [f"<r{i}.long.message.id@mail.example.com>" for i in range(14)]),
    ("<é@example.com>", ["<é@example.com>"]),
    ("not-an-id", ["not-an-id", "<ok@x>"]),
]


def _same(mail: Mail, seed: int) -> bytes:
    """Both give the same bytes, or both refuse the mail with the same error."""
    random.seed(seed)
    try:
        expected = build(mail, MESSAGE_ID, DATE).as_bytes()
    except Exception as exc:  # noqa: BLE001 - compared with the other builder's
        with pytest.raises(type(exc)):
            build_bytes(mail, MESSAGE_ID, DATE)
        return b""
    random.seed(seed)
    got = build_bytes(mail, MESSAGE_ID, DATE)
    assert got == expected
    return got


def _mail(**kwargs) -> Mail:
    values = {
        "kind": "created",
        "to_address": "anne@example.com",
        "to_name": "Anne Muller",
        "language": "en",
        "subject": "[PAL-2026-00012] Printer broken",
        "paragraphs": ["We received your request."],
        "reference": "PAL-2026-00012",
        "link": "http://localhost:8000/portal/requests/12/",
        "in_reply_to": "<first@example.com>",
        "references": ["<first@example.com>"],
        **kwargs,
    }
    values["subject"] = one_line(values["subject"], 200)  # as queue() does
    return Mail(**values)


@pytest.mark.parametrize("language", ["en", "fr", "de", "it"])
@pytest.mark.parametrize("paragraphs", PARAGRAPHS)
def test_bodies_in_every_language(paragraphs, language):
    _same(_mail(paragraphs=paragraphs, language=language, quote=paragraphs[0]), 1)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("address", ADDRESSES)
def test_names_and_addresses(name, address):
    _same(_mail(to_name=name, to_address=address), 2)


@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize(("in_reply_to", "references"), THREADS)
def test_subjects_and_threads(subject, in_reply_to, references):
    _same(_mail(subject=subject, in_reply_to=in_reply_to, references=references), 3)


@pytest.mark.parametrize("reference", ["", "PAL-2026-00012", "PAL-2026-" + "9" * 60])
@pytest.mark.parametrize("link", ["", "http://localhost:8000/portal/requests/12/"])
def test_reply_addresses_and_links(reference, link):
    _same(_mail(reference=reference, link=link), 4)


@pytest.mark.parametrize(
    ("vendor", "sender"),
    [
        ("Palier Software SA", "support@palier.localhost"),
        ("Société Générale", "a@b.ch"),
        ("", "x@y"),
    ],
)
def test_senders(vendor, sender):
    with override_settings(PALIER_VENDOR_NAME=vendor, DEFAULT_FROM_EMAIL=sender):
        _same(_mail(), 5)


def test_every_printable_ascii_character_in_every_header():
    for ch in string.printable:
        for text in (f"a{ch}b", f"{ch}x", f"x {ch}", f"[PAL-1] x{ch}{ch}y z"):
            _same(_mail(subject=text, to_name=one_line(text), in_reply_to=text), ord(ch))
            _same(_mail(to_address=f"a{ch}b@example.com", references=[text, "<a@b>"]), 7)


def test_random_inputs():
    rng = random.Random(12)
    alphabet = string.ascii_letters + string.digits + " -_.,;:()<>[]@\"'=?é–ü\n"
    for i in range(300):

        def word(n, rng=rng):
            return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, n)))

        _same(
            _mail(
                subject=word(100),
                to_name=one_line(word(30)),
                paragraphs=[word(120) for _ in range(rng.randint(0, 4))],
                quote=word(200),
                in_reply_to=word(40),
                references=[word(40) for _ in range(rng.randint(0, 12))],
                language=rng.choice(["en", "fr", "de", "it"]),
            ),
            i,
        )


def test_a_line_break_in_a_header_is_refused_by_both():
    mail = _mail(subject="Hello\nBcc: victim@example.com")
    mail.subject = "Hello\nBcc: victim@example.com"  # not through one_line
    with pytest.raises(ValueError):
        build(mail, MESSAGE_ID, DATE).as_bytes()
    with pytest.raises(ValueError):
        build_bytes(mail, MESSAGE_ID, DATE)


def test_the_usual_acknowledgement_parses_no_header(monkeypatch):
    """ASCII names and subjects, our Message-IDs and addresses: no header goes through the
    package's parsing (the point of mime.py; the tests above check the bytes)."""
    from palier.mailgateway import mime

    folded = []
    monkeypatch.setattr(mime, "_folded", lambda *args: folded.append(args))
    build_bytes(_mail(), MESSAGE_ID, DATE)
    assert folded == []

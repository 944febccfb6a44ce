"""The committed gettext catalogues (palier/locale): complete, faithful and compiled.

The .po files are read with a small reader of our own (no new dependency); the .mo files
with Python's gettext, the way Django reads them at run time.
"""

from __future__ import annotations

import ast
import gettext
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from palier.testing.factories import make_ticket

LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = ["fr", "de", "it"]
# Python %-format with a name (and a width or precision), %%, and str.format fields.
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[-+ #0]*\d*(?:\.\d+)?[sdfi]|%%|\{[a-z_]*\}")


@dataclass
class Entry:
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # -1: a singular entry's msgstr
    obsolete: bool = False

    @property
    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def read_po(path: Path) -> list[Entry]:
    """Parse a .po file into entries (header included, as the entry whose msgid is "")."""
    entries: list[Entry] = []
    current, last = Entry(), ""
    keyword = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')

    def flush() -> None:
        nonlocal current, last
        if last:
            entries.append(current)
        current, last = Entry(), ""

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            flush()
        elif line.startswith("#~"):
            current.obsolete = True
        elif line.startswith("#,"):
            if last:
                flush()
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            if last:
                flush()
        elif match := keyword.match(line):
            word, index, text = match.group(1), match.group(2), ast.literal_eval(match.group(3))
            if word.startswith("msgstr"):
                last = f"msgstr{index if index is not None else -1}"
                current.msgstr[int(index) if index is not None else -1] = text
            else:
                last = word
                setattr(current, word, text)
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if last.startswith("msgstr"):
                current.msgstr[int(last[6:])] += text
            else:
                setattr(current, last, getattr(current, last) + text)
        else:
            raise AssertionError(f"{path}: unreadable line {line!r}")
    flush()
    return entries


def catalogue(language: str) -> list[Entry]:
    return read_po(LOCALE / language / "LC_MESSAGES" / "django.po")


def messages(language: str) -> list[Entry]:
    return [e for e in catalogue(language) if e.msgid and not e.obsolete]


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    entries = messages(language)
    assert len(entries) > 500, "the catalogue should hold the whole desk"
    fuzzy = [e.msgid for e in catalogue(language) if "fuzzy" in e.flags]
    empty = [e.msgid for e in entries if not all(s.strip() for s in e.msgstr.values())]
    assert fuzzy == []
    assert empty == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_their_source(language):
    wrong = []
    for e in messages(language):
        for index, text in e.msgstr.items():
            source = e.msgid if index <= 0 or e.msgid_plural is None else e.msgid_plural
            if e.msgid_plural is not None:
                # A singular form may leave out the count ("un ticket"), never add a name.
                if not set(placeholders(text)) <= set(placeholders(e.msgid_plural)):
                    wrong.append((e.msgid, text))
            elif placeholders(text) != placeholders(source):
                wrong.append((e.msgid, text))
    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_holds_exactly_the_translations_of_the_po_file(language):
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for e in messages(language):
        if e.msgid_plural is None:
            expected[e.key] = e.msgstr[-1]
        else:
            expected.update({(e.key, i): text for i, text in e.msgstr.items()})
    compiled = {k: v for k, v in compiled.items() if k != ""}
    stale = {k for k in expected.keys() | compiled.keys() if expected.get(k) != compiled.get(k)}
    assert stale == set(), "run: django-admin compilemessages (from palier/)"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_header_names_its_language_and_plural_rule(language):
    header = next(e for e in catalogue(language) if e.msgid == "").msgstr[-1]
    assert f"Language: {language}\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in header or (
        "Plural-Forms: nplurals=2; plural=(n != 1);" in header
    )
    assert "charset=UTF-8" in header


def test_swiss_german_writes_ss_and_never_eszett():
    assert [e.msgid for e in messages("de") if "ß" in "".join(e.msgstr.values())] == []


# The policy's domain words, as the vendor's own French page and our glossary spell them.
GLOSSARY = {
    "maintenance contract": {
        "fr": "contrat de maintenance",
        "de": "wartungsvertrag",
        "it": "contratto di manutenzione",
    },
    "billable": {"fr": "facturable", "de": "kostenpflichtig", "it": "a pagamento"},
    "customization": {"fr": "individualisation", "de": "individualisierung", "it": "personalizz"},
    "level 1": {"fr": "niveau 1", "de": "level 1", "it": "livello 1"},
    "level 2": {"fr": "niveau 2", "de": "level 2", "it": "livello 2"},
    "consulting": {"fr": "consulting", "de": "consulting", "it": "consulting"},
    "customer services": {
        "fr": "customer services",
        "de": "customer services",
        "it": "customer services",
    },
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("word", sorted(GLOSSARY))
def test_domain_words_are_translated_the_same_way_everywhere(language, word):
    expected = GLOSSARY[word][language]
    outliers = [
        (e.msgid, text)
        for e in messages(language)
        if re.search(rf"\b{word}", PLACEHOLDER.sub("", e.msgid), re.IGNORECASE)
        for text in e.msgstr.values()
        if expected not in text.lower()
    ]
    assert outliers == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "home", "new_request"),
    [
        ("fr", "Contrat de maintenance", "Nouvelle demande"),
        ("de", "Wartungsvertrag", "Neue Anfrage"),
        ("it", "Contratto di manutenzione", "Nuova richiesta"),
    ],
)
def test_portal_home_speaks_the_contacts_language(client, world, language, home, new_request):
    world.contact_a.language = language
    world.contact_a.save(update_fields=["language"])
    client.force_login(world.contact_a)
    html = client.get(reverse("web:portal:home")).content.decode()
    assert home in html and new_request in html
    assert "Maintenance contract" not in html and ">New request<" not in html


@pytest.mark.django_db
def test_language_cookie_from_the_switch_wins_over_the_profile(client, world):
    client.force_login(world.contact_b)  # French in the profile
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    html = client.get(reverse("web:portal:home")).content.decode()
    assert "Wartungsvertrag" in html and "Contrat de maintenance" not in html


@pytest.mark.django_db
def test_api_errors_speak_the_accept_language_of_the_request(world, api):
    ticket = make_ticket(world.contact_a, "usage")
    agent = api(world.agent)
    wrong = {"finding": "customer_manipulation", "note": "Logs checked"}  # D1 needs a malfunction
    expected = {
        "en": "This finding does not apply to this request.",
        "fr": "Ce constat ne s’applique pas à cette demande.",
        "de": "Dieser Befund gilt nicht für diese Anfrage.",
        "it": "Questa constatazione non si applica a questa richiesta.",
    }
    for language, message in expected.items():
        r = agent.post(f"/tickets/{ticket.id}/diagnosis", wrong, HTTP_ACCEPT_LANGUAGE=language)
        assert r.status_code == 400, r.content
        assert r.json()["error"]["code"] == "finding_not_applicable"
        assert r.json()["error"]["message"] == message
    missing = agent.client.get("/api/v1/tickets/999999", HTTP_ACCEPT_LANGUAGE="de")
    assert missing.status_code == 404
    assert missing.json()["error"] == {
        "code": "not_found",
        "message": "Nicht gefunden (Ticket), oder Sie haben keinen Zugriff darauf.",
    }


@pytest.mark.django_db
def test_list_and_billing_errors_speak_the_callers_language_too(world, api):
    agent = api(world.agent).client
    bad_sort = agent.get("/api/v1/tickets?sort=colour", HTTP_ACCEPT_LANGUAGE="fr")
    assert bad_sort.status_code == 422  # an enum of the OpenAPI document
    message = bad_sort.json()["error"]["message"]
    assert message == "La requête contient des champs non valables ou manquants."
    bad_cursor = agent.get("/api/v1/tickets?cursor=nonsense", HTTP_ACCEPT_LANGUAGE="it")
    assert bad_cursor.json()["error"]["message"] == "Questo cursore non è valido per questo elenco."
    not_a_manager = agent.get(
        "/api/v1/reports/billing?period_start=2026-01-01&period_end=2026-01-31",
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert not_a_manager.status_code == 403
    assert not_a_manager.json()["error"]["message"].startswith("Nur Manager")


@pytest.mark.django_db
def test_api_answers_a_token_user_in_their_profile_language_without_a_header(world, api):
    missing = api(world.contact_a).get("/tickets/999999")  # anna.a's profile says "de"
    assert missing.status_code == 404
    assert missing.json()["error"]["message"].startswith("Nicht gefunden")
    english = api(world.agent).get("/tickets/999999")  # the agent's profile says "en"
    assert english.json()["error"]["message"].startswith("No such")


def test_a_wrong_method_is_refused_in_the_callers_language(world, api):
    """Ninja refuses a method before the token is read: the profile still says the language."""
    contact = api(world.contact_a)  # anna.a's profile says "de"
    refused = contact.delete("/tickets")
    assert refused.status_code == 405
    assert refused.json()["error"]["message"] == "DELETE ist hier nicht erlaubt."
    french = contact.delete("/tickets", HTTP_ACCEPT_LANGUAGE="fr")
    assert french.json()["error"]["message"] == "DELETE n’est pas permis ici."
    english = api(world.agent).delete("/tickets")  # the agent's profile says "en"
    assert english.json()["error"]["message"] == "DELETE is not allowed here."


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_two_statuses_share_a_name(language):
    """The French status filter once listed "Refusé" twice (declined and refused)."""
    from django.utils import translation

    from palier.tickets.states import Status

    with translation.override(language):
        names = [str(label) for label in Status.labels]
    assert len(set(names)) == len(names), names


def test_italian_dates_write_months_and_weekdays_in_lower_case():
    import datetime as dt

    from django.utils import dateformat, formats, translation

    with translation.override("it"):
        long_date = formats.date_format(dt.date(2026, 12, 6), "DATE_FORMAT")
        with_day = dateformat.format(dt.date(2026, 12, 6), "l j F")
    assert long_date == "06 dicembre 2026"
    assert with_day == "domenica 6 dicembre"


# The Italian catalogue addresses the reader as "Lei" ("Scelga", "Lo corregga"); the
# second person plural ("Correggetelo", "Seguite") crept into the dashboard's refusals.
ITALIAN_VOI = re.compile(r"\b(?:Correggete\w*|Seguite di nuovo|e mostrate\w*|ed esportate)\b")


def test_italian_addresses_the_reader_as_lei_never_as_voi():
    assert [e.msgid for e in messages("it") if ITALIAN_VOI.search("".join(e.msgstr.values()))] == []
